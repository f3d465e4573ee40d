/**
 * Where a running lvsd logs (pure). In the foreground (-n, systemd): stdout. Detached (the
 * `start` verb): --log-file; when that is left at its default and the config is an
 * ldirectord.cf (or a heartbeat directory naming one), ldirectord's `logfile` applies as
 * ldirectord 4.12 reads it (ld_openlog/ld_log): a value starting with "/" is a file (default
 * /var/log/ldirectord.log), anything else a syslog facility, served through logger(1) with the
 * tag "lvsd". The lines stay lvsd's JSON lines, not ldirectord's "[date|config|pid] text".
 * An unknown facility is refused with a warning and the default file is used (ldirectord's
 * Sys::Syslog would fail on it).
 */
import type { Config } from '../../model/index.js';

export type LogTarget =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'syslog'; readonly facility: string };

/** syslog(3) facility names (Sys::Syslog accepts these). */
export const FACILITIES: ReadonlySet<string> = new Set([
  'auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'syslog', 'user', 'uucp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
]);

export function logTarget(o: { detached: boolean; logFile: string; defaultLogFile: string; config: Config }): { target: LogTarget; warning?: string } {
  if (!o.detached) return { target: { kind: 'stdout' } };
  const ld = o.config.ldirectord?.log;
  if (ld === undefined || o.logFile !== o.defaultLogFile) return { target: { kind: 'file', path: o.logFile } };
  if (ld.kind === 'file') return { target: ld };
  if (FACILITIES.has(ld.facility)) return { target: ld };
  return {
    target: { kind: 'file', path: o.logFile },
    warning: `logfile="${ld.facility}" is neither a path nor a syslog facility (${[...FACILITIES].join(', ')}): logging to ${o.logFile}`,
  };
}
