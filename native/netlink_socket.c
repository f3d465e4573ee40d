/*
 * Netlink sockets on the VRRP socket handles (vrrp_socket.c: the same poll, lifecycle and receive
 * path), for requests that must leave now, such as a VIP add on the takeover path.
 *
 *   nlOpen(protocol, cb) -> handle   an AF_NETLINK socket (bound, kernel-chosen port id) with the
 *     poll of a VRRP socket; packets are {data, atUs}, one per datagram. Its handle carries another
 *     type tag than a VRRP handle: the vrrp* functions refuse it and the nl* functions refuse a VRRP
 *     handle.
 *   nlClose(handle)  as vrrpClose, for a netlink handle.
 *   nlSend(handle, message)  one sendto(2) to the kernel, now: the caller's request is on its way
 *     (and, for rtnetlink, carried out) when this returns. Throws the errno (EAGAIN, ENOBUFS...).
 *     The `netlink` package queues a send behind the completion of the previous one, which
 *     held a VIP add back by a loop turn on the takeover path; this is what that path uses.
 */
#include "vrrp_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

napi_value nl_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t protocol;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return lvsd_throw_type(env, "nlOpen(protocol, callback)");
  if (lvsd_arg_int(env, argv[0], &protocol, "protocol")) return NULL;
  sock_t *s = vrrp_sock_alloc(env, "netlink socket");
  if (s == NULL) return NULL;
  s->family = AF_NETLINK;
  s->netlink = 1;
  s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&local, sizeof local) < 0) {
    int e = errno;
    const char *call = s->fd < 0 ? "socket" : "bind";
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    free(s);
    return lvsd_throw_errno(env, e, call, "netlink socket");
  }
  return vrrp_sock_wrap_and_poll(env, s, argv[1], "netlink socket");
}

napi_value nl_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc < 2 ? NULL : vrrp_get_nl_sock(env, argv[0]);
  if (s == NULL) return argc < 2 ? lvsd_throw_type(env, "nlSend(handle, message)") : NULL;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok)
    return lvsd_throw_type(env, "nlSend: message must be a Buffer");
  if (s->closing) return lvsd_throw_errno(env, EBADF, "sendto", "netlink socket is closed");
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t n;
  do n = sendto(s->fd, data, len, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (n < 0) return lvsd_throw_errno(env, errno, "sendto", "netlink socket");
  return NULL;
}

napi_value nl_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc < 1 ? NULL : vrrp_get_nl_sock(env, argv[0]);
  if (s == NULL) return argc < 1 ? lvsd_throw_type(env, "nlClose(handle)") : NULL;
  vrrp_sock_close(s, 0);
  return NULL;
}
