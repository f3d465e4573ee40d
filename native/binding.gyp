{
  "targets": [
    {
      "target_name": "lvsd_native",
      "sources": ["lvsd_native.c", "js_values.c", "vrrp_socket.c", "vrrp_setup.c", "vrrp_send.c", "vrrp_recv.c", "netlink_socket.c", "icmp.c", "tcp_probe.c", "tcp_probe_napi.c", "tcp_repeat.c", "timer.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror=implicit-function-declaration"]
    }
  ]
}
