/*
 * The exports of tcp_probe.c (contract there): tcpProbeInit, tcpProbeOpen, tcpProbeOpenWith
 * (SO_MARK, SO_BINDTODEVICE, source address and port: keepalived's fwmark, bind_if, bindto,
 * bind_port), tcpProbeClose, and the per-thread table of connections (slots reused,
 * generations counted).
 */
#include "tcp_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* One napi_env per thread (the main thread, each worker): the thread's probes. */
static _Thread_local probes_t *thread_probes;

probes_t *tcp_probes_of(napi_env env) {
  return thread_probes != NULL && thread_probes->env == env ? thread_probes : NULL;
}

static void probes_teardown(void *arg) {
  probes_t *o = arg;
  if (thread_probes == o) thread_probes = NULL;
  for (uint32_t i = 0; i < o->nslots; i++)
    if (o->slots[i] != NULL) tcp_probe_close(o, o->slots[i]);
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
  if (tcp_probes_of(env) != NULL) return lvsd_throw_type(env, "tcpProbeInit: already initialised on this thread");
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
  rc = uv_poll_start(&o->poll, UV_READABLE, tcp_probe_on_epoll);
  if (rc < 0) return lvsd_throw_errno(env, -rc, "uv_poll_start", "tcp probes");
  uv_unref((uv_handle_t *)&o->poll);
  thread_probes = o;
  napi_add_env_cleanup_hook(env, probes_teardown, o);
  return NULL;
}

int tcp_probe_take_id(probes_t *o, uint32_t *id) {
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

int tcp_target(int family, const char *addr, int port, struct sockaddr_storage *to, socklen_t *len) {
  memset(to, 0, sizeof *to);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *len = sizeof *a;
    return inet_pton(AF_INET, addr, &a->sin_addr) == 1 ? 0 : -1;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)to;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  *len = sizeof *a;
  return inet_pton(AF_INET6, addr, &a->sin6_addr) == 1 ? 0 : -1;
}

static int arg_opt_string(napi_env env, napi_value v, char *out, size_t cap, const char *what) {
  napi_valuetype t;
  out[0] = 0;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined ? 0 : lvsd_arg_string(env, v, out, cap, what);
}

static napi_value open_probe(napi_env env, napi_value *argv, const tcp_opts_t *opts) {
  napi_value out;
  int32_t family, port;
  char addr[INET6_ADDRSTRLEN + 1];
  void *req = NULL;
  size_t req_len = 0;
  napi_valuetype t;
  probes_t *o = tcp_probes_of(env);
  if (o == NULL) return lvsd_throw_type(env, "tcpProbeOpen before tcpProbeInit");
  if (lvsd_arg_int(env, argv[0], &family, "family") || lvsd_arg_string(env, argv[1], addr, sizeof addr, "address") ||
      lvsd_arg_int(env, argv[2], &port, "port"))
    return NULL;
  napi_typeof(env, argv[3], &t);
  if (t != napi_null && t != napi_undefined && lvsd_arg_buffer(env, argv[3], &req, &req_len, "request")) return NULL;
  if ((family != 4 && family != 6) || port < 1 || port > 65535) return lvsd_throw_type(env, "family must be 4 or 6, port 1-65535");
  struct sockaddr_storage to, from;
  socklen_t tlen;
  memset(&from, 0, sizeof from);
  if (tcp_target(family, addr, port, &to, &tlen) < 0) return lvsd_throw_type(env, family == 4 ? "address must be an IPv4 literal" : "address must be an IPv6 literal");
  if (family == 4) {
    struct sockaddr_in *b = (struct sockaddr_in *)&from;
    b->sin_family = AF_INET;
    if (opts != NULL) b->sin_port = htons((uint16_t)opts->bind_port);
    if (opts != NULL && opts->bind_addr[0] && inet_pton(AF_INET, opts->bind_addr, &b->sin_addr) != 1) return lvsd_throw_type(env, "bindAddress must be an IPv4 literal");
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    if (opts != NULL && opts->scope_if[0] && (a->sin6_scope_id = if_nametoindex(opts->scope_if)) == 0) return lvsd_throw_errno(env, errno, "if_nametoindex", opts->scope_if);
    struct sockaddr_in6 *b = (struct sockaddr_in6 *)&from;
    b->sin6_family = AF_INET6;
    b->sin6_scope_id = a->sin6_scope_id;
    if (opts != NULL) b->sin6_port = htons((uint16_t)opts->bind_port);
    if (opts != NULL && opts->bind_addr[0] && inet_pton(AF_INET6, opts->bind_addr, &b->sin6_addr) != 1) return lvsd_throw_type(env, "bindAddress must be an IPv6 literal");
  }
  probe_t *p = NULL;
  const char *what = "socket", *detail = addr;
  int e = tcp_probe_start(o, &to, opts != NULL ? &from : NULL, tlen, opts, req, req_len, addr, &p, &what, &detail);
  if (e != 0) return lvsd_throw_errno(env, e, what, detail);
  uint32_t id = p->id;
  napi_create_uint32(env, id, &out);
  return out;
}

static napi_value probe_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return lvsd_throw_type(env, "tcpProbeOpen(family, address, port, request)");
  return open_probe(env, argv, NULL);
}

/* tcpProbeOpenWith(family, address, port, request, mark, bindAddress, bindPort, scopeIf):
 * mark 0 / bindAddress null / bindPort 0 / scopeIf null leave that option unset. */
static napi_value probe_open_with(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  tcp_opts_t opts;
  memset(&opts, 0, sizeof opts);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 8) return lvsd_throw_type(env, "tcpProbeOpenWith(family, address, port, request, mark, bindAddress, bindPort, scopeIf)");
  if (napi_get_value_uint32(env, argv[4], &opts.mark) != napi_ok) return lvsd_throw_type(env, "mark must be a number");
  if (arg_opt_string(env, argv[5], opts.bind_addr, sizeof opts.bind_addr, "bindAddress") || lvsd_arg_int(env, argv[6], &opts.bind_port, "bindPort") ||
      arg_opt_string(env, argv[7], opts.scope_if, sizeof opts.scope_if, "scopeIf"))
    return NULL;
  if (opts.bind_port < 0 || opts.bind_port > 65535) return lvsd_throw_type(env, "bindPort must be 0-65535");
  return open_probe(env, argv, &opts);
}

static napi_value probe_close_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t id;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  probes_t *o = tcp_probes_of(env);
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return lvsd_throw_type(env, "tcpProbeClose(id)");
  if (o != NULL && id < o->nslots && o->slots[id] != NULL) tcp_probe_close(o, o->slots[id]);
  return NULL;
}

void lvsd_tcp_probe_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"tcpProbeInit", NULL, probe_init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpProbeOpen", NULL, probe_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpProbeOpenWith", NULL, probe_open_with, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpProbeClose", NULL, probe_close_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
