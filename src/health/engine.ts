/**
 * HealthEngine: the I/O edge of the health layer. It owns the timers (injected), runs attempts
 * through the checker registry under their deadlines (run-attempt.ts), feeds results to the
 * Scheduler (the deterministic core) and fans shared-probe results out to every subscriber.
 *
 * Events (`onEvent`), one per fact:
 *  - `check`: a check of one real server in one service changed state (one per subscriber, with
 *    the reason, detail and latency of the attempt that decided it);
 *  - `real`: a real server's health changed (alive = all its checks up; weight = the first
 *    dynamic weight among its checks; weightDelta = the sum of its FILE_CHECK deltas): the
 *    director recomputes `applyHealth` and reconciles.
 * `reals()` is the input `applyHealth` needs; `snapshot()` feeds `lvsctl checks`.
 */
import type { Clock, Us } from '../clock.js';
import type { VirtualService } from '../model/index.js';
import type { AttemptResult, AttemptSpec, Checker, FailReason, SteadyHandle, SteadyLane } from './checker.js';
import type { RealHealth } from './apply.js';
import type { CheckState } from './hysteresis.js';
import { hostPort, planHealth, realKey, type HealthPlan, type ProbePlan } from './plan.js';
import { runAttempt, type RunningAttempt } from './run-attempt.js';
import { Scheduler, type SchedulerOutput } from './scheduler.js';
import { snapshotOf, type RealSnapshot } from './snapshot.js';
import type { TimerHandle, Timers } from './timers.js';
import { ConnectionWatch, type Connector, type WatchTarget } from './watch.js';

export type HealthEvent =
  | {
      readonly kind: 'check';
      readonly service: string;
      readonly real: string;
      readonly check: number;
      readonly checkKind: ProbePlan['probe']['kind'];
      readonly from: CheckState;
      readonly to: CheckState;
      /** Absent when the deciding attempt passed. */
      readonly reason?: FailReason;
      readonly detail: string;
      readonly latencyMs: number;
    }
  | { readonly kind: 'real'; readonly service: string; readonly real: string; readonly from: RealHealth; readonly to: RealHealth }
  /** A watch connection was lost (watch.ts); `hinted`: the up probes whose next check now runs at once. */
  | { readonly kind: 'watch'; readonly target: string; readonly why: string; readonly hinted: number };

export type CheckerRegistry = ReadonlyMap<ProbePlan['probe']['kind'], Checker>;

export interface HealthEngineOptions {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly checkers: CheckerRegistry;
  /** Attempts in flight at most; default 256. */
  readonly maxInFlight?: number;
  /** [0, 1) for warmup delays; the director passes Math.random. */
  readonly random: () => number;
  readonly onEvent?: (e: HealthEvent) => void;
  /** Every attempt's result, before the scheduler judges it (ldirectord's monitorfile logs each check). */
  readonly onResult?: (plan: ProbePlan, r: AttemptResult) => void;
  /** Watch connections (lvsd --watch-connections, watch.ts) through this connector; absent = none. */
  readonly watch?: Connector;
  /** Runs the passing attempts of up probes outside the engine (checks/steady-lane.ts); absent = none. */
  readonly steady?: SteadyLane;
  /** Whether `onResult` must see every attempt now (the steady lane reports only misses): no lane while true. */
  readonly everyResult?: () => boolean;
}

const DEFAULT_MAX_IN_FLIGHT = 256;
/**
 * Node's timers fire up to about a millisecond early against the µs clock (ms resolution, the
 * loop's cached time): such a timer counts as on time, instead of re-arming for the rest and
 * waking the loop twice per check (strace: a third fewer epoll waits per check).
 */
const EARLY_FIRE_US = 2000;

function sameHealth(a: RealHealth, b: RealHealth): boolean {
  return a.up === b.up && a.weight === b.weight && a.weightDelta === b.weightDelta;
}

export class HealthEngine {
  private readonly sched: Scheduler;
  private plan: HealthPlan = { probes: new Map(), reals: new Map() };
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inflight = new Map<string, RunningAttempt>();
  private realState = new Map<string, RealHealth>();
  private closed = false;
  private readonly watch: ConnectionWatch | undefined;
  /** Probe keys by watch target id, and the other way. */
  private watched = new Map<string, readonly string[]>();
  private watchIdOf = new Map<string, string>();
  /** Probes the steady lane runs now, by key; their scheduler state is `waiting` meanwhile. */
  private readonly lane = new Map<string, SteadyHandle>();
  /** Probes whose next attempt runs here although the lane could take it (it could not judge a miss). */
  private readonly notInLane = new Set<string>();

  constructor(private readonly o: HealthEngineOptions) {
    this.sched = new Scheduler({ maxInFlight: Math.max(1, o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT), random: o.random });
    const connect = o.watch;
    this.watch = connect && new ConnectionWatch({ connect, timers: o.timers, clock: o.clock, onLost: (id, why) => this.lost(id, why) });
  }

  /**
   * Start (first call) or reload. Probes whose key is unchanged keep their state; new real
   * servers start up (or down with alpha). Returns the probe kinds that have no checker in the
   * registry: those probes still run and fail with reason `error`, so nothing passes silently.
   */
  update(services: readonly VirtualService[]): Array<ProbePlan['probe']['kind']> {
    if (this.closed) return [];
    this.plan = planHealth(services);
    const missing = new Set<ProbePlan['probe']['kind']>();
    for (const p of this.plan.probes.values()) if (!this.o.checkers.has(p.probe.kind)) missing.add(p.probe.kind);
    for (const [key, h] of [...this.timers]) {
      if (this.plan.probes.has(key)) continue;
      this.o.timers.clear(h);
      this.timers.delete(key);
    }
    this.exec(this.sched.update(this.plan.probes, this.o.clock.nowUs()));
    // The lane's probes come back (a removed one is dropped) and go out again under the new plan.
    for (const key of [...this.lane.keys()]) this.reclaim(key, false);
    if (this.watch) {
      const w = watchTargets(this.plan);
      this.watched = w.keys;
      this.watchIdOf = new Map([...w.keys].flatMap(([id, keys]) => keys.map((k): [string, string] => [k, id])));
      const now = this.o.clock.nowUs();
      // A new target connects when its first probe is due (the scheduler's spread), not all at once.
      const firstDueMs = (id: string): number =>
        Math.min(...(w.keys.get(id) ?? []).map((k) => ((this.sched.probe(k)?.dueUs ?? now) - now) / 1000));
      this.watch.update(w.targets, firstDueMs);
    }
    const next = new Map<string, RealHealth>();
    for (const rk of this.plan.reals.keys()) next.set(rk, this.judge(rk));
    this.realState = next;
    return [...missing];
  }

  /** Health of every real server that has checks, by realKey (the input of applyHealth). */
  reals(): ReadonlyMap<string, RealHealth> {
    return this.realState;
  }

  snapshot(): RealSnapshot[] {
    const w = this.watch;
    const watchOf = (key: string): 'connected' | 'not connected' | undefined => {
      const id = this.watchIdOf.get(key);
      if (w === undefined || id === undefined) return undefined;
      return w.isConnected(id) ? 'connected' : 'not connected';
    };
    for (const [key, h] of this.lane) {
      const st = h.stats();
      this.sched.note(key, st.last, st.dueUs);
    }
    return snapshotOf(this.plan, (key) => this.sched.probe(key), this.realState, this.o.clock.nowUs(), watchOf);
  }

  /** Attempts running now and probes waiting for a slot. */
  load(): { readonly inFlight: number; readonly queued: number } {
    return { inFlight: this.sched.inFlight, queued: this.sched.queued };
  }

  /** Cancels every timer and attempt; the engine stays silent afterwards. */
  close(): void {
    this.closed = true;
    this.watch?.close();
    for (const h of this.lane.values()) h.stop();
    this.lane.clear();
    for (const h of this.timers.values()) this.o.timers.clear(h);
    this.timers.clear();
    for (const a of this.inflight.values()) a.cancel();
    this.inflight.clear();
  }

  private exec(outs: readonly SchedulerOutput[]): void {
    for (const o of outs) {
      switch (o.kind) {
        case 'arm': this.arm(o.key, o.at); break;
        case 'start': this.launch(o.key, o.seq); break;
        case 'cancel': {
          this.inflight.get(o.key)?.cancel();
          this.inflight.delete(o.key);
          break;
        }
        case 'state': this.fanOut(o.key, o.from, o.to, o.result); break;
        case 'weight': this.rejudge(o.key); break;
        default: {
          const never: never = o;
          throw new Error(`unhandled scheduler output ${JSON.stringify(never)}`);
        }
      }
    }
  }

  private arm(key: string, at: Us): void {
    const old = this.timers.get(key);
    if (old !== undefined) this.o.timers.clear(old);
    this.timers.delete(key);
    this.lane.get(key)?.stop();
    this.lane.delete(key);
    if (this.toLane(key, at)) return;
    const h = this.o.timers.set(() => {
      this.timers.delete(key);
      if (this.closed) return;
      const now = this.o.clock.nowUs();
      this.exec(this.sched.due(key, now < at && at - now <= EARLY_FIRE_US ? at : now));
    }, Math.ceil((at - this.o.clock.nowUs()) / 1000));
    this.timers.set(key, h);
  }

  private launch(key: string, seq: number): void {
    const p = this.sched.probe(key)?.plan;
    if (p === undefined) return;
    const checker = this.o.checkers.get(p.probe.kind) ?? missingChecker(p.probe.kind);
    const spec = specOf(p);
    const run = runAttempt(checker, spec, { clock: this.o.clock, timers: this.o.timers });
    this.inflight.set(key, run);
    void run.result.then((r) => {
      if (this.inflight.get(key) === run) this.inflight.delete(key);
      if (this.closed) return;
      this.o.onResult?.(p, r);
      this.exec(this.sched.result(key, seq, r, this.o.clock.nowUs()));
    });
  }

  /** The lane takes the probe's attempts from `at` on, if it may and can. */
  private toLane(key: string, at: Us): boolean {
    const lane = this.o.steady;
    const p = this.sched.probe(key);
    if (lane === undefined || p === undefined || this.closed || this.notInLane.delete(key) || this.o.everyResult?.() === true || !this.sched.steady(key)) return false;
    const plan = p.plan;
    const h = lane.start(specOf(plan), (at - this.o.clock.nowUs()) / 1000, plan.timing.intervalMs, (r, atUs) => {
      if (this.lane.get(key) !== h) return;
      this.lane.delete(key);
      if (this.closed) return;
      if (r === undefined) {
        this.notInLane.add(key);
        this.exec(this.sched.resume(key, undefined, undefined, this.o.clock.nowUs()));
        return;
      }
      this.o.onResult?.(plan, r);
      this.exec(this.sched.external(key, r, atUs));
    });
    if (h === undefined) return false;
    this.lane.set(key, h);
    return true;
  }

  /**
   * Takes a probe back from the lane (an attempt running there is dropped) and arms it at its
   * due time, now with `now` (a hint: the lane takes it again, with its attempt at once).
   */
  private reclaim(key: string, now: boolean): boolean {
    const h = this.lane.get(key);
    if (h === undefined) return false;
    this.lane.delete(key);
    const st = h.stop();
    const at = this.o.clock.nowUs();
    this.exec(this.sched.resume(key, st.last, now ? at : st.dueUs, at));
    return true;
  }

  private lost(id: string, why: string): void {
    if (this.closed) return;
    let hinted = 0;
    for (const key of this.watched.get(id) ?? []) {
      if (this.reclaim(key, true)) {
        hinted++;
        continue;
      }
      const outs = this.sched.hint(key, this.o.clock.nowUs());
      if (outs.length > 0) hinted++;
      this.exec(outs);
    }
    this.o.onEvent?.({ kind: 'watch', target: id, why, hinted });
  }

  private fanOut(key: string, from: CheckState, to: CheckState, r: AttemptResult): void {
    const p = this.sched.probe(key)?.plan;
    for (const s of p?.subscribers ?? []) {
      this.o.onEvent?.({
        kind: 'check', service: s.service, real: s.real, check: s.check, checkKind: s.kind, from, to,
        ...(r.ok ? { detail: r.detail ?? 'ok' } : { reason: r.reason, detail: r.detail }),
        latencyMs: r.latencyMs,
      });
    }
    this.rejudge(key);
  }

  /** Recompute the real servers listening to `key`; emit `real` for each that changed. */
  private rejudge(key: string): void {
    const p = this.sched.probe(key)?.plan;
    for (const s of p?.subscribers ?? []) {
      const rk = realKey(s.service, s.real);
      const from = this.realState.get(rk);
      const to = this.judge(rk);
      if (from !== undefined && sameHealth(from, to)) continue;
      this.realState.set(rk, to);
      if (from !== undefined) this.o.onEvent?.({ kind: 'real', service: s.service, real: s.real, from, to });
    }
  }

  /**
   * Alive when every check is up; the dynamic weight is the first check's that reports one
   * (misc_dynamic); the deltas of all checks (FILE_CHECK) add up.
   */
  private judge(rk: string): RealHealth {
    let up = true;
    let weight: number | undefined;
    let delta: number | undefined;
    for (const key of this.plan.reals.get(rk) ?? []) {
      const v = this.sched.probe(key);
      if (v?.h.state !== 'up') up = false;
      if (weight === undefined && v?.weight !== undefined) weight = v.weight;
      if (v?.weightDelta !== undefined) delta = (delta ?? 0) + v.weightDelta;
    }
    return { up, ...(weight !== undefined ? { weight } : {}), ...(delta !== undefined ? { weightDelta: delta } : {}) };
  }
}

/** A probe's attempt spec: the same object for every attempt of one plan (checkers may key caches on it). */
const specs = new WeakMap<ProbePlan, AttemptSpec>();
function specOf(p: ProbePlan): AttemptSpec {
  let spec = specs.get(p);
  if (spec === undefined) {
    spec = { probe: p.probe, address: p.address, port: p.port, target: p.target, timeoutMs: p.timing.timeoutMs };
    specs.set(p, spec);
  }
  return spec;
}

/**
 * The watch targets of a plan: every probe that connects over TCP to its target (TCP_CHECK,
 * HTTP_GET, SSL_GET, SMTP_CHECK, ldirectord connect and negotiate over TCP; RADIUS is UDP
 * whatever the service's protocol), by address, port and bind address. A probe with a bind port, a device or a mark is not watched: the watch socket
 * cannot share the port, and marks and devices are the addon's.
 */
export function watchTargets(plan: HealthPlan): { targets: Map<string, WatchTarget>; keys: Map<string, string[]> } {
  const targets = new Map<string, WatchTarget>();
  const keys = new Map<string, string[]>();
  for (const p of plan.probes.values()) {
    const k = p.probe.kind;
    const tcp = k === 'tcp' || k === 'http' || k === 'smtp' || (k === 'negotiate' && p.probe.transport === 'tcp' && p.probe.service !== 'radius');
    const t = p.target;
    if (!tcp || t.bindPort !== undefined || t.bindIf !== undefined || t.fwmark !== undefined) continue;
    const id = `${hostPort(p.address, p.port)}${t.bindTo !== undefined ? ` from ${t.bindTo}` : ''}`;
    const prev = targets.get(id);
    // Several probes on one target: the longest connect timeout.
    if (prev === undefined || prev.connectTimeoutMs < p.timing.timeoutMs) {
      targets.set(id, { address: p.address, port: p.port, connectTimeoutMs: p.timing.timeoutMs, ...(t.bindTo !== undefined ? { bindTo: t.bindTo } : {}) });
    }
    keys.set(id, [...(keys.get(id) ?? []), p.key]);
  }
  return { targets, keys };
}

function missingChecker(kind: ProbePlan['probe']['kind']): Checker {
  return {
    kind,
    start: () => ({
      result: Promise.resolve({ ok: false, latencyMs: 0, reason: 'error', detail: `no ${kind} checker in this lvsd` }),
      cancel: () => undefined,
    }),
  };
}
