/*
 * Receiving on a VRRP raw socket or a netlink socket (vrrp_socket.c owns the handles and the poll).
 *
 * Packet: {data, src, dst, ifindex, ttl, atUs, truncated}. IPv4 raw sockets deliver the IP header
 * in data (raw(7)); src is from msg_name, dst and ifindex from IP_PKTINFO, ttl from IP_TTL (-1 when
 * the cmsg is missing). IPv6 data is the VRRP message only; dst/ifindex from IPV6_PKTINFO, ttl
 * from IPV6_HOPLIMIT. atUs is when the packet arrived, on uv_hrtime's clock (CLOCK_MONOTONIC, as
 * process.hrtime): the kernel's SO_TIMESTAMPNS receive stamp (CLOCK_REALTIME) moved onto the
 * monotonic clock by its age at recvmsg; uv_hrtime() at recvmsg when there is no stamp or its age is
 * implausible (a wall-clock step in between). The master-down timer starts from the advert's
 * arrival, not from whenever this thread was woken to read it.
 */
#include "vrrp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static napi_value addr_string(napi_env env, int family, const void *addr) {
  char text[INET6_ADDRSTRLEN] = "";
  napi_value v;
  inet_ntop(family, addr, text, sizeof text);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* Longest believable time between the kernel stamping a packet and our recvmsg. */
#define MAX_RX_AGE_NS 1000000000LL

/* Arrival time in µs on the monotonic clock; see the header comment. */
static double arrival_us(uint64_t mono_ns, const struct timespec *stamp) {
  if (stamp == NULL) return (double)(mono_ns / 1000);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  long long age = (long long)(now.tv_sec - stamp->tv_sec) * 1000000000LL + (now.tv_nsec - stamp->tv_nsec);
  if (age < 0 || age > MAX_RX_AGE_NS) return (double)(mono_ns / 1000);
  return (double)((mono_ns - (uint64_t)age) / 1000);
}

/* True when the control message carries at least `payload` bytes of data (CMSG_LEN, cmsg(3)):
 * a shorter one (a kernel or ABI surprise) is skipped rather than read past its end. */
static int cmsg_holds(const struct cmsghdr *c, size_t payload) {
  return c->cmsg_len >= CMSG_LEN(payload);
}

static void parse_cmsgs(napi_env env, sock_t *s, struct msghdr *m, uint64_t mono_ns, napi_value pkt) {
  int ttl = -1, ifindex = 0, stamped = 0;
  struct timespec stamp;
  napi_value at;
  napi_value dst;
  napi_create_string_utf8(env, "", 0, &dst); /* '' when the kernel gave no pktinfo */
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && cmsg_holds(c, sizeof(struct in_pktinfo))) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      ifindex = pi.ipi_ifindex;
      dst = addr_string(env, AF_INET, &pi.ipi_addr); /* header destination, ip(7) */
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && cmsg_holds(c, sizeof ttl)) {
      memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && cmsg_holds(c, sizeof(struct in6_pktinfo))) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      ifindex = (int)pi.ipi6_ifindex;
      dst = addr_string(env, AF_INET6, &pi.ipi6_addr);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT && cmsg_holds(c, sizeof ttl)) {
      memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && cmsg_holds(c, sizeof stamp)) {
      memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
      stamped = 1;
    }
  }
  napi_create_double(env, arrival_us(mono_ns, stamped ? &stamp : NULL), &at);
  lvsd_set(env, pkt, "atUs", at);
  lvsd_set(env, pkt, "dst", dst);
  lvsd_set_int(env, pkt, "ifindex", ifindex);
  lvsd_set_int(env, pkt, "ttl", ttl);
}

/* One recvmsg. Returns 1 with *out set, 0 on EAGAIN, or -errno. */
static int read_one(napi_env env, sock_t *s, napi_value *out) {
  struct sockaddr_storage from;
  union {
    struct cmsghdr align;
    char b[256];
  } ctl;
  struct iovec iov = {.iov_base = s->buf, .iov_len = RX_BUF};
  struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                     .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
  ssize_t n;
  do n = recvmsg(s->fd, &m, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  uint64_t mono_ns = uv_hrtime();
  napi_value pkt, data, v;
  napi_create_object(env, &pkt);
  napi_create_buffer_copy(env, (size_t)n, s->buf, NULL, &data);
  lvsd_set(env, pkt, "data", data);
  if (s->netlink) {
    napi_create_double(env, (double)(mono_ns / 1000), &v);
    lvsd_set(env, pkt, "atUs", v);
    *out = pkt;
    return 1;
  }
  if (from.ss_family == AF_INET6)
    lvsd_set(env, pkt, "src", addr_string(env, AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr));
  else
    lvsd_set(env, pkt, "src", addr_string(env, AF_INET, &((struct sockaddr_in *)&from)->sin_addr));
  parse_cmsgs(env, s, &m, mono_ns, pkt);
  napi_get_boolean(env, (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0, &v);
  lvsd_set(env, pkt, "truncated", v);
  *out = pkt;
  return 1;
}

void vrrp_read_all(napi_env env, sock_t *s, int max, napi_value *arr, napi_value *err) {
  napi_create_array(env, arr);
  napi_get_null(env, err);
  for (uint32_t i = 0; (int)i < max && !s->closing; i++) {
    napi_value pkt;
    int rc = read_one(env, s, &pkt);
    if (rc == 0) return;
    if (rc < 0) {
      *err = lvsd_errno_value(env, -rc, "recvmsg", s->netlink ? "netlink socket" : "vrrp raw socket");
      return;
    }
    napi_set_element(env, *arr, i, pkt);
  }
}
