/*
 * Plain TCP connections for TCP_CHECK and HTTP_GET attempts, without a net.Socket each
 * (issue 8: a net.Socket's JS machinery per attempt is most of a check's CPU under emulation).
 * Syscalls only: the request bytes come from TypeScript, the response bytes go back to it
 * (src/health/checks/native-stream.ts), which judges them. One libuv poll handle per
 * connection on the calling thread's loop; one callback per thread, set once.
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
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

enum { EV_CONNECTED = 1, EV_DATA = 2, EV_END = 3, EV_ERROR = 4 };

typedef struct probe_s probe_t;

typedef struct {
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  unsigned char *rbuf;
  size_t rcap;
  napi_ref rbuf_ref;
  probe_t **slots;
  uint32_t nslots;
  uint32_t *free_ids;
  uint32_t nfree;
} probes_t;

struct probe_s {
  probes_t *owner;
  uint32_t id;
  int fd, connected, closing;
  uv_poll_t poll;
  unsigned char *req;
  size_t req_len, req_off;
};

static void probe_free(uv_handle_t *h) {
  probe_t *p = h->data;
  free(p->req);
  free(p);
}

static void probe_close(probe_t *p) {
  if (p->closing) return;
  p->closing = 1;
  probes_t *o = p->owner;
  o->slots[p->id] = NULL;
  o->free_ids[o->nfree++] = p->id;
  uv_poll_stop(&p->poll);
  close(p->fd);
  p->fd = -1;
  uv_close((uv_handle_t *)&p->poll, probe_free);
}

static void emit(probe_t *p, int event, int err, size_t n) {
  probes_t *o = p->owner;
  napi_env env = o->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[4], fn, recv, result;
  napi_create_uint32(env, p->id, &argv[0]);
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

/* An error ends the poll (the caller closes); `p` stays valid until tcpProbeClose. */
static void fail(probe_t *p, int err) {
  uv_poll_stop(&p->poll);
  emit(p, EV_ERROR, err, 0);
}

static void on_events(uv_poll_t *h, int status, int events);

static void read_some(probe_t *p) {
  probes_t *o = p->owner;
  ssize_t n;
  do n = recv(p->fd, o->rbuf, o->rcap, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n > 0) emit(p, EV_DATA, 0, (size_t)n);
  else if (n == 0) {
    uv_poll_stop(&p->poll);
    emit(p, EV_END, 0, 0);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) fail(p, errno);
}

static void on_writable(probe_t *p) {
  if (!p->connected) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == EINPROGRESS) return;
    if (err != 0) return fail(p, err);
    p->connected = 1;
  }
  while (p->req_off < p->req_len) {
    ssize_t n = send(p->fd, p->req + p->req_off, p->req_len - p->req_off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return; /* the rest on the next writable */
    if (n < 0) return fail(p, errno);
    p->req_off += (size_t)n;
  }
  int had_request = p->req_len > 0;
  uv_poll_start(&p->poll, UV_READABLE, on_events);
  if (!had_request) emit(p, EV_CONNECTED, 0, 0);
}

static void on_events(uv_poll_t *h, int status, int events) {
  probe_t *p = h->data;
  if (p->closing) return;
  if (status < 0) {
    /* libuv reports EPOLLERR as UV_EBADF: the socket's own error says what happened. */
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err == 0) err = -status;
    return fail(p, err);
  }
  if (p->connected && p->req_off >= p->req_len) {
    if (events & UV_READABLE) read_some(p);
  } else if (events & UV_WRITABLE) {
    on_writable(p);
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
    if (o->slots[i] != NULL) probe_close(o->slots[i]);
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
  p->owner = o;
  p->id = id;
  p->fd = fd;
  p->req_len = req_len;
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  rc = uv_poll_init_socket(loop, &p->poll, fd);
  if (rc < 0) {
    o->free_ids[o->nfree++] = id;
    free(p->req);
    free(p);
    close(fd);
    return lvsd_throw_errno(env, -rc, "uv_poll_init", addr);
  }
  p->poll.data = p;
  o->slots[id] = p;
  rc = uv_poll_start(&p->poll, UV_WRITABLE, on_events);
  if (rc < 0) {
    probe_close(p);
    return lvsd_throw_errno(env, -rc, "uv_poll_start", addr);
  }
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
  if (o != NULL && id < o->nslots && o->slots[id] != NULL) probe_close(o->slots[id]);
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
