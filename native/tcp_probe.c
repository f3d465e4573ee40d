/*
 * Plain TCP connections for TCP_CHECK and HTTP_GET attempts, without a net.Socket each
 * (issue 8: natively, about half of the user CPU of a plain HTTP check was the Socket's JS).
 * Syscalls only: the request bytes come from TypeScript, the response bytes go back to it
 * (src/health/checks/native-stream.ts), which judges them. The connections of a thread share
 * one private epoll set behind one libuv poll; one callback per thread, set once. Per
 * connection: socket, connect, epoll ADD, send, epoll MOD, recv..., close (net.Socket: ~13);
 * with a request, when the connect has completed by the time it returns (loopback, a veth
 * peer), the send goes right after it and the MOD and the writable wakeup are skipped.
 *
 *   tcpProbeInit(cb, readBuffer)   cb(id, event, errno, n) for every connection of this thread;
 *                                  received bytes land in readBuffer (shared, valid during cb).
 *     event 1 connected (only for connections opened without a request: TCP_CHECK)
 *           2 data: n bytes at the start of readBuffer
 *           3 end of stream (the peer closed)
 *           4 error: errno (positive: ECONNREFUSED...) from connect, send or recv
 *   tcpProbeOpen(family, address, port, request|null) -> id
 *     non-blocking socket + connect to the IP literal; once connected, writes `request` (all
 *     of it, over several writable events if needed) and then reads. Throws the errno when
 *     socket(2) or connect(2) fails at once. The connection lives until tcpProbeClose.
 *   tcpProbeClose(id)   stops the poll and closes the socket; unknown ids are ignored.
 */
#include "tcp_probe.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64

/* The poll stays started (no epoll_ctl per idle/busy switch); it holds the loop open only
 * while a connection is open, as a net.Socket would. */
void tcp_probe_set_polling(probes_t *o) {
  int want = o->live > 0;
  if (want == o->polling) return;
  o->polling = want;
  if (want) uv_ref((uv_handle_t *)&o->poll);
  else uv_unref((uv_handle_t *)&o->poll);
}

void tcp_probe_close(probes_t *o, probe_t *p) {
  o->slots[p->id] = NULL;
  o->gens[p->id]++;
  o->free_ids[o->nfree++] = p->id;
  close(p->fd);
  free(p->req);
  free(p);
  o->live--;
  tcp_probe_set_polling(o);
}

uint64_t tcp_probe_tag(probes_t *o, probe_t *p) { return ((uint64_t)o->gens[p->id] << 32) | p->id; }

static probe_t *probe_by_tag(probes_t *o, uint64_t tag) {
  uint32_t id = (uint32_t)tag;
  if (id >= o->nslots || o->slots[id] == NULL || o->gens[id] != (uint32_t)(tag >> 32)) return NULL;
  return o->slots[id];
}

static void emit(probes_t *o, uint32_t id, int event, int err, size_t n) {
  probe_t *p = o->slots[id];
  if (p != NULL && p->rep != NULL) return tcp_repeat_event(p->rep, event, err, o->rbuf, n);
  napi_env env = o->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[4];
  napi_create_uint32(env, id, &argv[0]);
  napi_create_int32(env, event, &argv[1]);
  napi_create_int32(env, err, &argv[2]);
  napi_create_uint32(env, (uint32_t)n, &argv[3]);
  lvsd_callback(env, o->actx, o->cb, 4, argv);
  napi_close_handle_scope(env, scope);
}

/* After a final event: if the callback left the connection open, stop hearing about it. */
static void finish(probes_t *o, uint64_t tag, int event, int err) {
  probe_t *p = probe_by_tag(o, tag);
  p->state = ST_DONE;
  emit(o, p->id, event, err, 0);
  p = probe_by_tag(o, tag);
  if (p != NULL) epoll_ctl(o->epfd, EPOLL_CTL_DEL, p->fd, NULL);
}

static int sock_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  return err;
}

static void on_writable(probes_t *o, probe_t *p, uint64_t tag) {
  while (p->req_off < p->req_len) {
    ssize_t n = send(p->fd, p->req + p->req_off, p->req_len - p->req_off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      p->state = ST_SENDING; /* the rest on the next writable */
      return;
    }
    if (n < 0) return finish(o, tag, EV_ERROR, errno);
    p->req_off += (size_t)n;
  }
  p->state = ST_READING;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
  if (epoll_ctl(o->epfd, EPOLL_CTL_MOD, p->fd, &ev) < 0) return finish(o, tag, EV_ERROR, errno);
  if (p->req_len == 0) emit(o, p->id, EV_CONNECTED, 0, 0);
}

static void on_event(probes_t *o, uint64_t tag, uint32_t events) {
  probe_t *p = probe_by_tag(o, tag);
  if (p == NULL || p->state == ST_DONE) return;
  if (p->early_err != 0) return finish(o, tag, EV_ERROR, p->early_err);
  if (p->state == ST_CONNECTING) {
    /* EPOLLERR: the connect failed (refused, unreachable, reset); its error is the socket's. */
    if (events & EPOLLERR) {
      int err = sock_error(p->fd);
      return finish(o, tag, EV_ERROR, err != 0 ? err : ECONNRESET);
    }
    if (!(events & (EPOLLOUT | EPOLLHUP))) return;
    if (events & EPOLLHUP) {
      int err = sock_error(p->fd);
      return finish(o, tag, EV_ERROR, err != 0 ? err : ECONNRESET);
    }
    p->state = ST_SENDING;
  }
  if (p->state == ST_SENDING) {
    if (events & EPOLLERR) return finish(o, tag, EV_ERROR, sock_error(p->fd) ?: ECONNRESET);
    return on_writable(o, p, tag);
  }
  ssize_t n;
  do n = recv(p->fd, o->rbuf, o->rcap, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n > 0) emit(o, p->id, EV_DATA, 0, (size_t)n);
  else if (n == 0) finish(o, tag, EV_END, 0);
  else if (errno != EAGAIN && errno != EWOULDBLOCK) finish(o, tag, EV_ERROR, errno);
}

void tcp_probe_on_epoll(uv_poll_t *h, int status, int events) {
  probes_t *o = h->data;
  struct epoll_event evs[BATCH];
  for (int round = 0; round < 4; round++) {
    int n = epoll_wait(o->epfd, evs, BATCH, 0);
    for (int i = 0; i < n; i++) on_event(o, evs[i].data.u64, evs[i].events);
    if (n < BATCH) return;
  }
}

static int fail_fd(int fd, const char *call, const char **what) {
  int e = errno;
  close(fd);
  *what = call;
  return e;
}

int tcp_probe_start(probes_t *o, const struct sockaddr_storage *to, const struct sockaddr_storage *from, socklen_t len, const tcp_opts_t *opts,
                    const void *req, size_t req_len, const char *addr, probe_t **out, const char **what, const char **detail) {
  *detail = addr;
  int fd = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *what = "socket";
    return errno;
  }
  if (opts != NULL && opts->mark != 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &opts->mark, sizeof opts->mark) < 0)
    return fail_fd(fd, "setsockopt SO_MARK", what);
  if (opts != NULL && opts->scope_if[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, opts->scope_if, (socklen_t)strlen(opts->scope_if) + 1) < 0) {
    *detail = opts->scope_if;
    return fail_fd(fd, "setsockopt SO_BINDTODEVICE", what);
  }
  if (opts != NULL && (opts->bind_addr[0] || opts->bind_port != 0) && bind(fd, (const struct sockaddr *)from, len) < 0) {
    if (opts->bind_addr[0]) *detail = opts->bind_addr;
    return fail_fd(fd, "bind", what);
  }
  int rc;
  do rc = connect(fd, (const struct sockaddr *)to, len);
  while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != EINPROGRESS) return fail_fd(fd, "connect", what);
  probe_t *p = calloc(1, sizeof *p);
  uint32_t id = 0;
  if (p == NULL || (req_len > 0 && (p->req = malloc(req_len)) == NULL) || tcp_probe_take_id(o, &id) < 0) {
    if (p != NULL) free(p->req);
    free(p);
    close(fd);
    *what = "malloc";
    *detail = "tcp probe";
    return ENOMEM;
  }
  if (req_len > 0) memcpy(p->req, req, req_len);
  p->id = id;
  p->fd = fd;
  p->req_len = req_len;
  p->state = ST_CONNECTING;
  o->slots[id] = p;
  o->live++;
  uint32_t first = EPOLLOUT;
  if (req_len > 0) {
    /* Often connected already (loopback, a veth peer: the handshake ran in connect's softirq):
     * send now and skip the writable wakeup. Still connecting (EAGAIN): as usual. A failed
     * connect shows here (its error is consumed): kept for the first event. */
    ssize_t n = send(fd, p->req, req_len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      p->req_off = (size_t)n;
      p->state = (size_t)n == req_len ? ST_READING : ST_SENDING;
      if (p->state == ST_READING) first = EPOLLIN;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      p->early_err = errno;
    }
  }
  struct epoll_event ev = {.events = first, .data.u64 = tcp_probe_tag(o, p)};
  if (epoll_ctl(o->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    int e = errno;
    tcp_probe_close(o, p);
    *what = "epoll_ctl";
    return e;
  }
  tcp_probe_set_polling(o);
  *out = p;
  return 0;
}
