/*
 * lvsd_native: syscalls only (docs/design.md "The C addon": no protocol logic in the addon).
 * What every source shares: errors and argument readers (js_values.c), and the registration of
 * each source's exports on the module (lvsd_native.c).
 */
#ifndef LVSD_NATIVE_H
#define LVSD_NATIVE_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Throw an Error shaped like a Node system error: code 'EPERM', errno 1 (POSITIVE, as everywhere in
 * lvsd, src/errors.ts; Node's own system errors carry -1), syscall 'socket', detail (what the call was
 * about, '' when nothing), message "socket EPERM: operation not permitted (detail)". */
napi_value lvsd_throw_errno(napi_env env, int err, const char *syscall, const char *detail);
/* The same error as a value (for callbacks and drain results). */
napi_value lvsd_errno_value(napi_env env, int err, const char *syscall, const char *detail);
/* Throw a TypeError for bad arguments (a caller bug, not a system failure). */
napi_value lvsd_throw_type(napi_env env, const char *msg);

/* Calls the JS function behind `cb` from a libuv callback (napi_make_callback: nextTicks and
 * microtasks run afterwards, as for any libuv-driven callback). The TS wrappers never throw; if
 * one did, the exception is reported as uncaught (napi_fatal_exception). */
void lvsd_callback(napi_env env, napi_async_context actx, napi_ref cb, size_t argc, napi_value *argv);

/* Drops what lvsd_callback needs (the function reference, the async context); both are set to
 * NULL. At `teardown` (the environment is going away) the async context is not destroyed: no JS
 * may run then. */
void lvsd_callback_release(napi_env env, napi_ref *cb, napi_async_context *actx, int teardown);

/* The native data of a handle object made with napi_type_tag_object(tag) + napi_wrap, or NULL
 * after throwing a TypeError `refusal` (another kind of handle, a plain object). */
void *lvsd_unwrap(napi_env env, napi_value v, const napi_type_tag *tag, const char *refusal);

/* Argument helpers: return 0 on success, -1 after throwing a TypeError. */
int lvsd_arg_string(napi_env env, napi_value v, char *out, size_t cap, const char *what);
int lvsd_arg_int(napi_env env, napi_value v, int32_t *out, const char *what);
int lvsd_arg_bool(napi_env env, napi_value v, int *out, const char *what);
int lvsd_arg_buffer(napi_env env, napi_value v, void **data, size_t *len, const char *what);
int lvsd_prop(napi_env env, napi_value obj, const char *name, napi_value *out);

void lvsd_set(napi_env env, napi_value obj, const char *name, napi_value v);
void lvsd_set_int(napi_env env, napi_value obj, const char *name, int64_t v);
void lvsd_set_str(napi_env env, napi_value obj, const char *name, const char *s);

/* Registers vrrpOpen / vrrpSend / vrrpDrain / vrrpClose / nlOpen / nlSend / nlClose on exports. */
void lvsd_vrrp_init(napi_env env, napi_value exports);
/* Registers icmpOpen / icmpSend / icmpClose (icmp.c, PING_CHECK). */
void lvsd_icmp_init(napi_env env, napi_value exports);
/* Registers tcpProbeInit / tcpProbeOpen / tcpProbeClose (tcp_probe.c, TCP_CHECK and HTTP_GET). */
void lvsd_tcp_probe_init(napi_env env, napi_value exports);
/* Registers tcpRepeatInit / tcpRepeatStart / tcpRepeatStats / tcpRepeatStop (tcp_repeat.c, the steady lane). */
void lvsd_tcp_repeat_init(napi_env env, napi_value exports);

/* Registers timerOpen / timerStart / timerStop / timerClose (timer.c, the VRRP worker's deadlines). */
void lvsd_timer_init(napi_env env, napi_value exports);

#endif
