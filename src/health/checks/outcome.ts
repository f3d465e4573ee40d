/**
 * The once-only end of one attempt, shared by every checker: the first `pass`/`fail` settles the
 * result, every registered resource is released exactly once (on settle and on cancel), and a
 * cancelled attempt never settles. Also the one table from socket errors to FailReason, so
 * "connection refused" reads the same for every checker type.
 */
import type { Attempt, AttemptResult, FailReason } from '../checker.js';

export class Outcome {
  readonly result: Promise<AttemptResult>;
  private settle: (r: AttemptResult) => void = () => undefined;
  private finished = false;
  private readonly releases: Array<() => void> = [];

  constructor() {
    this.result = new Promise<AttemptResult>((resolve) => {
      this.settle = resolve;
    });
  }

  get done(): boolean {
    return this.finished;
  }

  /** Runs `fn` when the attempt ends (settled or cancelled); at once if it already has. */
  release(fn: () => void): void {
    if (this.finished) fn();
    else this.releases.push(fn);
  }

  pass(detail?: string, weight?: number): void {
    this.end({ ok: true, latencyMs: 0, ...(detail !== undefined ? { detail } : {}), ...(weight !== undefined ? { weight } : {}) });
  }

  fail(reason: FailReason, detail: string, errno?: string): void {
    this.end({ ok: false, latencyMs: 0, reason, detail, ...(errno !== undefined ? { errno } : {}) });
  }

  /** A socket error as a failure (see `describeError`). */
  failWith(err: unknown, during: string): void {
    const d = describeError(err);
    this.fail(d.reason, `${d.detail}${during ? ` (${during})` : ''}`, d.errno);
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.runReleases();
  }

  /** The Attempt handed to the engine; `expire` for checks where silence is an answer. */
  attempt(expire?: (latencyMs: number) => AttemptResult): Attempt {
    return { result: this.result, cancel: () => this.cancel(), ...(expire ? { expire } : {}) };
  }

  private end(r: AttemptResult): void {
    if (this.finished) return;
    this.finished = true;
    this.runReleases();
    this.settle(r);
  }

  private runReleases(): void {
    for (const fn of this.releases.splice(0)) fn();
  }
}

const ERRNO: Readonly<Record<string, { reason: FailReason; text: string }>> = {
  ECONNREFUSED: { reason: 'refused', text: 'connection refused' },
  ECONNRESET: { reason: 'reset', text: 'connection reset' },
  EPIPE: { reason: 'reset', text: 'connection reset (broken pipe)' },
  ECONNABORTED: { reason: 'reset', text: 'connection aborted' },
  EHOSTUNREACH: { reason: 'unreachable', text: 'host unreachable' },
  ENETUNREACH: { reason: 'unreachable', text: 'network unreachable' },
  EHOSTDOWN: { reason: 'unreachable', text: 'host down' },
  ETIMEDOUT: { reason: 'timeout', text: 'timed out' },
  EADDRNOTAVAIL: { reason: 'error', text: 'bind address not available' },
  EADDRINUSE: { reason: 'error', text: 'bind address in use' },
  EMFILE: { reason: 'error', text: 'too many open files' },
};

export interface ErrorDescription {
  readonly reason: FailReason;
  readonly detail: string;
  readonly errno?: string;
}

/** Node socket/TLS errors → FailReason + operator text; TLS failures count as `protocol`. */
export function describeError(err: unknown): ErrorDescription {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const known = code !== undefined ? ERRNO[code] : undefined;
  if (known !== undefined && code !== undefined) return { reason: known.reason, detail: known.text, errno: code };
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')) {
    return { reason: 'protocol', detail: `TLS: ${message}`, errno: code };
  }
  return { reason: 'error', detail: message, ...(code !== undefined ? { errno: code } : {}) };
}

/** Printable, bounded excerpt of bytes a server sent ("garbage" in logs stays one short line). */
export function excerpt(data: Buffer | string, max = 40): string {
  const s = typeof data === 'string' ? data : data.toString('latin1');
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(cut);
}
