/**
 * ldirectord's monitorfile: one line per check result of every real server of a virtual
 * service that names one, appended (ldirectord 4.12 service_set with do_log):
 *
 *   [Wed Nov 25 13:56:52 2026] [PID] NAME [up|down] MESSAGE
 *
 * TIME is Perl's scalar localtime, PID the daemon's, NAME the real server's identity as
 * ldirectord prints it (src/config/ldirectord/monitor-id.ts, computed by the front-end),
 * MESSAGE the check's text with `%`, `|`, CR and LF written as %XX (lower-case hex), "-" when
 * there is none. A real server in maintenance logs `[down] Server in maintenance` instead of
 * its check's result. lvsd's MESSAGE is its own check detail (`HTTP 200`, `connection
 * reset`...), not LWP's status line.
 *
 * ldirectord opens and closes the file for every line (logrotate needs no signal); lvsd opens it
 * for every append too, with one append in flight per file: the lines that come meanwhile go
 * together in the next. A write error is logged once per file until a write succeeds again (ldirectord dies).
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Perl's scalar localtime: `Thu Sep  9 03:46:40 1999` (day of month padded with a space). */
export function perlLocaltime(d: Date): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** One monitorfile line, with its newline. */
export function monitorLine(o: { readonly at: Date; readonly pid: number; readonly name: string; readonly up: boolean; readonly message?: string }): string {
  const message = o.message === undefined || o.message === '' ? '-' : o.message.replace(/[%|\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `[${perlLocaltime(o.at)}] [${o.pid}] ${o.name} [${o.up ? 'up' : 'down'}] ${message}\n`;
}

export interface MonitorSink {
  /** Appends `text` to `path`, creating the file. */
  append(path: string, text: string): Promise<void>;
  /** A failed append (logged by the caller, once per file until one succeeds). */
  failed(path: string, err: unknown): void;
}

/** Lines per file, appended in order: what arrives while an append is in flight goes in the next one. */
export class MonitorFiles {
  private readonly pending = new Map<string, string[]>();
  /** The flush in flight, by file. */
  private readonly writing = new Map<string, Promise<void>>();
  private readonly broken = new Set<string>();

  constructor(private readonly sink: MonitorSink) {}

  write(path: string, line: string): void {
    const list = this.pending.get(path);
    if (list !== undefined) list.push(line);
    else this.pending.set(path, [line]);
    if (!this.writing.has(path)) this.writing.set(path, this.flush(path));
  }

  /** Resolves when nothing is waiting to be written (tests, stop). */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private async flush(path: string): Promise<void> {
    for (let lines = this.pending.get(path); lines !== undefined && lines.length > 0; lines = this.pending.get(path)) {
      this.pending.delete(path);
      try {
        await this.sink.append(path, lines.join(''));
        this.broken.delete(path);
      } catch (err) {
        if (!this.broken.has(path)) this.sink.failed(path, err);
        this.broken.add(path);
      }
    }
    this.writing.delete(path);
  }
}
