/*
 * tcp_probe: plain TCP connections for TCP_CHECK / HTTP_GET (see tcp_probe.c for the
 * contract). Shared between the event machine (tcp_probe.c) and its exports (tcp_probe_napi.c).
 */
#ifndef LVSD_TCP_PROBE_H
#define LVSD_TCP_PROBE_H

#include "lvsd_native.h"

#include <uv.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

enum { EV_CONNECTED = 1, EV_DATA = 2, EV_END = 3, EV_ERROR = 4 };
enum { ST_CONNECTING, ST_SENDING, ST_READING, ST_DONE };

typedef struct probe_s probe_t;
typedef struct repeat_s repeat_t;

/* Options of tcpProbeOpenWith, applied between socket(2) and connect(2) as keepalived 2.2.7
 * does (layer4.c socket_bind_connect): SO_MARK, then SO_BINDTODEVICE (bind_if; also the
 * scope of an IPv6 target), then bind. SO_MARK needs CAP_NET_ADMIN or, since Linux 5.17,
 * CAP_NET_RAW. */
typedef struct {
  uint32_t mark;
  int32_t bind_port;
  char bind_addr[INET6_ADDRSTRLEN + 1];
  char scope_if[IF_NAMESIZE + 1];
} tcp_opts_t;

/* Every connection of a thread sits in one private epoll set, watched by one uv_poll on the
 * thread's loop: per connection an ADD and a MOD, and close(2) drops it from the set. An event
 * names its connection by slot and generation, so a slot reused within one batch is not
 * mistaken for the connection that left it. */
typedef struct {
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  unsigned char *rbuf;
  size_t rcap;
  napi_ref rbuf_ref;
  int epfd, polling;
  uv_poll_t poll;
  uint32_t live;
  probe_t **slots;
  uint32_t *gens;
  uint32_t nslots;
  uint32_t *free_ids;
  uint32_t nfree;
} probes_t;

struct probe_s {
  uint32_t id;
  int fd, state;
  int early_err; /* the connect's error, met by the early send in tcpProbeOpen */
  unsigned char *req;
  size_t req_len, req_off;
  repeat_t *rep; /* the steady lane's attempt (tcp_repeat.c): its events stay in C */
};

/* Handles EPOLL events of the private set (the uv_poll callback). */
void tcp_probe_on_epoll(uv_poll_t *h, int status, int events);
/* Refs the poll while a connection is open, unrefs it when none is. */
void tcp_probe_set_polling(probes_t *o);
/* Closes the socket and frees the connection; no event after it. */
void tcp_probe_close(probes_t *o, probe_t *p);
/* The epoll tag of a connection: generation << 32 | slot. */
uint64_t tcp_probe_tag(probes_t *o, probe_t *p);

/* The thread's probes, or NULL before tcpProbeInit on it. */
probes_t *tcp_probes_of(napi_env env);
/* The sockaddr of an IP literal (family 4 or 6); -1 when it is not one. */
int tcp_target(int family, const char *addr, int port, struct sockaddr_storage *to, socklen_t *len);
/* A free connection id (the table grows); -1 without memory. */
int tcp_probe_take_id(probes_t *o, uint32_t *id);
/* Opens a connection: socket, `opts` (NULL: none; `from` then unused), connect, the early send
 * of `req`, epoll ADD. Returns 0 with *out set, or an errno with *what the failing call and
 * *detail what it was about (`addr`, the device or the bind address). */
int tcp_probe_start(probes_t *o, const struct sockaddr_storage *to, const struct sockaddr_storage *from, socklen_t len, const tcp_opts_t *opts,
                    const void *req, size_t req_len, const char *addr, probe_t **out, const char **what, const char **detail);
/* A connection's event for its repeat (tcp_repeat.c) instead of JavaScript: data is o->rbuf. */
void tcp_repeat_event(repeat_t *r, int event, int err, const unsigned char *data, size_t n);

#endif
