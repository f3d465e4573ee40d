/* Private to the VRRP socket sources (vrrp_socket.c, vrrp_setup.c, vrrp_send.c, vrrp_recv.c) and
 * netlink_socket.c, which uses the same handles. */
#ifndef LVSD_VRRP_SOCKET_H
#define LVSD_VRRP_SOCKET_H

#include "lvsd_native.h"

#include <net/if.h>
#include <netinet/in.h>
#include <uv.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

/* Size of a socket's receive buffer (sock_t.buf): the largest datagram read whole. */
#define RX_BUF 65536

typedef struct {
  napi_env env;
  int fd;
  int family;
  int ifindex;
  uv_poll_t poll;
  int poll_inited;
  int closing;     /* fd closed, poll close requested */
  int poll_closed; /* uv close callback ran (or no poll) */
  int finalized;   /* JS handle collected */
  napi_ref cb;
  napi_async_context actx;
  napi_async_cleanup_hook_handle hook;
  unsigned char *buf;
  int netlink; /* an AF_NETLINK socket (nlOpen): packets are {data, atUs} only */
} sock_t;

typedef struct {
  int32_t family, protocol, ttl, tos;
  char ifname[IF_NAMESIZE + 1];
  char group[INET6_ADDRSTRLEN];
} open_opts_t;

/* vrrp_setup.c: parse vrrpOpen's options; create and configure the fd (throws and returns -1). */
int vrrp_read_open_opts(napi_env env, napi_value o, open_opts_t *p);
int vrrp_open_fd(napi_env env, sock_t *s, const open_opts_t *p);
/* vrrp_socket.c: the socket behind a handle of each kind, or NULL after throwing a TypeError. */
sock_t *vrrp_get_sock(napi_env env, napi_value v);
sock_t *vrrp_get_nl_sock(napi_env env, napi_value v);
/* vrrp_socket.c: a zeroed socket with its receive buffer, or NULL after throwing ENOMEM. */
sock_t *vrrp_sock_alloc(napi_env env, const char *what);
/* vrrp_socket.c: wraps s (fd open) in a handle tagged by its kind and starts polling; frees s and
 * throws on failure. */
napi_value vrrp_sock_wrap_and_poll(napi_env env, sock_t *s, napi_value cb, const char *what);
/* vrrp_socket.c: stops the poll and closes the fd, idempotent; teardown: no JS may run. */
void vrrp_sock_close(sock_t *s, int teardown);
/* vrrp_send.c */
napi_value vrrp_send(napi_env env, napi_callback_info info);
/* vrrp_recv.c: reads up to max packets into a new array; *err is null or a system error value. */
void vrrp_read_all(napi_env env, sock_t *s, int max, napi_value *arr, napi_value *err);
/* netlink_socket.c: nlOpen, nlSend, nlClose (registered with the vrrp* functions). */
napi_value nl_open(napi_env env, napi_callback_info info);
napi_value nl_send(napi_env env, napi_callback_info info);
napi_value nl_close(napi_env env, napi_callback_info info);

#endif
