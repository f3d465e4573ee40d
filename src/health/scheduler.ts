/**
 * When probes run, and what their results mean (deterministic: time arrives in every call, no
 * I/O, no timers, no randomness of its own). The driver (engine.ts) arms the timers this asks
 * for, starts and cancels attempts, and enforces each attempt's timeout by turning it into a
 * `timeout` result.
 *
 * Per probe (one shared probe per key, see plan.ts):
 *  - the first attempt is due at `warmup + spread` after the probe appears: warmup is
 *    `random() × warmupMs` (keepalived `warmup`, random supplied by the caller), spread is the
 *    key's hash modulo min(interval, 1 s), so 1,000 probes planned in the same millisecond start
 *    over a second, each at a stable phase;
 *  - a failed attempt while the probe is up is retried `retries` times, `retryDelayMs` apart;
 *    the failure after the last retry is the check's verdict. While down there is no retry (a
 *    failure changes nothing): keepalived's epilogs (check_tcp.c tcp_epilog, check_udp.c
 *    udp_epilog 2.2.7) retry only `if (checker->is_up)`;
 *  - the verdict feeds rise/fall (hysteresis.ts); the next check is due `intervalMs` after the
 *    verdict (keepalived re-arms delay_loop after the epilog, not from the start);
 *  - a hint (a lost watch connection) moves an up probe's next regular check to now;
 *  - at most `maxInFlight` attempts run at once; a due probe beyond that waits in a queue ordered
 *    by due time (FIFO) and starts when a slot frees.
 * `update` (reload) keeps the state of every probe whose key survives (keepalived's
 * compare/migrate), starts new ones from scratch and cancels the removed ones.
 */
import type { Us } from '../clock.js';
import type { AttemptResult } from './checker.js';
import { initialHysteresis, observe, type CheckState, type Hysteresis } from './hysteresis.js';
import { hash32, type ProbePlan } from './plan.js';

export type SchedulerOutput =
  | { readonly kind: 'arm'; readonly key: string; readonly at: Us }
  | { readonly kind: 'start'; readonly key: string; readonly seq: number }
  | { readonly kind: 'cancel'; readonly key: string; readonly seq: number }
  | { readonly kind: 'state'; readonly key: string; readonly from: CheckState; readonly to: CheckState; readonly result: AttemptResult }
  | { readonly kind: 'weight'; readonly key: string; readonly weight: number | undefined; readonly weightDelta: number | undefined };

export interface ProbeView {
  readonly plan: ProbePlan;
  readonly h: Hysteresis;
  readonly phase: 'waiting' | 'queued' | 'running';
  readonly dueUs: Us;
  /** Retries used in the current check. */
  readonly retry: number;
  readonly last?: { readonly result: AttemptResult; readonly atUs: Us };
  /** When the state last changed (or when the probe was planned). */
  readonly sinceUs: Us;
  /** Dynamic weight from the last passing attempt (misc_dynamic); absent = the configured weight. */
  readonly weight?: number;
  /** Added to the weight, from the last passing attempt (FILE_CHECK value × weight). */
  readonly weightDelta?: number;
}

interface ProbeRun {
  plan: ProbePlan;
  h: Hysteresis;
  phase: 'waiting' | 'queued' | 'running';
  dueUs: Us;
  seq: number;
  retry: number;
  last?: { readonly result: AttemptResult; readonly atUs: Us };
  sinceUs: Us;
  weight?: number;
  weightDelta?: number;
}

export interface SchedulerOptions {
  /** Attempts in flight at most (>= 1). */
  readonly maxInFlight: number;
  /** A number in [0, 1) for warmup delays (tests pass a fixed sequence). */
  readonly random: () => number;
}

const SPREAD_MAX_US = 1_000_000;

export class Scheduler {
  private readonly probes = new Map<string, ProbeRun>();
  private readonly queue: string[] = [];
  private running = 0;

  constructor(private readonly o: SchedulerOptions) {}

  /** Replace the probe set; unchanged keys keep their state. */
  update(plans: ReadonlyMap<string, ProbePlan>, at: Us): SchedulerOutput[] {
    const out: SchedulerOutput[] = [];
    for (const [key, p] of this.probes) {
      if (plans.has(key)) continue;
      this.probes.delete(key);
      if (p.phase === 'running') {
        this.running--;
        out.push({ kind: 'cancel', key, seq: p.seq });
      }
      if (p.phase === 'queued') this.queue.splice(this.queue.indexOf(key), 1);
    }
    for (const [key, plan] of plans) {
      const old = this.probes.get(key);
      if (old !== undefined) {
        old.plan = plan;
        continue;
      }
      const intervalUs = Math.max(1, plan.timing.intervalMs * 1000);
      const spread = hash32(key) % Math.min(intervalUs, SPREAD_MAX_US);
      const warmup = Math.floor(this.o.random() * plan.timing.warmupMs * 1000);
      const run: ProbeRun = { plan, h: initialHysteresis(plan.startDown), phase: 'waiting', dueUs: at + warmup + spread, seq: 0, retry: 0, sinceUs: at };
      this.probes.set(key, run);
      out.push({ kind: 'arm', key, at: run.dueUs });
    }
    out.push(...this.drain());
    return out;
  }

  /** A timer armed for `key` fired. Stale timers (probe gone or not waiting) are ignored; early ones re-arm. */
  due(key: string, at: Us): SchedulerOutput[] {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'waiting') return [];
    // Real timers may fire a little early (ms granularity vs the µs clock): ask again.
    if (at < p.dueUs) return [{ kind: 'arm', key, at: p.dueUs }];
    if (this.running < this.o.maxInFlight && this.queue.length === 0) return [this.start(key, p)];
    p.phase = 'queued';
    let i = this.queue.length;
    while (i > 0 && (this.probes.get(this.queue[i - 1] ?? '')?.dueUs ?? 0) > p.dueUs) i--;
    this.queue.splice(i, 0, key);
    return this.drain();
  }

  /**
   * A hint that the target may have just failed (its watch connection was lost, watch.ts): an
   * up probe waiting for its next regular check runs it now instead of at its due time. The
   * decision is the usual one (retries, rise/fall); a probe that is down, in its retries,
   * already running or queued is left alone, so a hint never shortens delay_before_retry.
   */
  hint(key: string, at: Us): SchedulerOutput[] {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'waiting' || p.h.state !== 'up' || p.retry > 0 || p.dueUs <= at) return [];
    p.dueUs = at;
    return this.due(key, at);
  }

  /** An attempt ended (a timeout is a result too). Results of cancelled attempts are ignored. */
  result(key: string, seq: number, result: AttemptResult, at: Us): SchedulerOutput[] {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'running' || p.seq !== seq) return [];
    this.running--;
    p.last = { result, atUs: at };
    const out: SchedulerOutput[] = [];
    if (!result.ok && p.h.state === 'up' && p.retry < p.plan.timing.retries) {
      p.retry++;
      p.phase = 'waiting';
      p.dueUs = at + p.plan.timing.retryDelayMs * 1000;
      out.push({ kind: 'arm', key, at: p.dueUs });
    } else {
      out.push(...this.verdict(key, p, result, at));
    }
    out.push(...this.drain());
    return out;
  }

  /**
   * Whether a steady lane may run this probe's next attempts (engine.ts): it is up with no
   * failure counted, waiting for its next regular check, and its last attempt passed. Only
   * passes can happen in the lane without the scheduler's say; the first miss comes back here.
   */
  steady(key: string): boolean {
    const p = this.probes.get(key);
    return p !== undefined && p.phase === 'waiting' && p.h.state === 'up' && p.h.fails === 0 && p.retry === 0 && p.last?.result.ok === true;
  }

  /** What a steady lane did for `key`: its last pass and the next due time (a pass while up changes no state). */
  note(key: string, last: { readonly result: AttemptResult; readonly atUs: Us } | undefined, dueUs: Us | undefined): void {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'waiting') return;
    if (last !== undefined) p.last = last;
    if (dueUs !== undefined) p.dueUs = dueUs;
  }

  /** A steady lane gives `key` back: noted, then armed at its due time (now if an attempt was running there). */
  resume(key: string, last: { readonly result: AttemptResult; readonly atUs: Us } | undefined, dueUs: Us | undefined, at: Us): SchedulerOutput[] {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'waiting') return [];
    this.note(key, last, dueUs ?? at);
    return [{ kind: 'arm', key, at: p.dueUs }];
  }

  /** An attempt a steady lane ran for `key` did not pass: judged as if it had run here (retries, rise/fall). */
  external(key: string, result: AttemptResult, at: Us): SchedulerOutput[] {
    const p = this.probes.get(key);
    if (p === undefined || p.phase !== 'waiting') return [];
    this.start(key, p);
    return this.result(key, p.seq, result, at);
  }

  probe(key: string): ProbeView | undefined {
    return this.probes.get(key);
  }

  keys(): IterableIterator<string> {
    return this.probes.keys();
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  private verdict(key: string, p: ProbeRun, result: AttemptResult, at: Us): SchedulerOutput[] {
    const out: SchedulerOutput[] = [];
    p.retry = 0;
    const from = p.h.state;
    const r = observe(p.h, result.ok, p.plan.timing);
    p.h = r.h;
    if (r.changed) {
      p.sinceUs = at;
      out.push({ kind: 'state', key, from, to: r.h.state, result });
    }
    // A failing attempt keeps the last weights: the server is down anyway (keepalived keeps
    // effective_weight until the next passing result changes it).
    const weight = result.ok ? result.weight : p.weight;
    const weightDelta = result.ok ? result.weightDelta : p.weightDelta;
    if (weight !== p.weight || weightDelta !== p.weightDelta) {
      p.weight = weight;
      p.weightDelta = weightDelta;
      out.push({ kind: 'weight', key, weight, weightDelta });
    }
    p.phase = 'waiting';
    p.dueUs = at + p.plan.timing.intervalMs * 1000;
    out.push({ kind: 'arm', key, at: p.dueUs });
    return out;
  }

  private start(key: string, p: ProbeRun): SchedulerOutput {
    p.phase = 'running';
    p.seq++;
    this.running++;
    return { kind: 'start', key, seq: p.seq };
  }

  private drain(): SchedulerOutput[] {
    const out: SchedulerOutput[] = [];
    while (this.running < this.o.maxInFlight && this.queue.length > 0) {
      const key = this.queue.shift() ?? '';
      const p = this.probes.get(key);
      if (p !== undefined && p.phase === 'queued') out.push(this.start(key, p));
    }
    return out;
  }
}
