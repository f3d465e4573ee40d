/*
 * ICMP echo sockets for PING_CHECK (Node has no ICMP sockets). Syscalls only: the echo request
 * is built, and replies are matched, in TypeScript (src/health/checks/ping.ts).
 *
 *   icmpOpen(family, raw, cb[, bindAddress]) -> handle   (bindAddress: the source, bind(2))
 *     family 4: AF_INET/IPPROTO_ICMP, 6: AF_INET6/IPPROTO_ICMPV6.
 *     raw false: an unprivileged ICMP datagram ("ping") socket, SOCK_DGRAM (Linux 3.0+,
 *       icmp(7) / net.ipv4.ping_group_range): the kernel sets the echo identifier (the socket's
 *       local port) and the checksum, and delivers only the echo replies of this socket, ICMP
 *       message only. EACCES when the caller's group is outside ping_group_range.
 *     raw true: SOCK_RAW (CAP_NET_RAW): every ICMP message of the family arrives; IPv4 data
 *       starts with the IP header (raw(7)), IPv6 data is the ICMPv6 message (the kernel
 *       computes ICMPv6 checksums on raw sockets, RFC 3542 §3.1).
 *     cb(err, replies) runs on the opening thread's loop (uv_poll) with [{data, src}].
 *   icmpSend(handle, dst, message)  one sendto(2); throws the errno (EHOSTUNREACH, ...).
 *   icmpClose(handle)  stops the poll and closes the fd; idempotent.
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

#define ICMP_RX_BUF 2048
#define ICMP_MAX_PER_EVENT 256

static const napi_type_tag ICMP_TAG = {0x6c76736469636d70ULL, 0x736f636b65740002ULL};

typedef struct {
  napi_env env;
  int fd, family, closing, poll_inited, poll_closed, finalized;
  uv_poll_t poll;
  napi_ref cb;
  napi_async_context actx;
  napi_async_cleanup_hook_handle hook;
} icmp_t;

static void icmp_maybe_free(icmp_t *s) {
  if (s->poll_closed && s->finalized) free(s);
}

static void icmp_unhook(icmp_t *s) {
  s->poll_closed = 1;
  if (s->hook != NULL) {
    napi_remove_async_cleanup_hook(s->hook);
    s->hook = NULL;
  }
}

static void icmp_poll_closed(uv_handle_t *h) {
  icmp_t *s = h->data;
  icmp_unhook(s);
  icmp_maybe_free(s);
}

static void icmp_close_sock(icmp_t *s, int teardown) {
  if (s->closing) return;
  s->closing = 1;
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  lvsd_callback_release(s->env, &s->cb, &s->actx, teardown);
  if (s->poll_inited) {
    uv_poll_stop(&s->poll);
    s->poll.data = s;
    uv_close((uv_handle_t *)&s->poll, icmp_poll_closed);
  } else {
    icmp_unhook(s); /* no poll to wait for; the finalizer frees */
  }
}

static void icmp_teardown(napi_async_cleanup_hook_handle handle, void *arg) { icmp_close_sock(arg, 1); }

static void icmp_finalize(napi_env env, void *data, void *hint) {
  icmp_t *s = data;
  icmp_close_sock(s, 1);
  s->finalized = 1;
  icmp_maybe_free(s);
}

static void icmp_read_all(napi_env env, icmp_t *s, napi_value *arr, napi_value *err) {
  unsigned char buf[ICMP_RX_BUF];
  napi_create_array(env, arr);
  napi_get_null(env, err);
  for (uint32_t i = 0; i < ICMP_MAX_PER_EVENT && !s->closing; i++) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n;
    do n = recvfrom(s->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) *err = lvsd_errno_value(env, errno, "recvfrom", "icmp socket");
      return;
    }
    char text[INET6_ADDRSTRLEN] = "";
    if (from.ss_family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, text, sizeof text);
    else
      inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, text, sizeof text);
    napi_value o, data;
    napi_create_object(env, &o);
    napi_create_buffer_copy(env, (size_t)n, buf, NULL, &data);
    lvsd_set(env, o, "data", data);
    lvsd_set_str(env, o, "src", text);
    napi_set_element(env, *arr, i, o);
  }
}

static void icmp_readable(uv_poll_t *h, int status, int events) {
  icmp_t *s = h->data;
  if (s->closing || s->cb == NULL) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[2];
  if (status < 0) {
    napi_create_array(env, &argv[1]);
    argv[0] = lvsd_errno_value(env, -status, "uv_poll", "icmp socket");
    uv_poll_stop(&s->poll);
  } else {
    icmp_read_all(env, s, &argv[1], &argv[0]);
  }
  lvsd_callback(env, s->actx, s->cb, 2, argv);
  napi_close_handle_scope(env, scope);
}

static icmp_t *icmp_get(napi_env env, napi_value v) {
  return lvsd_unwrap(env, v, &ICMP_TAG, "not an icmp socket handle");
}

static napi_value icmp_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], obj, name;
  int32_t family;
  int raw;
  char bind_addr[INET6_ADDRSTRLEN + 1] = "";
  napi_valuetype bt = napi_undefined;
  uv_loop_t *loop = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return lvsd_throw_type(env, "icmpOpen(family, raw, callback[, bindAddress])");
  if (lvsd_arg_int(env, argv[0], &family, "family") || lvsd_arg_bool(env, argv[1], &raw, "raw")) return NULL;
  if (family != 4 && family != 6) return lvsd_throw_type(env, "family must be 4 or 6");
  if (argc >= 4) napi_typeof(env, argv[3], &bt);
  if (bt != napi_undefined && bt != napi_null && lvsd_arg_string(env, argv[3], bind_addr, sizeof bind_addr, "bindAddress")) return NULL;
  int af = family == 4 ? AF_INET : AF_INET6;
  struct sockaddr_storage from;
  memset(&from, 0, sizeof from);
  from.ss_family = (sa_family_t)af;
  if (bind_addr[0] && inet_pton(af, bind_addr, af == AF_INET ? (void *)&((struct sockaddr_in *)&from)->sin_addr : (void *)&((struct sockaddr_in6 *)&from)->sin6_addr) != 1)
    return lvsd_throw_type(env, "bindAddress must be an IP literal of the family");
  int fd = socket(af, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
  if (fd < 0) return lvsd_throw_errno(env, errno, "socket", raw ? "raw icmp socket" : "icmp datagram socket");
  /* keepalived's bindto (PING_CHECK binds it in keepalived commit e5978068, after v2.4.3; 2.2.7
   * ignored it): the source address of the echo requests; a raw socket then receives only
   * what is sent to that address. */
  if (bind_addr[0] && bind(fd, (struct sockaddr *)&from, af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0) {
    int e = errno;
    close(fd);
    return lvsd_throw_errno(env, e, "bind", bind_addr);
  }
  icmp_t *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return lvsd_throw_errno(env, ENOMEM, "malloc", "icmp socket");
  }
  s->env = env;
  s->fd = fd;
  s->family = af;
  if (napi_create_object(env, &obj) != napi_ok || napi_type_tag_object(env, obj, &ICMP_TAG) != napi_ok ||
      napi_wrap(env, obj, s, icmp_finalize, NULL, NULL) != napi_ok) {
    close(fd);
    free(s);
    return lvsd_throw_type(env, "cannot create the icmp socket handle");
  }
  napi_add_async_cleanup_hook(env, icmp_teardown, s, &s->hook);
  int rc = UV_EINVAL;
  if (napi_get_uv_event_loop(env, &loop) == napi_ok && napi_create_reference(env, argv[2], 1, &s->cb) == napi_ok &&
      napi_create_string_utf8(env, "lvsd:icmp-socket", NAPI_AUTO_LENGTH, &name) == napi_ok &&
      napi_async_init(env, NULL, name, &s->actx) == napi_ok)
    rc = uv_poll_init(loop, &s->poll, s->fd);
  if (rc == 0) {
    s->poll_inited = 1;
    s->poll.data = s;
    rc = uv_poll_start(&s->poll, UV_READABLE, icmp_readable);
  }
  if (rc < 0) {
    icmp_close_sock(s, 0);
    return lvsd_throw_errno(env, -rc, "uv_poll_start", "icmp socket");
  }
  return obj;
}

static napi_value icmp_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char dst[INET6_ADDRSTRLEN + 1];
  void *data = NULL;
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return lvsd_throw_type(env, "icmpSend(handle, dst, message)");
  icmp_t *s = icmp_get(env, argv[0]);
  if (s == NULL || lvsd_arg_string(env, argv[1], dst, sizeof dst, "dst") || lvsd_arg_buffer(env, argv[2], &data, &len, "message"))
    return NULL;
  if (s->closing) return lvsd_throw_errno(env, EBADF, "sendto", "icmp socket is closed");
  struct sockaddr_storage to;
  socklen_t tlen;
  memset(&to, 0, sizeof to);
  if (s->family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    tlen = sizeof *a;
    if (inet_pton(AF_INET, dst, &a->sin_addr) != 1) return lvsd_throw_type(env, "dst must be an IPv4 address");
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    tlen = sizeof *a;
    if (inet_pton(AF_INET6, dst, &a->sin6_addr) != 1) return lvsd_throw_type(env, "dst must be an IPv6 address");
  }
  ssize_t n;
  do n = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, tlen);
  while (n < 0 && errno == EINTR);
  if (n < 0) return lvsd_throw_errno(env, errno, "sendto", dst);
  return NULL;
}

static napi_value icmp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return lvsd_throw_type(env, "icmpClose(handle)");
  icmp_t *s = icmp_get(env, argv[0]);
  if (s != NULL) icmp_close_sock(s, 0);
  return NULL;
}

void lvsd_icmp_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"icmpOpen", NULL, icmp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"icmpSend", NULL, icmp_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"icmpClose", NULL, icmp_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
