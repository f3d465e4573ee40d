/*
 * One-shot timers on the calling thread's libuv loop, for the VRRP worker's deadlines.
 *
 *   timerOpen(cb) -> handle          cb() runs when a started timer expires (napi_make_callback:
 *                                    nextTicks and microtasks run afterwards, as after a setTimeout)
 *   timerStart(handle, delayMs)      (re)arms: replaces any pending deadline, like uv_timer_start
 *   timerStop(handle)                cancels a pending deadline; idempotent
 *   timerClose(handle)               stops and releases the libuv handle; idempotent
 *
 * Why not setTimeout: a deadline that moves on every advert (a backup's master-down timer) costs a
 * clearTimeout + setTimeout, and Node leaves its libuv timer at the earliest expiry it was ever
 * given, so the thread still wakes at each abandoned deadline (~3 times a second at 100 ms adverts)
 * and runs its JS timer lists there. uv_timer_start moves the one libuv timer instead, and an
 * expiry calls the callback without Node's timer-list JS. Same granularity as setTimeout: the
 * delay is truncated to whole milliseconds, at least 1, from the loop's cached time.
 * A timer does not keep the loop alive (uv_unref), as systemTime's unref'd timers.
 */
#include "lvsd_native.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <uv.h>

static const napi_type_tag TIMER_TAG = {0x6c76736474696d65ULL, 0x6f6e6573686f7403ULL};

typedef struct {
  napi_env env;
  uv_timer_t timer;
  napi_ref cb;
  napi_async_context actx;
  napi_async_cleanup_hook_handle hook;
  int inited, closing, closed, finalized;
} tmr_t;

static void maybe_free(tmr_t *t) {
  if (t->closed && t->finalized) free(t);
}

static void on_closed(uv_handle_t *h) {
  tmr_t *t = h->data;
  t->closed = 1;
  if (t->hook != NULL) {
    napi_remove_async_cleanup_hook(t->hook);
    t->hook = NULL;
  }
  maybe_free(t);
}

/* teardown: the environment is going away; no JS may run. */
static void tmr_close(tmr_t *t, int teardown) {
  if (t->closing) return;
  t->closing = 1;
  lvsd_callback_release(t->env, &t->cb, &t->actx, teardown);
  if (t->inited) {
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, on_closed);
  } else {
    on_closed((uv_handle_t *)&t->timer);
  }
}

static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  tmr_close(arg, 1);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  tmr_t *t = data;
  tmr_close(t, 1);
  t->finalized = 1;
  maybe_free(t);
}

static void on_expire(uv_timer_t *h) {
  tmr_t *t = h->data;
  if (t->closing || t->cb == NULL) return;
  napi_handle_scope scope;
  napi_open_handle_scope(t->env, &scope);
  lvsd_callback(t->env, t->actx, t->cb, 0, NULL);
  napi_close_handle_scope(t->env, scope);
}

static tmr_t *get_timer(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    lvsd_throw_type(env, usage);
    return NULL;
  }
  return lvsd_unwrap(env, argv[0], &TIMER_TAG, "not a timer handle (from timerOpen)");
}

static napi_value timer_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, name;
  napi_valuetype type = napi_undefined;
  uv_loop_t *loop = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) return lvsd_throw_type(env, "timerOpen(callback)");
  tmr_t *t = calloc(1, sizeof *t);
  if (t == NULL) return lvsd_throw_errno(env, ENOMEM, "malloc", "timer");
  t->env = env;
  t->timer.data = t;
  if (napi_create_object(env, &obj) != napi_ok || napi_type_tag_object(env, obj, &TIMER_TAG) != napi_ok ||
      napi_wrap(env, obj, t, on_finalize, NULL, NULL) != napi_ok) {
    free(t);
    return lvsd_throw_type(env, "cannot create the timer handle");
  }
  napi_add_async_cleanup_hook(env, on_teardown, t, &t->hook);
  int rc = UV_EINVAL;
  if (napi_get_uv_event_loop(env, &loop) == napi_ok && napi_create_reference(env, argv[0], 1, &t->cb) == napi_ok &&
      napi_create_string_utf8(env, "lvsd:timer", NAPI_AUTO_LENGTH, &name) == napi_ok &&
      napi_async_init(env, NULL, name, &t->actx) == napi_ok)
    rc = uv_timer_init(loop, &t->timer);
  if (rc < 0) {
    tmr_close(t, 0);
    return lvsd_throw_errno(env, -rc, "uv_timer_init", "timer");
  }
  t->inited = 1;
  uv_unref((uv_handle_t *)&t->timer);
  return obj;
}

static napi_value timer_start(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  tmr_t *t = get_timer(env, info, 2, argv, "timerStart(handle, delayMs)");
  if (t == NULL) return NULL;
  double ms = 0;
  if (napi_get_value_double(env, argv[1], &ms) != napi_ok || !(ms >= 0)) return lvsd_throw_type(env, "delayMs must be a number >= 0");
  if (t->closing) return lvsd_throw_errno(env, EBADF, "uv_timer_start", "timer is closed");
  ms = trunc(ms);
  if (ms < 1) ms = 1; /* as setTimeout */
  int rc = uv_timer_start(&t->timer, on_expire, (uint64_t)ms, 0);
  if (rc < 0) return lvsd_throw_errno(env, -rc, "uv_timer_start", "timer");
  return NULL;
}

static napi_value timer_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  tmr_t *t = get_timer(env, info, 1, argv, "timerStop(handle)");
  if (t != NULL && !t->closing) uv_timer_stop(&t->timer);
  return NULL;
}

static napi_value timer_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  tmr_t *t = get_timer(env, info, 1, argv, "timerClose(handle)");
  if (t != NULL) tmr_close(t, 0);
  return NULL;
}

void lvsd_timer_init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"timerOpen", NULL, timer_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"timerStart", NULL, timer_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"timerStop", NULL, timer_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"timerClose", NULL, timer_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
