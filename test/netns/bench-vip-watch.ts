/**
 * Streams `ip -n NS -ts monitor address` and keeps every line that adds or deletes a given
 * address, timed by ip's own receive stamp (µs, wall clock, moved to the performance.now()
 * scale like the tcpdump stamps of bench-advert-watch.ts): the failover bench measures "VIP
 * appeared on the backup" from these events instead of polling, and the stamp keeps this
 * process's own event loop (busy reading the daemons' logs at that very moment) out of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { eachLine } from './topology.js';
import { wallToPerfMs } from './wall-clock.js';

export interface AddrEvent {
  /** When `ip monitor` received the kernel's notification, on the performance.now() scale. */
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

/** Splits `[2026-11-25T17:40:14.976251] rest` (ip -ts: local time, µs); lines without a stamp keep `readAtMs`. */
export function stamped(raw: string, readAtMs: number): { atMs: number; line: string } {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] (.*)$/.exec(raw);
  if (!m) return { atMs: readAtMs, line: raw };
  const wallMs = new Date(m[1]!).getTime() + Number(m[2]) / 1000; // no zone in the text: local time, as ip prints it
  return { atMs: wallToPerfMs(wallMs), line: m[3]! };
}

export function watchVip(ns: string, addr: string): VipWatch {
  const child: ChildProcess = spawn('ip', ['-n', ns, '-ts', 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const events: AddrEvent[] = [];
  const waiters = new Set<{ since: number; resolve: (e: AddrEvent) => void }>();
  eachLine(child.stdout!, (raw) => {
    const { atMs, line } = stamped(raw, performance.now());
    if (!lineMentions(line, addr)) return;
    const e: AddrEvent = { atMs, kind: line.startsWith('Deleted') ? 'del' : 'add', line };
    events.push(e);
    for (const w of [...waiters]) {
      if (e.kind === 'add' && e.atMs >= w.since) {
        waiters.delete(w);
        w.resolve(e);
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
