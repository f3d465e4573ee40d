/**
 * pino logger: one event per line with a stable `event` key and a fixed `msg`
 * (docs/design.md "Logging"). Only the main thread writes; the VRRP worker posts events.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** To `stream` when given (tests read the lines), else to `file`, else to stdout. */
export function createLogger(o: { level: string; file?: string; stream?: DestinationStream }): Logger {
  const dest: DestinationStream = o.stream ?? (o.file
    ? pino.destination({ dest: o.file, append: true, sync: false, mkdir: true })
    : pino.destination({ dest: 1, sync: true }));
  return pino({ level: o.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}
