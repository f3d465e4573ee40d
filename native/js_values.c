/*
 * C values to JS values and back, for every source of the addon (declared in lvsd_native.h):
 * system errors as Node-shaped Error objects (code, errno, syscall, detail), TypeErrors for a
 * caller's bad arguments, argument readers, and object properties.
 */
#include "lvsd_native.h"

#include <stdio.h>
#include <uv.h>

/* ---------- errors ---------- */

napi_value lvsd_errno_value(napi_env env, int err, const char *syscall, const char *detail) {
  /* libuv error names equal the errno names. errno is positive, as everywhere in lvsd
   * (src/errors.ts), unlike Node's own system errors (-errno). */
  const char *code = uv_err_name(-err);
  char msg[512];
  if (detail != NULL && detail[0] != '\0')
    snprintf(msg, sizeof msg, "%s %s: %s (%s)", syscall, code, uv_strerror(-err), detail);
  else
    snprintf(msg, sizeof msg, "%s %s: %s", syscall, code, uv_strerror(-err));
  napi_value jcode, jmsg, error, v;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &jcode);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg);
  napi_create_error(env, jcode, jmsg, &error);
  napi_create_int32(env, err, &v);
  napi_set_named_property(env, error, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "syscall", v);
  napi_create_string_utf8(env, detail != NULL ? detail : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "detail", v);
  return error;
}

napi_value lvsd_throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  napi_throw(env, lvsd_errno_value(env, err, syscall, detail));
  return NULL;
}

napi_value lvsd_throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* ---------- argument and object helpers ---------- */

int lvsd_arg_string(napi_env env, napi_value v, char *out, size_t cap, const char *what) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, cap, &len) != napi_ok || len + 1 >= cap) {
    char m[160];
    snprintf(m, sizeof m, "%s must be a string shorter than %zu bytes", what, cap - 1);
    lvsd_throw_type(env, m);
    return -1;
  }
  return 0;
}

int lvsd_arg_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    char m[160];
    snprintf(m, sizeof m, "%s must be a number", what);
    lvsd_throw_type(env, m);
    return -1;
  }
  return 0;
}

int lvsd_arg_bool(napi_env env, napi_value v, int *out, const char *what) {
  bool b = false;
  if (napi_get_value_bool(env, v, &b) != napi_ok) {
    char m[160];
    snprintf(m, sizeof m, "%s must be a boolean", what);
    lvsd_throw_type(env, m);
    return -1;
  }
  *out = b ? 1 : 0;
  return 0;
}

int lvsd_arg_buffer(napi_env env, napi_value v, void **data, size_t *len, const char *what) {
  bool is = false;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is || napi_get_buffer_info(env, v, data, len) != napi_ok) {
    char m[160];
    snprintf(m, sizeof m, "%s must be a Buffer", what);
    lvsd_throw_type(env, m);
    return -1;
  }
  return 0;
}

int lvsd_prop(napi_env env, napi_value obj, const char *name, napi_value *out) {
  if (napi_get_named_property(env, obj, name, out) != napi_ok) {
    char m[160];
    snprintf(m, sizeof m, "options.%s is required", name);
    lvsd_throw_type(env, m);
    return -1;
  }
  return 0;
}

void lvsd_set(napi_env env, napi_value obj, const char *name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

void lvsd_set_int(napi_env env, napi_value obj, const char *name, int64_t v) {
  napi_value n;
  napi_create_int64(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

void lvsd_set_str(napi_env env, napi_value obj, const char *name, const char *s) {
  napi_value n;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &n);
  napi_set_named_property(env, obj, name, n);
}

void lvsd_callback(napi_env env, napi_async_context actx, napi_ref cb, size_t argc, napi_value *argv) {
  napi_value fn, recv, result;
  napi_get_reference_value(env, cb, &fn);
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  napi_make_callback(env, actx, recv, fn, argc, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
}

void lvsd_callback_release(napi_env env, napi_ref *cb, napi_async_context *actx, int teardown) {
  if (*cb != NULL) napi_delete_reference(env, *cb);
  *cb = NULL;
  if (*actx != NULL && !teardown) napi_async_destroy(env, *actx);
  *actx = NULL;
}

void *lvsd_unwrap(napi_env env, napi_value v, const napi_type_tag *tag, const char *refusal) {
  bool ok = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, v, tag, &ok) != napi_ok || !ok || napi_unwrap(env, v, &data) != napi_ok) {
    lvsd_throw_type(env, refusal);
    return NULL;
  }
  return data;
}
