/**
 * pino logger: one event per line with a stable `event` key and a fixed `msg`
 * (docs/design.md "Logging"). Only the main thread writes; the VRRP worker posts events.
 */
import { spawn } from 'node:child_process';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * To `stream` when given (tests read the lines), else to syslog `facility` (ldirectord's
 * logfile="local0": each line through logger(1), tag lvsd, priority info), else to `file`,
 * else to stdout.
 */
export function createLogger(o: { level: string; file?: string; syslog?: string; stream?: DestinationStream }): Logger {
  const dest: DestinationStream = o.stream ?? (o.syslog !== undefined ? syslogStream(o.syslog) : o.file
    ? pino.destination({ dest: o.file, append: true, sync: false, mkdir: true })
    : pino.destination({ dest: 1, sync: true }));
  return pino({ level: o.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** logger(1) reading lines on its stdin, without a shell; it ends when lvsd does. */
function syslogStream(facility: string): DestinationStream {
  const child = spawn('logger', [`--id=${process.pid}`, '-t', 'lvsd', '-p', `${facility}.info`], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  child.on('error', (err) => process.stderr.write(`lvsd: logger(1) for syslog facility ${facility} failed: ${err.message}\n`));
  return child.stdin;
}
