/*
 * lvsd_native: the few Linux syscalls Node cannot make (docs/design.md "The C addon": syscalls only, no policy).
 *
 *   ifNameToIndex(name) -> number                       if_nametoindex(3)
 *   interfaceMac(name) -> Buffer(6)                     ioctl SIOCGIFHWADDR, netdevice(7)
 *   interfaceAddresses(name) -> [{family, address, prefixLen, scopeId}]   getifaddrs(3)
 *   packetSend(ifindex, frame)                          AF_PACKET SOCK_RAW sendto, packet(7)
 *   unixDgramSend(path, data)                           AF_UNIX SOCK_DGRAM sendto; '@' = abstract
 *   vrrpOpen / vrrpSend / vrrpDrain / vrrpClose          see vrrp_socket.c
 *   nlOpen / nlSend / nlClose                           see netlink_socket.c
 *   threadRealtime(priority)                            sched_setscheduler(2) SCHED_RR, calling thread
 *   icmpOpen / icmpSend / icmpClose                     see icmp.c (PING_CHECK)
 *   timerOpen / timerStart / timerStop / timerClose     see timer.c (VRRP deadlines)
 *   tcpProbeInit / tcpProbeOpen / tcpProbeClose         see tcp_probe.c (TCP_CHECK, HTTP_GET)
 *
 * Context-aware (NAPI_MODULE_INIT): every worker_threads Worker gets its own instance.
 * Errors and argument checks shared by every source are in js_values.c.
 */
#include "lvsd_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    lvsd_throw_type(env, "too few arguments");
    return -1;
  }
  return 0;
}

/* ---------- interfaces ---------- */

static napi_value if_name_to_index(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  char name[IF_NAMESIZE + 1];
  if (get_args(env, info, 1, argv) || lvsd_arg_string(env, argv[0], name, sizeof name, "ifname")) return NULL;
  unsigned idx = if_nametoindex(name);
  if (idx == 0) return lvsd_throw_errno(env, errno, "if_nametoindex", name);
  napi_create_uint32(env, idx, &out);
  return out;
}

static napi_value interface_mac(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  char name[IF_NAMESIZE + 1];
  if (get_args(env, info, 1, argv) || lvsd_arg_string(env, argv[0], name, sizeof name, "ifname")) return NULL;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return lvsd_throw_errno(env, errno, "socket", "AF_INET SOCK_DGRAM for SIOCGIFHWADDR");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name));
  int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
  int err = errno;
  close(fd);
  if (rc < 0) return lvsd_throw_errno(env, err, "ioctl", name);
  napi_create_buffer_copy(env, 6, ifr.ifr_hwaddr.sa_data, NULL, &out);
  return out;
}

static int prefix_len(const unsigned char *mask, size_t n) {
  int bits = 0;
  for (size_t i = 0; i < n; i++) bits += __builtin_popcount(mask[i]);
  return bits;
}

static napi_value address_object(napi_env env, const struct ifaddrs *ifa) {
  napi_value o;
  char text[INET6_ADDRSTRLEN];
  napi_create_object(env, &o);
  if (ifa->ifa_addr->sa_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)ifa->ifa_addr;
    const struct sockaddr_in *m = (const struct sockaddr_in *)ifa->ifa_netmask;
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    lvsd_set_int(env, o, "family", 4);
    lvsd_set_int(env, o, "prefixLen", m ? prefix_len((const unsigned char *)&m->sin_addr, 4) : 32);
    lvsd_set_int(env, o, "scopeId", 0);
  } else {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ifa->ifa_addr;
    const struct sockaddr_in6 *m = (const struct sockaddr_in6 *)ifa->ifa_netmask;
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    lvsd_set_int(env, o, "family", 6);
    lvsd_set_int(env, o, "prefixLen", m ? prefix_len((const unsigned char *)&m->sin6_addr, 16) : 128);
    lvsd_set_int(env, o, "scopeId", a->sin6_scope_id);
  }
  lvsd_set_str(env, o, "address", text);
  return o;
}

/* Addresses in the kernel's order (getifaddrs walks RTM_GETADDR: primary IPv4 first). */
static napi_value interface_addresses(napi_env env, napi_callback_info info) {
  napi_value argv[1], arr;
  char name[IF_NAMESIZE + 1];
  if (get_args(env, info, 1, argv) || lvsd_arg_string(env, argv[0], name, sizeof name, "ifname")) return NULL;
  struct ifaddrs *list = NULL;
  if (getifaddrs(&list) < 0) return lvsd_throw_errno(env, errno, "getifaddrs", name);
  napi_create_array(env, &arr);
  uint32_t n = 0;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, name) != 0) continue;
    int fam = ifa->ifa_addr->sa_family;
    if (fam != AF_INET && fam != AF_INET6) continue;
    napi_set_element(env, arr, n++, address_object(env, ifa));
  }
  freeifaddrs(list);
  return arr;
}

/* ---------- AF_PACKET: one whole Ethernet frame (GARP, unsolicited NA) ---------- */

/* One AF_PACKET socket for the whole process, opened on first use and kept: closing one
 * costs an RCU grace period (packet_release -> synchronize_net, tens of ms), which stalled
 * the VRRP worker during every gratuitous-ARP burst when a socket was opened per frame.
 * Protocol 0: it never receives (packet(7)); it only transmits. sendto(2) on one fd from
 * several threads is safe. A failed open (EPERM before CAP_NET_RAW was granted, EMFILE,
 * ENOBUFS) is not remembered: the next send tries again. The mutex orders threads (the main
 * thread and the VRRP worker) opening it at once, so exactly one fd is ever kept. */
static pthread_mutex_t packet_lock = PTHREAD_MUTEX_INITIALIZER;
static int packet_sock = -1;
/* The socket, or -errno of this attempt to open it. */
static int packet_fd(void) {
  pthread_mutex_lock(&packet_lock);
  if (packet_sock < 0) packet_sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  int rc = packet_sock >= 0 ? packet_sock : -errno;
  pthread_mutex_unlock(&packet_lock);
  return rc;
}

static napi_value packet_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t ifindex;
  void *frame;
  size_t len;
  if (get_args(env, info, 2, argv) || lvsd_arg_int(env, argv[0], &ifindex, "ifindex") ||
      lvsd_arg_buffer(env, argv[1], &frame, &len, "frame"))
    return NULL;
  if (len < 14) return lvsd_throw_type(env, "frame must hold at least an Ethernet header (14 bytes)");
  int fd = packet_fd();
  if (fd < 0) return lvsd_throw_errno(env, -fd, "socket", "AF_PACKET SOCK_RAW");
  const unsigned char *f = frame;
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_protocol = htons((uint16_t)((f[12] << 8) | f[13])); /* EtherType from the frame */
  sll.sll_halen = 6;
  memcpy(sll.sll_addr, f, 6); /* destination MAC from the frame */
  ssize_t rc = sendto(fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof sll);
  if (rc < 0) return lvsd_throw_errno(env, errno, "sendto", "AF_PACKET frame");
  return NULL;
}

/* ---------- AF_UNIX datagram ($NOTIFY_SOCKET, sd_notify(3)) ---------- */

static napi_value unix_dgram_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  void *data;
  size_t len;
  if (get_args(env, info, 2, argv) || lvsd_arg_string(env, argv[0], path, sizeof path, "path") ||
      lvsd_arg_buffer(env, argv[1], &data, &len, "data"))
    return NULL;
  size_t plen = strlen(path);
  if (plen == 0) return lvsd_throw_type(env, "path must not be empty");
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, path, plen);
  if (path[0] == '@') sun.sun_path[0] = '\0'; /* abstract namespace, unix(7) */
  socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '@' ? 0 : 1));
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return lvsd_throw_errno(env, errno, "socket", "AF_UNIX SOCK_DGRAM");
  ssize_t rc = sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
  int err = errno;
  close(fd);
  if (rc < 0) return lvsd_throw_errno(env, err, "sendto", path);
  return NULL;
}

/* ---------- scheduling (the VRRP worker thread, like keepalived's vrrp_rt_priority) ---------- */

/* Linux applies sched_setscheduler(0, ...) to the calling thread only (sched(7)), so a
 * worker_threads Worker can raise itself without touching the main thread. */
static napi_value thread_realtime(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t prio;
  if (get_args(env, info, 1, argv) || lvsd_arg_int(env, argv[0], &prio, "priority")) return NULL;
  struct sched_param sp = {.sched_priority = prio};
  if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0)
    return lvsd_throw_errno(env, errno, "sched_setscheduler", "SCHED_RR");
  return NULL;
}

/* ---------- module ---------- */

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  export_fn(env, exports, "ifNameToIndex", if_name_to_index);
  export_fn(env, exports, "interfaceMac", interface_mac);
  export_fn(env, exports, "interfaceAddresses", interface_addresses);
  export_fn(env, exports, "packetSend", packet_send);
  export_fn(env, exports, "unixDgramSend", unix_dgram_send);
  export_fn(env, exports, "threadRealtime", thread_realtime);
  lvsd_vrrp_init(env, exports);
  lvsd_icmp_init(env, exports);
  lvsd_timer_init(env, exports);
  lvsd_tcp_probe_init(env, exports);
  lvsd_tcp_repeat_init(env, exports);
  return exports;
}
