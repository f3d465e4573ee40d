/**
 * Streams `ip -n NS monitor address` and timestamps, in this process, every line that adds
 * or deletes a given address: the failover bench measures "VIP appeared on the backup"
 * from these events instead of polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface AddrEvent {
  /** performance.now() when the line reached us. */
  readonly atMs: number;
  readonly kind: 'add' | 'del';
  readonly line: string;
}

export interface VipWatch {
  readonly events: AddrEvent[];
  /** Resolves with the first 'add' event at or after `sinceMs`; rejects after `timeoutMs`. */
  addedAfter(sinceMs: number, timeoutMs: number): Promise<AddrEvent>;
  stop(): void;
}

/** True when `line` (ip monitor address output) is about `addr` exactly (not a prefix of another address). */
export function lineMentions(line: string, addr: string): boolean {
  const re = new RegExp(`\\binet6? ${addr.replace(/[.:]/g, (c) => `\\${c}`)}/`);
  return re.test(line);
}

export function watchVip(ns: string, addr: string): VipWatch {
  const child: ChildProcess = spawn('ip', ['-n', ns, 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const events: AddrEvent[] = [];
  const waiters = new Set<{ since: number; resolve: (e: AddrEvent) => void }>();
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const atMs = performance.now();
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!lineMentions(line, addr)) continue;
      const e: AddrEvent = { atMs, kind: line.startsWith('Deleted') ? 'del' : 'add', line };
      events.push(e);
      for (const w of [...waiters]) {
        if (e.kind === 'add' && e.atMs >= w.since) {
          waiters.delete(w);
          w.resolve(e);
        }
      }
    }
  });
  const addedAfter = (sinceMs: number, timeoutMs: number): Promise<AddrEvent> => {
    const seen = events.find((e) => e.kind === 'add' && e.atMs >= sinceMs);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { since: sinceMs, resolve: (e: AddrEvent): void => { clearTimeout(timer); resolve(e); } };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`${addr} did not appear in ${ns} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(w);
    });
  };
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { events, addedAfter, stop };
}
