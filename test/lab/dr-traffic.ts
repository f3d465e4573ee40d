/**
 * The client side of the direct-routing lab tests, bench/dr-failover and the demo's summary:
 * runs test/fixtures/dr-client.js in the client namespace, collects its events and sums up a
 * time window (summarize: pure). Times are CLOCK_MONOTONIC ms (monoMs), the client's scale.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { ClientEvent, ClientSpec } from '../fixtures/dr-client.js';
import { eachLine } from '../netns/topology.js';
import { REPO } from '../netns/lvsd-harness.js';

export type { ClientEvent, ClientSpec };

/** CLOCK_MONOTONIC in ms, as the client stamps its events. */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface HeldSummary {
  readonly id: number;
  readonly port: number;
  /** The client's port of this connection (to find it in `ipvsadm -L -n -c`). */
  readonly local: number;
  /** Answers received in the window. */
  readonly answers: number;
  /** When the last answer of the window came (undefined: none). */
  readonly lastAnswer: number | undefined;
  readonly lost: { readonly t: number; readonly err: string } | undefined;
}

export interface TrafficSummary {
  /** Requests started in the window, and how they ended. */
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  /** err → count, for the failed ones. */
  readonly failures: Readonly<Record<string, number>>;
  /**
   * The longest time without a successful answer, over the window's edges and the completion
   * times of the successful requests (a window with none: its whole length).
   */
  readonly maxGapMs: number;
  readonly gapFrom: number;
  /** port → real server → answers (successful requests started in the window). */
  readonly servers: Readonly<Record<number, Readonly<Record<string, number>>>>;
  readonly held: readonly HeldSummary[];
}

const bump = (r: Record<string, number>, k: string): void => { r[k] = (r[k] ?? 0) + 1; };

function heldSummaries(events: readonly ClientEvent[], from: number, to: number): HeldSummary[] {
  const out = new Map<number, { id: number; port: number; local: number; answers: number; lastAnswer: number | undefined; lost: HeldSummary['lost'] }>();
  for (const e of events) {
    if (e.ev === 'held-up') out.set(e.id, { id: e.id, port: e.port, local: e.local, answers: 0, lastAnswer: undefined, lost: undefined });
    const h = 'id' in e ? out.get(e.id) : undefined;
    if (!h) continue;
    if (e.ev === 'held' && e.t1 >= from && e.t1 <= to) {
      h.answers++;
      h.lastAnswer = e.t1;
    }
    if (e.ev === 'held-lost' && e.t <= to) h.lost = { t: e.t, err: e.err };
  }
  return [...out.values()];
}

/** When the client wrote the event: it appends in this order, so the stamps never decrease. */
const stamp = (e: ClientEvent): number => (e.ev === 'req' || e.ev === 'held' ? e.t1 : e.t);

/** Index of the first event written at or after `ms` (binary search on the stamps). */
function firstAtOrAfter(events: readonly ClientEvent[], ms: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stamp(events[mid]!) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sums up the events of [from, to] (ms, monotonic). Only the events written since `from` are
 * read in full (a request started in the window ends after its start), plus the held
 * connections' openings and losses before it: tests and the bench call this while traffic
 * runs, on records of tens of thousands of events, and the emulated CPU is shared.
 */
export function summarize(all: readonly ClientEvent[], from: number, to: number): TrafficSummary {
  const start = firstAtOrAfter(all, from);
  const events: ClientEvent[] = [];
  for (let i = 0; i < start; i++) if (all[i]!.ev === 'held-up' || all[i]!.ev === 'held-lost') events.push(all[i]!);
  for (let i = start; i < all.length; i++) events.push(all[i]!);
  const reqs = events.filter((e): e is Extract<ClientEvent, { ev: 'req' }> => e.ev === 'req' && e.t0 >= from && e.t0 <= to);
  const failures: Record<string, number> = {};
  const servers: Record<number, Record<string, number>> = {};
  for (const r of reqs) {
    if (!r.ok) bump(failures, r.err ?? 'unknown');
    else bump((servers[r.port] ??= {}), r.rs ?? '?');
  }
  const answered = events.filter((e) => e.ev === 'req' && e.ok && e.t1 >= from && e.t1 <= to).map((e) => (e as { t1: number }).t1);
  const points = [from, ...answered.sort((a, b) => a - b), to];
  let maxGapMs = 0;
  let gapFrom = from;
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]! - points[i - 1]!;
    if (gap > maxGapMs) {
      maxGapMs = gap;
      gapFrom = points[i - 1]!;
    }
  }
  const ok = reqs.filter((r) => r.ok).length;
  return { requests: reqs.length, ok, failed: reqs.length - ok, failures, maxGapMs, gapFrom, servers, held: heldSummaries(events, from, to) };
}

/** One line for logs and the demo: counts, the gap, the held connections. */
export function describe(s: TrafficSummary): string {
  const fails = Object.entries(s.failures).map(([k, v]) => `${k} ×${v}`).join(', ');
  const held = s.held.map((h) => (h.lost ? `#${h.id} lost (${h.lost.err})` : `#${h.id} alive (${h.answers} answers)`)).join(', ');
  return `${s.requests} requests, ${s.ok} ok, ${s.failed} failed${fails ? ` (${fails})` : ''}; longest gap ${s.maxGapMs.toFixed(0)} ms; held: ${held || 'none'}`;
}

export interface Traffic {
  readonly events: ClientEvent[];
  /** Asks the client to stop and waits for it to exit. */
  stop(): Promise<void>;
  /** Changes the request period. */
  every(ms: number): void;
  kill(): void;
}

/** Starts dr-client.js in `ns` (killed at teardown when `t` is given). */
export function startTraffic(t: Pick<ExecutionContext, 'teardown'> | undefined, ns: string, spec: ClientSpec): Traffic {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(REPO, 'dist/test/fixtures/dr-client.js'), JSON.stringify(spec)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: ClientEvent[] = [];
  eachLine(child.stdout, (line) => { events.push(JSON.parse(line) as ClientEvent); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  t?.teardown(kill);
  return {
    events,
    kill,
    every: (ms) => { child.stdin.write(`every ${ms}\n`); },
    stop: async () => {
      child.stdin.end('stop\n');
      await exited;
    },
  };
}
