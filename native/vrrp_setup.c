/*
 * VRRP raw socket setup: the keepalived recipe (vrrp.c open_vrrp_send_socket/open_vrrp_read_socket)
 * as socket options, ip(7) and ipv6(7). No IPV6_CHECKSUM: TypeScript fills and verifies it.
 */
#include "vrrp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int setopt(int fd, int level, int name, const void *v, socklen_t len) {
  return setsockopt(fd, level, name, v, len) < 0 ? -errno : 0;
}

static int setopt_int(int fd, int level, int name, int v) { return setopt(fd, level, name, &v, sizeof v); }

/* Returns 0 or -errno; *what names the failing option for the error message. */
static int configure_v4(sock_t *s, const char *group, int ttl, int tos, const char **what) {
  struct ip_mreqn mr = {.imr_ifindex = s->ifindex};
  int rc;
  if ((*what = "SO_TIMESTAMPNS", rc = setopt_int(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, 1))) return rc;
  if ((*what = "IP_MULTICAST_ALL", rc = setopt_int(s->fd, IPPROTO_IP, IP_MULTICAST_ALL, 0))) return rc;
  if ((*what = "IP_PKTINFO", rc = setopt_int(s->fd, IPPROTO_IP, IP_PKTINFO, 1))) return rc;
  if ((*what = "IP_RECVTTL", rc = setopt_int(s->fd, IPPROTO_IP, IP_RECVTTL, 1))) return rc;
  if ((*what = "IP_TTL", rc = setopt_int(s->fd, IPPROTO_IP, IP_TTL, ttl))) return rc;
  if ((*what = "IP_MULTICAST_TTL", rc = setopt_int(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl))) return rc;
  if ((*what = "IP_MULTICAST_LOOP", rc = setopt_int(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0))) return rc;
  if ((*what = "IP_MULTICAST_IF", rc = setopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr))) return rc;
  if (tos >= 0 && (*what = "IP_TOS", rc = setopt_int(s->fd, IPPROTO_IP, IP_TOS, tos))) return rc;
  if (group[0] == '\0') return 0;
  *what = "IP_ADD_MEMBERSHIP";
  if (inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1) return -EINVAL;
  return setopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr);
}

static int configure_v6(sock_t *s, const char *group, int ttl, const char **what) {
  int rc;
  if ((*what = "SO_TIMESTAMPNS", rc = setopt_int(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, 1))) return rc;
  if ((*what = "IPV6_MULTICAST_ALL", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0))) return rc;
  if ((*what = "IPV6_RECVPKTINFO", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1))) return rc;
  if ((*what = "IPV6_RECVHOPLIMIT", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1))) return rc;
  if ((*what = "IPV6_UNICAST_HOPS", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl))) return rc;
  if ((*what = "IPV6_MULTICAST_HOPS", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl))) return rc;
  if ((*what = "IPV6_MULTICAST_LOOP", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0))) return rc;
  if ((*what = "IPV6_MULTICAST_IF", rc = setopt_int(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, s->ifindex))) return rc;
  if (group[0] == '\0') return 0;
  struct ipv6_mreq mr = {.ipv6mr_interface = (unsigned)s->ifindex};
  *what = "IPV6_ADD_MEMBERSHIP";
  if (inet_pton(AF_INET6, group, &mr.ipv6mr_multiaddr) != 1) return -EINVAL;
  return setopt(s->fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof mr);
}

int vrrp_read_open_opts(napi_env env, napi_value o, open_opts_t *p) {
  napi_value v;
  if (lvsd_prop(env, o, "family", &v) || lvsd_arg_int(env, v, &p->family, "options.family")) return -1;
  if (lvsd_prop(env, o, "protocol", &v) || lvsd_arg_int(env, v, &p->protocol, "options.protocol")) return -1;
  if (lvsd_prop(env, o, "ttl", &v) || lvsd_arg_int(env, v, &p->ttl, "options.ttl")) return -1;
  if (lvsd_prop(env, o, "tos", &v) || lvsd_arg_int(env, v, &p->tos, "options.tos")) return -1;
  if (lvsd_prop(env, o, "ifname", &v) || lvsd_arg_string(env, v, p->ifname, sizeof p->ifname, "options.ifname"))
    return -1;
  if (lvsd_prop(env, o, "group", &v) || lvsd_arg_string(env, v, p->group, sizeof p->group, "options.group"))
    return -1;
  if (p->family != 4 && p->family != 6) {
    lvsd_throw_type(env, "options.family must be 4 or 6");
    return -1;
  }
  return 0;
}

/* Creates and configures the fd; returns 0 or throws and returns -1 (fd closed). */
int vrrp_open_fd(napi_env env, sock_t *s, const open_opts_t *p) {
  const char *what = "socket";
  int rc;
  s->ifindex = (int)if_nametoindex(p->ifname);
  if (s->ifindex == 0) {
    lvsd_throw_errno(env, errno, "if_nametoindex", p->ifname);
    return -1;
  }
  s->fd = socket(s->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, p->protocol);
  if (s->fd < 0) {
    lvsd_throw_errno(env, errno, "socket", s->family == AF_INET ? "AF_INET SOCK_RAW" : "AF_INET6 SOCK_RAW");
    return -1;
  }
  what = "SO_BINDTODEVICE";
  rc = setopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, p->ifname, (socklen_t)strlen(p->ifname));
  if (rc == 0)
    rc = s->family == AF_INET ? configure_v4(s, p->group, p->ttl, p->tos, &what) : configure_v6(s, p->group, p->ttl, &what);
  if (rc < 0) {
    close(s->fd);
    lvsd_throw_errno(env, -rc, "setsockopt", what);
    return -1;
  }
  return 0;
}

