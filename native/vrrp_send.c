/* vrrpSend(handle, payload, dst, src): one datagram with an explicit source address. */
#include "vrrp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* sendmsg with an explicit source: IP_PKTINFO ipi_spec_dst (ip(7): used as the source address)
 * or IPV6_PKTINFO ipi6_addr (RFC 3542 §6.1), so TypeScript's pseudo-header checksum matches. */
napi_value vrrp_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *payload;
  size_t len;
  char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return lvsd_throw_type(env, "vrrpSend(handle, payload, dst, src)");
  sock_t *s = vrrp_get_sock(env, argv[0]);
  if (s == NULL || lvsd_arg_buffer(env, argv[1], &payload, &len, "payload") ||
      lvsd_arg_string(env, argv[2], dst, sizeof dst, "dst") || lvsd_arg_string(env, argv[3], src, sizeof src, "src"))
    return NULL;
  if (s->closing) return lvsd_throw_errno(env, EBADF, "sendmsg", "vrrp socket is closed");
  struct sockaddr_storage to;
  union {
    struct cmsghdr align;
    char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
  } ctl;
  memset(&to, 0, sizeof to);
  memset(&ctl, 0, sizeof ctl);
  struct iovec iov = {.iov_base = payload, .iov_len = len};
  struct msghdr m = {.msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1};
  if (src[0] != '\0') {
    m.msg_control = ctl.b;
    m.msg_controllen = s->family == AF_INET ? CMSG_SPACE(sizeof(struct in_pktinfo)) : CMSG_SPACE(sizeof(struct in6_pktinfo));
  }
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  int ok;
  if (s->family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    ok = inet_pton(AF_INET, dst, &a->sin_addr) == 1;
    m.msg_namelen = sizeof *a;
    if (c != NULL) {
      struct in_pktinfo pi = {.ipi_ifindex = s->ifindex};
      ok = ok && inet_pton(AF_INET, src, &pi.ipi_spec_dst) == 1;
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    ok = inet_pton(AF_INET6, dst, &a->sin6_addr) == 1;
    if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) || IN6_IS_ADDR_MULTICAST(&a->sin6_addr)) a->sin6_scope_id = (uint32_t)s->ifindex;
    m.msg_namelen = sizeof *a;
    if (c != NULL) {
      struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned)s->ifindex};
      ok = ok && inet_pton(AF_INET6, src, &pi.ipi6_addr) == 1;
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
  }
  if (!ok) return lvsd_throw_type(env, "dst/src must be addresses of the socket's family");
  ssize_t n;
  do n = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return lvsd_throw_errno(env, errno, "sendmsg", dst);
  return NULL;
}

