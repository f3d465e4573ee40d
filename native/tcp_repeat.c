/*
 * The steady lane (issues 8 and 10): a TCP_CHECK, plain HTTP_GET or ldirectord negotiate http
 * whose server is up runs its next attempts here, on a libuv timer, over tcp_probe.c's
 * connections, with no JavaScript per attempt while they pass. The first attempt that does not
 * pass ends the repeat and goes to TypeScript with everything it needs to judge it as its own
 * checkers would (src/health/checks/steady-lane.ts): the errno, the bytes received, end of stream
 * or timeout.
 *
 * The one piece of protocol here is the pass test, kept to what TypeScript's judge would
 * also pass on at that point (http-response.ts, for a url with no digest and no regex):
 *   HTTP: the headers have ended ("\r\n\r\n" received) and the status line is
 *         "HTTP/d.d NNN" followed by a space or its CRLF, with NNN in one of the ranges;
 *         with a needle (ldirectord's negotiate http whose receive is a literal, issue 10)
 *         also the body, up to its Content-Length or else to end of stream, at most 1 MiB,
 *         contains the needle's bytes (a chunked body is not decoded here: it is handed
 *         over once it ends, "0\r\n\r\n", or at end of stream);
 *   TCP:  the connection completed.
 * Anything else is handed over as soon as TypeScript would have a verdict from the same bytes
 * (a status line that cannot be HTTP once 12 bytes are in, headers over 16 KiB, end of stream,
 * an error) or at the deadline.
 *
 *   tcpRepeatInit(cb)   cb(id, kind, errno, latencyUs, endUs, bytes|null) for each miss:
 *                       kind 1 error (errno), 2 end of stream, 3 the bytes decide, 4 timeout;
 *                       the repeat is gone when cb runs (no tcpRepeatStop for it).
 *   tcpRepeatStart(family, address, port, request|null, ranges Int32Array|null, delayMs,
 *                  intervalMs, timeoutMs[, needle Buffer|null]) -> id
 *                       first attempt after delayMs, then intervalMs after each pass (as the
 *                       scheduler re-arms delay_loop after a verdict); request null: TCP_CHECK.
 *   tcpRepeatStats(id, out Float64Array(5))  [last pass end µs, its latency µs, its status
 *                       (0 for TCP), next due µs (0 while an attempt runs), passes]; µs of
 *                       uv_hrtime, the clock of process.hrtime.
 *   tcpRepeatStop(id, out)                    the same, then stops (a running attempt is dropped).
 */
#include "tcp_probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_MAX 16384   /* http.ts MAX_HEADER_BYTES */
#define BODY_MAX 1048576    /* http.ts MAX_BODY_BYTES */

enum { MISS_ERROR = 1, MISS_END = 2, MISS_BYTES = 3, MISS_TIMEOUT = 4 };

struct repeat_s {
  uint32_t id;
  struct sockaddr_storage to;
  socklen_t tlen;
  char addr[INET6_ADDRSTRLEN + 1];
  unsigned char *req;
  size_t req_len;
  int32_t *ranges; /* lo, hi pairs */
  uint32_t nranges;
  unsigned char *needle; /* negotiate's literal receive: the body must contain it; NULL: the status decides */
  size_t needle_len;
  size_t body_at;  /* with a needle: where the body starts once the headers passed (0: not yet) */
  int64_t clen;    /* its Content-Length, -1: none (the body ends at end of stream) */
  int32_t status;  /* the status of those headers */
  int chunked;     /* Transfer-Encoding chunked: TypeScript decodes and judges it */
  uint64_t interval_ms, timeout_ms;
  uv_timer_t timer;
  probe_t *conn; /* the running attempt's connection */
  uint64_t start_us, due_us;
  unsigned char *buf;
  size_t blen, bcap;
  uint64_t last_us;
  double last_lat_us;
  int32_t last_status;
  uint32_t passes;
};

typedef struct {
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  repeat_t **slots;
  uint32_t nslots;
} repeats_t;

static _Thread_local repeats_t *thread_repeats;

static uint64_t now_us(void) { return uv_hrtime() / 1000; }

static void free_repeat(uv_handle_t *h) {
  repeat_t *r = h->data;
  free(r->req);
  free(r->ranges);
  free(r->needle);
  free(r->buf);
  free(r);
}

/* Out of the table, connection closed, timer closed (freed by libuv afterwards). */
static void drop(repeats_t *t, repeat_t *r) {
  t->slots[r->id] = NULL;
  probes_t *o = tcp_probes_of(t->env);
  if (r->conn != NULL && o != NULL) tcp_probe_close(o, r->conn);
  r->conn = NULL;
  uv_timer_stop(&r->timer);
  uv_close((uv_handle_t *)&r->timer, free_repeat);
}

static void on_timer(uv_timer_t *h);

static void miss(repeat_t *r, int kind, int err) {
  repeats_t *t = thread_repeats;
  uint64_t end = now_us();
  napi_env env = t->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[6];
  napi_create_uint32(env, r->id, &argv[0]);
  napi_create_int32(env, kind, &argv[1]);
  napi_create_int32(env, err, &argv[2]);
  napi_create_double(env, (double)(end - r->start_us), &argv[3]);
  napi_create_double(env, (double)end, &argv[4]);
  if (r->blen > 0) napi_create_buffer_copy(env, r->blen, r->buf, NULL, &argv[5]);
  else napi_get_null(env, &argv[5]);
  drop(t, r);
  lvsd_callback(env, t->actx, t->cb, 6, argv);
  napi_close_handle_scope(env, scope);
}

static void pass(repeat_t *r, int32_t status) {
  probes_t *o = tcp_probes_of(thread_repeats->env);
  uint64_t end = now_us();
  if (r->conn != NULL && o != NULL) tcp_probe_close(o, r->conn);
  r->conn = NULL;
  r->last_us = end;
  r->last_lat_us = (double)(end - r->start_us);
  r->last_status = status;
  r->passes++;
  r->due_us = end + r->interval_ms * 1000;
  uv_timer_start(&r->timer, on_timer, r->interval_ms, 0);
}

static void on_timer(uv_timer_t *h) {
  repeat_t *r = h->data;
  if (r->conn != NULL) return miss(r, MISS_TIMEOUT, 0);
  probes_t *o = tcp_probes_of(thread_repeats->env);
  r->start_us = now_us();
  r->blen = 0;
  r->body_at = 0;
  r->clen = -1;
  r->chunked = 0;
  const char *what, *detail;
  int e = o == NULL ? ENODEV : tcp_probe_start(o, &r->to, NULL, r->tlen, NULL, r->req, r->req_len, r->addr, &r->conn, &what, &detail);
  if (e != 0) {
    r->conn = NULL;
    return miss(r, MISS_ERROR, e);
  }
  r->conn->rep = r;
  uv_timer_start(&r->timer, on_timer, r->timeout_ms, 0);
}

static int digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* "HTTP/d.d " at the start (http-response.ts checkStatusLine). */
static int http_prefix(const unsigned char *b) { return memcmp(b, "HTTP/", 5) == 0 && digit(b[5]) && b[6] == '.' && digit(b[7]) && b[8] == ' '; }

static int lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
/* What String.prototype.trim removes, of latin1 bytes. */
static int space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0; }

/* Whether [b, e) equals the lower-case `name`, ignoring case. */
static int named(const unsigned char *b, const unsigned char *e, const char *name) {
  size_t n = strlen(name);
  if ((size_t)(e - b) != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(b[i]) != (unsigned char)name[i]) return 0;
  return 1;
}

/*
 * The header lines between the status line and `end`, as http-response.ts parseHead reads them
 * (name and value trimmed, the last Content-Length of digits wins): 1 when one says
 * Transfer-Encoding chunked, else 0 with r->clen set.
 */
static int body_framing(repeat_t *r, const unsigned char *b, const unsigned char *end) {
  const unsigned char *eol = memmem(b, (size_t)(end - b) + 2, "\r\n", 2); /* the status line's end */
  while (eol != end) {
    const unsigned char *line = eol + 2;
    eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2); /* at `end` at the latest */
    const unsigned char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon == NULL) continue;
    const unsigned char *n0 = line, *n1 = colon, *v0 = colon + 1, *v1 = eol;
    while (n0 < n1 && space(*n0)) n0++;
    while (n1 > n0 && space(n1[-1])) n1--;
    while (v0 < v1 && space(*v0)) v0++;
    while (v1 > v0 && space(v1[-1])) v1--;
    if (named(n0, n1, "transfer-encoding")) {
      for (const unsigned char *p = v0; p + 7 <= v1; p++)
        if (named(p, p + 7, "chunked")) return 1;
    } else if (named(n0, n1, "content-length") && v1 > v0) {
      int64_t n = 0;
      const unsigned char *p = v0;
      for (; p < v1 && digit(*p); p++) n = n > BODY_MAX ? n : n * 10 + (*p - '0');
      if (p == v1) r->clen = n;
    }
  }
  return 0;
}

/* With a needle, once the headers passed: 1 a pass, 0 read on, -1 TypeScript decides. */
static int judge_body(repeat_t *r, int at_end) {
  size_t have = r->blen - r->body_at;
  size_t len = have;
  if (r->chunked) {
    /* Handed over whole: at its last chunk (no trailer), at end of stream, past the bound. */
    int last = have >= 5 && memcmp(r->buf + r->blen - 5, "0\r\n\r\n", 5) == 0 && (have == 5 || r->buf[r->blen - 6] == '\n');
    return at_end || last || have > BODY_MAX ? -1 : 0;
  }
  if (r->clen >= 0) {
    if (r->clen > BODY_MAX) return -1;
    if (have < (size_t)r->clen) return at_end ? -1 : 0;
    len = (size_t)r->clen;
  } else if (have > BODY_MAX) {
    return -1;
  } else if (!at_end) {
    return 0;
  }
  return memmem(r->buf + r->body_at, len, r->needle, r->needle_len) != NULL ? 1 : -1;
}

/* 1: a pass with *status; 0: read on; -1: TypeScript decides from these bytes. */
static int judge(repeat_t *r, int32_t *status) {
  unsigned char *b = r->buf;
  if (r->body_at > 0) {
    *status = r->status;
    return judge_body(r, 0);
  }
  unsigned char *end = r->blen >= 4 ? memmem(b, r->blen, "\r\n\r\n", 4) : NULL;
  if (end == NULL) {
    if (r->blen > HEADER_MAX) return -1;
    return r->blen >= 12 && !http_prefix(b) ? -1 : 0;
  }
  /* The status line ends at the first CRLF (at or before `end`). */
  if ((size_t)(end - b) < 12 || !http_prefix(b) || !digit(b[9]) || !digit(b[10]) || !digit(b[11])) return -1;
  if (!(b[12] == ' ' || (b[12] == '\r' && b[13] == '\n'))) return -1;
  int32_t s = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
  for (uint32_t i = 0; i + 1 < r->nranges * 2; i += 2)
    if (s >= r->ranges[i] && s <= r->ranges[i + 1]) {
      *status = s;
      if (r->needle == NULL) return 1;
      r->chunked = body_framing(r, b, end);
      r->status = s;
      r->body_at = (size_t)(end - b) + 4;
      return judge_body(r, 0);
    }
  return -1;
}

void tcp_repeat_event(repeat_t *r, int event, int err, const unsigned char *data, size_t n) {
  if (event == EV_CONNECTED) return pass(r, 0);
  if (event == EV_ERROR) return miss(r, MISS_ERROR, err);
  if (event == EV_END) {
    /* A body without Content-Length ends here (http-response.ts end() then finish()). */
    if (r->body_at > 0 && !r->chunked && r->clen < 0 && judge_body(r, 1) > 0) return pass(r, r->status);
    return miss(r, MISS_END, 0);
  }
  if (r->blen + n > r->bcap) {
    size_t cap = r->bcap == 0 ? 4096 : r->bcap;
    while (cap < r->blen + n) cap *= 2;
    unsigned char *nb = realloc(r->buf, cap);
    if (nb == NULL) return miss(r, MISS_ERROR, ENOMEM);
    r->buf = nb;
    r->bcap = cap;
  }
  memcpy(r->buf + r->blen, data, n);
  r->blen += n;
  int32_t status = 0;
  int v = judge(r, &status);
  if (v > 0) pass(r, status);
  else if (v < 0) miss(r, MISS_BYTES, 0);
}

static void repeats_teardown(void *arg) {
  repeats_t *t = arg;
  for (uint32_t i = 0; i < t->nslots; i++)
    if (t->slots[i] != NULL) drop(t, t->slots[i]);
  if (thread_repeats == t) thread_repeats = NULL;
  lvsd_callback_release(t->env, &t->cb, &t->actx, 1);
}

static napi_value repeat_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return lvsd_throw_type(env, "tcpRepeatInit(callback)");
  if (tcp_probes_of(env) == NULL) return lvsd_throw_type(env, "tcpRepeatInit before tcpProbeInit");
  if (thread_repeats != NULL && thread_repeats->env == env) return lvsd_throw_type(env, "tcpRepeatInit: already initialised on this thread");
  repeats_t *t = calloc(1, sizeof *t);
  if (t == NULL) return lvsd_throw_errno(env, ENOMEM, "malloc", "tcp repeats");
  t->env = env;
  if (napi_create_reference(env, argv[0], 1, &t->cb) != napi_ok || napi_create_string_utf8(env, "lvsd:tcp-repeat", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &t->actx) != napi_ok) {
    free(t);
    return lvsd_throw_type(env, "tcpRepeatInit: cannot keep the callback");
  }
  thread_repeats = t;
  napi_add_env_cleanup_hook(env, repeats_teardown, t);
  return NULL;
}

static repeats_t *repeats_of(napi_env env) { return thread_repeats != NULL && thread_repeats->env == env ? thread_repeats : NULL; }

static napi_value repeat_start(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9], out;
  int32_t family, port, delay, interval, timeout;
  void *req = NULL, *ranges = NULL, *needle = NULL;
  size_t req_len = 0, nranges = 0, needle_len = 0;
  napi_valuetype t0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  repeats_t *t = repeats_of(env);
  if (t == NULL) return lvsd_throw_type(env, "tcpRepeatStart before tcpRepeatInit");
  if (argc < 8) return lvsd_throw_type(env, "tcpRepeatStart(family, address, port, request, ranges, delayMs, intervalMs, timeoutMs)");
  repeat_t *r = calloc(1, sizeof *r);
  if (r == NULL) return lvsd_throw_errno(env, ENOMEM, "malloc", "tcp repeat");
  if (lvsd_arg_int(env, argv[0], &family, "family") || lvsd_arg_string(env, argv[1], r->addr, sizeof r->addr, "address") || lvsd_arg_int(env, argv[2], &port, "port") ||
      lvsd_arg_int(env, argv[5], &delay, "delayMs") || lvsd_arg_int(env, argv[6], &interval, "intervalMs") || lvsd_arg_int(env, argv[7], &timeout, "timeoutMs"))
    goto bad;
  napi_typeof(env, argv[3], &t0);
  if (t0 != napi_null && t0 != napi_undefined && lvsd_arg_buffer(env, argv[3], &req, &req_len, "request")) goto bad;
  if (argc > 8) {
    napi_typeof(env, argv[8], &t0);
    if (t0 != napi_null && t0 != napi_undefined && lvsd_arg_buffer(env, argv[8], &needle, &needle_len, "needle")) goto bad;
  }
  napi_typeof(env, argv[4], &t0);
  if (t0 != napi_null && t0 != napi_undefined) {
    napi_typedarray_type tt;
    if (napi_get_typedarray_info(env, argv[4], &tt, &nranges, &ranges, NULL, NULL) != napi_ok || tt != napi_int32_array || nranges % 2 != 0) {
      lvsd_throw_type(env, "ranges must be an Int32Array of lo, hi pairs");
      goto bad;
    }
  }
  if ((family != 4 && family != 6) || port < 1 || port > 65535 || delay < 0 || interval < 1 || timeout < 1) {
    lvsd_throw_type(env, "family 4 or 6, port 1-65535, delayMs >= 0, intervalMs and timeoutMs >= 1");
    goto bad;
  }
  if (tcp_target(family, r->addr, port, &r->to, &r->tlen) < 0) {
    lvsd_throw_type(env, "address must be an IP literal of its family");
    goto bad;
  }
  if ((req_len > 0 && (r->req = malloc(req_len)) == NULL) || (nranges > 0 && (r->ranges = malloc(nranges * sizeof(int32_t))) == NULL) ||
      (needle_len > 0 && (r->needle = malloc(needle_len)) == NULL)) {
    lvsd_throw_errno(env, ENOMEM, "malloc", "tcp repeat");
    goto bad;
  }
  if (req_len > 0) memcpy(r->req, req, req_len);
  if (nranges > 0) memcpy(r->ranges, ranges, nranges * sizeof(int32_t));
  if (needle_len > 0) memcpy(r->needle, needle, needle_len);
  r->needle_len = needle_len;
  r->req_len = req_len;
  r->nranges = (uint32_t)(nranges / 2);
  r->interval_ms = (uint64_t)interval;
  r->timeout_ms = (uint64_t)timeout;
  uint32_t id = 0;
  while (id < t->nslots && t->slots[id] != NULL) id++;
  if (id == t->nslots) {
    uint32_t n = t->nslots == 0 ? 64 : t->nslots * 2;
    repeat_t **slots = realloc(t->slots, n * sizeof *slots);
    if (slots == NULL) {
      lvsd_throw_errno(env, ENOMEM, "malloc", "tcp repeat");
      goto bad;
    }
    for (uint32_t i = t->nslots; i < n; i++) slots[i] = NULL;
    t->slots = slots;
    t->nslots = n;
  }
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  uv_unref((uv_handle_t *)&r->timer); /* as lvsd's JS timers: a timer alone keeps no process alive */
  r->id = id;
  t->slots[id] = r;
  r->due_us = now_us() + (uint64_t)delay * 1000;
  uv_timer_start(&r->timer, on_timer, (uint64_t)delay, 0);
  napi_create_uint32(env, id, &out);
  return out;
bad:
  free(r->req);
  free(r->ranges);
  free(r->needle);
  free(r);
  return NULL;
}

/* The repeat of argv[0] and the Float64Array(5) of argv[1], or NULL (unknown id: out is zeros). */
static repeat_t *stats_of(napi_env env, napi_callback_info info, double **out) {
  size_t argc = 2, len = 0;
  napi_value argv[2];
  uint32_t id;
  void *data = NULL;
  napi_typedarray_type tt;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  *out = NULL;
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_typedarray_info(env, argv[1], &tt, &len, &data, NULL, NULL) != napi_ok ||
      tt != napi_float64_array || len < 5) {
    lvsd_throw_type(env, "(id, Float64Array(5))");
    return NULL;
  }
  double *o = data;
  *out = o;
  for (int i = 0; i < 5; i++) o[i] = 0;
  repeats_t *t = repeats_of(env);
  repeat_t *r = t != NULL && id < t->nslots ? t->slots[id] : NULL;
  if (r == NULL) return NULL;
  o[0] = (double)r->last_us;
  o[1] = r->last_lat_us;
  o[2] = r->last_status;
  o[3] = r->conn != NULL ? 0 : (double)r->due_us;
  o[4] = r->passes;
  return r;
}

static napi_value repeat_stats(napi_env env, napi_callback_info info) {
  double *out;
  stats_of(env, info, &out);
  return NULL;
}

static napi_value repeat_stop(napi_env env, napi_callback_info info) {
  double *out;
  repeat_t *r = stats_of(env, info, &out);
  if (r != NULL) drop(thread_repeats, r);
  return NULL;
}

void lvsd_tcp_repeat_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"tcpRepeatInit", NULL, repeat_init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpRepeatStart", NULL, repeat_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpRepeatStats", NULL, repeat_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpRepeatStop", NULL, repeat_stop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
