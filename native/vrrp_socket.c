/*
 * Raw IP sockets for VRRP (IP protocol / next header 112), one per (family, interface).
 * Socket recipe after keepalived's open_vrrp_send_socket/open_vrrp_read_socket (vrrp.c) and
 * ip(7)/ipv6(7)/raw(7). Only syscalls here: the VRRP codec, TTL rule and checksums are TypeScript.
 *
 *   vrrpOpen({family, ifname, protocol, group, ttl, tos}, cb) -> handle
 *     group: '' (no join) or the multicast group to join on ifname (224.0.0.18 / ff02::12).
 *     ttl: IP_TTL + IP_MULTICAST_TTL (IPv6: unicast + multicast hop limit), 255 for VRRP.
 *     tos: IPv4 IP_TOS, or -1 to leave the default. IPv6: IPV6_CHECKSUM is NOT set, so the
 *     kernel neither fills nor verifies the checksum: TypeScript does both (bad ones get counted).
 *     cb(err, packets) is called from the uv_poll readable callback of the creating thread's loop.
 *   vrrpSend(handle, payload, dst, src)  src '' lets the kernel choose; else IP_PKTINFO/IPV6_PKTINFO.
 *   vrrpDrain(handle) -> {packets, error}  synchronous read of everything queued right now.
 *   vrrpClose(handle)  stops the poll, closes the fd; idempotent.
 *   nlOpen, nlSend, nlClose: a netlink socket on the same handles and poll (netlink_socket.c).
 *
 *
 * Packet: {data, src, dst, ifindex, ttl, atUs, truncated}, read in vrrp_recv.c (which says where
 * each field comes from).
 */
#include "vrrp_socket.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* Two kinds of handle, two type tags (napi_type_tag_object): a netlink handle passed to a VRRP
 * function (or the reverse) is refused with a TypeError instead of being used as the other kind. */
static const napi_type_tag VRRP_TAG = {0x6c76736476727270ULL, 0x736f636b65740001ULL};
static const napi_type_tag NETLINK_TAG = {0x6c7673646e6c6e6bULL, 0x736f636b65740002ULL};

#define MAX_PER_EVENT 256 /* the poll is level-triggered: more arrive on the next loop turn */
#define MAX_PER_DRAIN 4096

static void maybe_free(sock_t *s) {
  if (s->poll_closed && s->finalized) {
    free(s->buf);
    free(s);
  }
}

static void on_poll_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  s->poll_closed = 1;
  if (s->hook != NULL) {
    napi_remove_async_cleanup_hook(s->hook);
    s->hook = NULL;
  }
  maybe_free(s);
}

/* teardown: the worker or main environment is going away; no JS may run. */
void vrrp_sock_close(sock_t *s, int teardown) {
  if (s->closing) return;
  s->closing = 1;
  close(s->fd);
  s->fd = -1;
  lvsd_callback_release(s->env, &s->cb, &s->actx, teardown);
  if (s->poll_inited) {
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  } else {
    on_poll_closed((uv_handle_t *)&s->poll);
  }
}

static void on_env_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  sock_t *s = arg;
  vrrp_sock_close(s, 1); /* on_poll_closed removes the hook, which lets Node finish closing the loop */
}

static void on_finalize(napi_env env, void *data, void *hint) {
  sock_t *s = data;
  vrrp_sock_close(s, 1);
  s->finalized = 1;
  maybe_free(s);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  if (s->closing || s->cb == NULL) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[2];
  if (status < 0) {
    napi_create_array(env, &argv[1]);
    argv[0] = lvsd_errno_value(env, -status, "uv_poll", s->netlink ? "netlink socket" : "vrrp raw socket");
    uv_poll_stop(&s->poll); /* a poll error is permanent for this fd */
  } else {
    vrrp_read_all(env, s, MAX_PER_EVENT, &argv[1], &argv[0]);
  }
  lvsd_callback(env, s->actx, s->cb, 2, argv);
  napi_close_handle_scope(env, scope);
}

static int start_poll(napi_env env, sock_t *s, napi_value cb) {
  uv_loop_t *loop = NULL;
  napi_value name;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || napi_create_reference(env, cb, 1, &s->cb) != napi_ok ||
      napi_create_string_utf8(env, "lvsd:vrrp-socket", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &s->actx) != napi_ok)
    return UV_EINVAL;
  int rc = uv_poll_init(loop, &s->poll, s->fd);
  if (rc == 0) {
    s->poll_inited = 1;
    s->poll.data = s;
    rc = uv_poll_start(&s->poll, UV_READABLE, on_readable);
  }
  return rc;
}

napi_value vrrp_sock_wrap_and_poll(napi_env env, sock_t *s, napi_value cb, const char *what) {
  napi_value ext;
  const napi_type_tag *tag = s->netlink ? &NETLINK_TAG : &VRRP_TAG;
  /* A plain object wrapping the socket (externals cannot carry a type tag on Node 20). */
  if (napi_create_object(env, &ext) != napi_ok || napi_type_tag_object(env, ext, tag) != napi_ok ||
      napi_wrap(env, ext, s, on_finalize, NULL, NULL) != napi_ok) {
    close(s->fd);
    free(s->buf);
    free(s);
    return lvsd_throw_type(env, "cannot create the socket handle");
  }
  napi_add_async_cleanup_hook(env, on_env_teardown, s, &s->hook);
  int rc = start_poll(env, s, cb);
  if (rc < 0) {
    vrrp_sock_close(s, 0);
    return lvsd_throw_errno(env, -rc, "uv_poll_start", what);
  }
  return ext;
}

sock_t *vrrp_sock_alloc(napi_env env, const char *what) {
  sock_t *s = calloc(1, sizeof *s);
  unsigned char *buf = malloc(RX_BUF);
  if (s == NULL || buf == NULL) {
    free(s);
    free(buf);
    lvsd_throw_errno(env, ENOMEM, "malloc", what);
    return NULL;
  }
  s->env = env;
  s->buf = buf;
  return s;
}

static napi_value vrrp_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  open_opts_t p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return lvsd_throw_type(env, "vrrpOpen(options, callback)");
  if (vrrp_read_open_opts(env, argv[0], &p)) return NULL;
  sock_t *s = vrrp_sock_alloc(env, "vrrp socket");
  if (s == NULL) return NULL;
  s->family = p.family == 4 ? AF_INET : AF_INET6;
  if (vrrp_open_fd(env, s, &p)) {
    free(s->buf);
    free(s);
    return NULL;
  }
  return vrrp_sock_wrap_and_poll(env, s, argv[1], p.ifname);
}

sock_t *vrrp_get_sock(napi_env env, napi_value v) {
  return lvsd_unwrap(env, v, &VRRP_TAG, "not a vrrp socket handle (from vrrpOpen)");
}

sock_t *vrrp_get_nl_sock(napi_env env, napi_value v) {
  return lvsd_unwrap(env, v, &NETLINK_TAG, "not a netlink socket handle (from nlOpen)");
}

static napi_value vrrp_drain(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, arr, err;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc < 1 ? NULL : vrrp_get_sock(env, argv[0]);
  if (s == NULL) return argc < 1 ? lvsd_throw_type(env, "vrrpDrain(handle)") : NULL;
  if (s->closing) return lvsd_throw_errno(env, EBADF, "recvmsg", "vrrp socket is closed");
  vrrp_read_all(env, s, MAX_PER_DRAIN, &arr, &err);
  napi_create_object(env, &out);
  lvsd_set(env, out, "packets", arr);
  lvsd_set(env, out, "error", err);
  return out;
}

static napi_value vrrp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc < 1 ? NULL : vrrp_get_sock(env, argv[0]);
  if (s == NULL) return argc < 1 ? lvsd_throw_type(env, "vrrpClose(handle)") : NULL;
  vrrp_sock_close(s, 0);
  return NULL;
}

void lvsd_vrrp_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"vrrpOpen", NULL, vrrp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vrrpSend", NULL, vrrp_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vrrpDrain", NULL, vrrp_drain, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vrrpClose", NULL, vrrp_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"nlOpen", NULL, nl_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"nlSend", NULL, nl_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"nlClose", NULL, nl_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
