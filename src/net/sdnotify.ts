/**
 * systemd notification protocol (sd_notify(3)): one datagram of "KEY=VALUE\n" lines to the
 * AF_UNIX socket in $NOTIFY_SOCKET ('@' = abstract namespace). Node cannot send unix datagrams, so
 * the send goes through the addon (native unixDgramSend). The watchdog interval comes from
 * WATCHDOG_USEC, honoured only when WATCHDOG_PID is unset or ours (sd_watchdog_enabled(3)).
 * The daemon (daemon/) decides when to send READY=1, RELOADING=1, STOPPING=1, WATCHDOG=1, STATUS=.
 */
import { KernelError, type Result } from '../errors.js';
import { constants } from 'node:os';
import { loadNative, toKernelError } from '../native/index.js';

export type NotifyEnv = Readonly<Record<string, string | undefined>>;

/** "KEY=VALUE" lines; values must not contain newlines (they would start a new assignment). */
export function formatNotify(fields: Readonly<Record<string, string | number>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}\n`)
    .join('');
}

/**
 * Sends `fields` to $NOTIFY_SOCKET. ok(false) when not started by systemd (no NOTIFY_SOCKET),
 * ok(true) when sent, error(KernelError) when the send failed. Never throws for I/O failures.
 */
export function sdNotify(fields: Readonly<Record<string, string | number>>, env: NotifyEnv): Result<boolean, KernelError> {
  const path = env['NOTIFY_SOCKET'];
  if (path === undefined || path === '') return { ok: true, value: false };
  if (!path.startsWith('/') && !path.startsWith('@')) {
    return { ok: false, error: new KernelError({
      op: 'sd_notify', target: path, errno: constants.errno.EINVAL, code: 'EINVAL', syscall: 'sendto',
      meaning: 'NOTIFY_SOCKET must be an absolute path or start with @' }) };
  }
  try {
    loadNative().unixDgramSend(path, Buffer.from(formatNotify(fields)));
    return { ok: true, value: true };
  } catch (e) {
    const k = toKernelError(e, 'sd_notify', path);
    if (!(k instanceof KernelError)) throw k;
    return { ok: false, error: k };
  }
}

/** Watchdog interval in microseconds, or undefined when systemd's watchdog is not enabled for `pid`. */
export function watchdogUs(env: NotifyEnv, pid: number): number | undefined {
  const usec = env['WATCHDOG_USEC'];
  if (usec === undefined || !/^\d+$/.test(usec) || Number(usec) === 0) return undefined;
  const wpid = env['WATCHDOG_PID'];
  if (wpid !== undefined && wpid !== '' && Number(wpid) !== pid) return undefined;
  return Number(usec);
}
