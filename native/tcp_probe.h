/*
 * tcp_probe: plain TCP connections for TCP_CHECK / HTTP_GET (see tcp_probe.c for the
 * contract). Shared between the event machine (tcp_probe.c) and its exports (tcp_probe_napi.c).
 */
#ifndef LVSD_TCP_PROBE_H
#define LVSD_TCP_PROBE_H

#include "lvsd_native.h"

#include <uv.h>

enum { EV_CONNECTED = 1, EV_DATA = 2, EV_END = 3, EV_ERROR = 4 };
enum { ST_CONNECTING, ST_SENDING, ST_READING, ST_DONE };

typedef struct probe_s probe_t;

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
};

/* Handles EPOLL events of the private set (the uv_poll callback). */
void tcp_probe_on_epoll(uv_poll_t *h, int status, int events);
/* Refs the poll while a connection is open, unrefs it when none is. */
void tcp_probe_set_polling(probes_t *o);
/* Closes the socket and frees the connection; no event after it. */
void tcp_probe_close(probes_t *o, probe_t *p);
/* The epoll tag of a connection: generation << 32 | slot. */
uint64_t tcp_probe_tag(probes_t *o, probe_t *p);

#endif
