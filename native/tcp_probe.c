/*
 * Plain TCP connections for TCP_CHECK and HTTP_GET attempts, without a net.Socket each
 * (issue 8: a net.Socket's JS machinery per attempt is most of a check's CPU under emulation).
 * Syscalls only: the request bytes come from TypeScript, the response bytes go back to it
 * (src/health/checks/native-stream.ts), which judges them. The connections of a thread share
 * one private epoll set behind one libuv poll; one callback per thread, set once. Per
 * connection: socket, connect, epoll ADD, send, epoll MOD, recv..., close (net.Socket: ~13).
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
#include "lvsd_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

enum { EV_CONNECTED = 1, EV_DATA = 2, EV_END = 3, EV_ERROR = 4 };
enum { ST_CONNECTING, ST_SENDING, ST_READING, ST_DONE };
#define BATCH 64

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
  unsigned char *req;
  size_t req_len, req_off;
};

static void on_epoll(uv_poll_t *h, int status, int events);

/* The poll stays started (no epoll_ctl per idle/busy switch); it holds the loop open only
 * while a connection is open, as a net.Socket would. */
static void set_polling(probes_t *o) {
  int want = o->live > 0;
  if (want == o->polling) return;
  o->polling = want;
  if (want) uv_ref((uv_handle_t *)&o->poll);
  else uv_unref((uv_handle_t *)&o->poll);
}

static void probe_close(probes_t *o, probe_t *p) {
  o->slots[p->id] = NULL;
  o->gens[p->id]++;
  o->free_ids[o->nfree++] = p->id;
  close(p->fd);
  free(p->req);
  free(p);
  o->live--;
  set_polling(o);
}

static uint64_t tag_of(probes_t *o, probe_t *p) { return ((uint64_t)o->gens[p->id] << 32) | p->id; }

static probe_t *probe_by_tag(probes_t *o, uint64_t tag) {
  uint32_t id = (uint32_t)tag;
  if (id >= o->nslots || o->slots[id] == NULL || o->gens[id] != (uint32_t)(tag >> 32)) return NULL;
  return o->slots[id];
}

static void emit(probes_t *o, uint32_t id, int event, int err, size_t n) {
  napi_env env = o->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[4], fn, recv, result;
  napi_create_uint32(env, id, &argv[0]);
  napi_create_int32(env, event, &argv[1]);
  napi_create_int32(env, err, &argv[2]);
  napi_create_uint32(env, (uint32_t)n, &argv[3]);
  napi_get_reference_value(env, o->cb, &fn);
  napi_get_global(env, &recv);
  napi_make_callback(env, o->actx, recv, fn, 4, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
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

static void on_epoll(uv_poll_t *h, int status, int events) {
  probes_t *o = h->data;
  struct epoll_event evs[BATCH];
  for (int round = 0; round < 4; round++) {
    int n = epoll_wait(o->epfd, evs, BATCH, 0);
    for (int i = 0; i < n; i++) on_event(o, evs[i].data.u64, evs[i].events);
    if (n < BATCH) return;
  }
}

/* One napi_env per thread (the main thread, each worker): the thread's probes. */
static _Thread_local probes_t *thread_probes;

static probes_t *probes_of(napi_env env) {
  return thread_probes != NULL && thread_probes->env == env ? thread_probes : NULL;
}

static void probes_teardown(void *arg) {
  probes_t *o = arg;
  if (thread_probes == o) thread_probes = NULL;
  for (uint32_t i = 0; i < o->nslots; i++)
    if (o->slots[i] != NULL) probe_close(o, o->slots[i]);
  uv_poll_stop(&o->poll);
}

static napi_value probe_init(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  void *data = NULL;
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return lvsd_throw_type(env, "tcpProbeInit(callback, readBuffer)");
  if (lvsd_arg_buffer(env, argv[1], &data, &len, "readBuffer")) return NULL;
  if (len == 0) return lvsd_throw_type(env, "readBuffer must not be empty");
  if (probes_of(env) != NULL) return lvsd_throw_type(env, "tcpProbeInit: already initialised on this thread");
  probes_t *o = calloc(1, sizeof *o);
  if (o == NULL) return lvsd_throw_errno(env, ENOMEM, "malloc", "tcp probes");
  o->env = env;
  o->rbuf = data;
  o->rcap = len;
  if (napi_create_reference(env, argv[0], 1, &o->cb) != napi_ok || napi_create_reference(env, argv[1], 1, &o->rbuf_ref) != napi_ok ||
      napi_create_string_utf8(env, "lvsd:tcp-probe", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &o->actx) != napi_ok) {
    free(o);
    return lvsd_throw_type(env, "tcpProbeInit: cannot keep the callback");
  }
  uv_loop_t *loop = NULL;
  o->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (o->epfd < 0) return lvsd_throw_errno(env, errno, "epoll_create1", "tcp probes");
  napi_get_uv_event_loop(env, &loop);
  int rc = uv_poll_init(loop, &o->poll, o->epfd);
  if (rc < 0) return lvsd_throw_errno(env, -rc, "uv_poll_init", "tcp probes");
  o->poll.data = o;
  rc = uv_poll_start(&o->poll, UV_READABLE, on_epoll);
  if (rc < 0) return lvsd_throw_errno(env, -rc, "uv_poll_start", "tcp probes");
  uv_unref((uv_handle_t *)&o->poll);
  thread_probes = o;
  napi_add_env_cleanup_hook(env, probes_teardown, o);
  return NULL;
}

static int take_id(probes_t *o, uint32_t *id) {
  if (o->nfree > 0) {
    *id = o->free_ids[--o->nfree];
    return 0;
  }
  uint32_t n = o->nslots == 0 ? 64 : o->nslots * 2;
  probe_t **slots = realloc(o->slots, n * sizeof *slots);
  if (slots == NULL) return -1;
  o->slots = slots;
  uint32_t *ids = realloc(o->free_ids, n * sizeof *ids);
  if (ids == NULL) return -1;
  o->free_ids = ids;
  uint32_t *gens = realloc(o->gens, n * sizeof *gens);
  if (gens == NULL) return -1;
  o->gens = gens;
  for (uint32_t i = o->nslots; i < n; i++) o->gens[i] = 0;
  for (uint32_t i = n; i > o->nslots + 1; i--) o->free_ids[o->nfree++] = i - 1;
  for (uint32_t i = o->nslots; i < n; i++) o->slots[i] = NULL;
  *id = o->nslots;
  o->nslots = n;
  return 0;
}

static napi_value probe_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  int32_t family, port;
  char addr[INET6_ADDRSTRLEN + 1];
  void *req = NULL;
  size_t req_len = 0;
  napi_valuetype t;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return lvsd_throw_type(env, "tcpProbeOpen(family, address, port, request)");
  probes_t *o = probes_of(env);
  if (o == NULL) return lvsd_throw_type(env, "tcpProbeOpen before tcpProbeInit");
  if (lvsd_arg_int(env, argv[0], &family, "family") || lvsd_arg_string(env, argv[1], addr, sizeof addr, "address") ||
      lvsd_arg_int(env, argv[2], &port, "port"))
    return NULL;
  napi_typeof(env, argv[3], &t);
  if (t != napi_null && t != napi_undefined && lvsd_arg_buffer(env, argv[3], &req, &req_len, "request")) return NULL;
  if ((family != 4 && family != 6) || port < 1 || port > 65535) return lvsd_throw_type(env, "family must be 4 or 6, port 1-65535");
  struct sockaddr_storage to;
  socklen_t tlen;
  memset(&to, 0, sizeof to);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    tlen = sizeof *a;
    if (inet_pton(AF_INET, addr, &a->sin_addr) != 1) return lvsd_throw_type(env, "address must be an IPv4 literal");
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    tlen = sizeof *a;
    if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1) return lvsd_throw_type(env, "address must be an IPv6 literal");
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return lvsd_throw_errno(env, errno, "socket", addr);
  int rc;
  do rc = connect(fd, (struct sockaddr *)&to, tlen);
  while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != EINPROGRESS) {
    int e = errno;
    close(fd);
    return lvsd_throw_errno(env, e, "connect", addr);
  }
  probe_t *p = calloc(1, sizeof *p);
  uint32_t id = 0;
  if (p == NULL || (req_len > 0 && (p->req = malloc(req_len)) == NULL) || take_id(o, &id) < 0) {
    if (p != NULL) free(p->req);
    free(p);
    close(fd);
    return lvsd_throw_errno(env, ENOMEM, "malloc", "tcp probe");
  }
  if (req_len > 0) memcpy(p->req, req, req_len);
  p->id = id;
  p->fd = fd;
  p->req_len = req_len;
  p->state = ST_CONNECTING;
  o->slots[id] = p;
  o->live++;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = tag_of(o, p)};
  if (epoll_ctl(o->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    int e = errno;
    probe_close(o, p);
    return lvsd_throw_errno(env, e, "epoll_ctl", addr);
  }
  set_polling(o);
  napi_create_uint32(env, id, &out);
  return out;
}

static napi_value probe_close_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t id;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  probes_t *o = probes_of(env);
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return lvsd_throw_type(env, "tcpProbeClose(id)");
  if (o != NULL && id < o->nslots && o->slots[id] != NULL) probe_close(o, o->slots[id]);
  return NULL;
}

void lvsd_tcp_probe_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"tcpProbeInit", NULL, probe_init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpProbeOpen", NULL, probe_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpProbeClose", NULL, probe_close_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
