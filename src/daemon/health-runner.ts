/**
 * The director's health side: it owns the HealthEngine (src/health), the operator's drain
 * overrides and the quorum state of every virtual service, and turns check results into the
 * IPVS table (the recipe in src/health/index.ts):
 *
 *   check results → engine.reals() → applyHealth(services, reals, overrides, quorum)
 *                 → IpvsManager.apply(config, services) → reconcile → minimal ops
 *
 * - One log line per fact: `check.state` (svc, rs, check, index, from, to, reason, detail, ms),
 *   `real.state` (a real server up or down, or its dynamic weight), `quorum.state`,
 *   `check.override` (drain/enable).
 * - Real-server changes are coalesced: every change in one loop turn makes one reconcile pass
 *   (a zero-delay timer), and passes never overlap; a pass that has not started yet reads the
 *   newest state, so a burst of changes costs at most one pass in flight and one queued.
 * - A pass after health changes or an override touches only the virtual services they concern
 *   (IpvsManager.applyChanged: their destinations, one kernel read each); start and reload
 *   reconcile the whole table. A pass that failed leaves its services to the next one.
 * - Scripts (health-scripts.ts): notify_up / notify_down, quorum_up / quorum_down, and omega's
 *   at stop, as keepalived 2.2.7 runs them.
 * - Reload (`update`): checks whose probe is unchanged keep their state (HealthEngine),
 *   overrides of real servers still configured are kept, quorum states are kept per service.
 *
 * - For the ldirectord runtime (daemon/ldirectord/, health-hold.ts): an observer sees each pass
 *   of an ldirectord config; `setForcedDown` takes real servers out as a failed check would
 *   (maintenancedir); an ldirectord service is held out of IPVS until each of its real servers
 *   has a first verdict (a snapshot of every check per pass, which other configs skip).
 *
 * Not done here: ha_suspend (checks run on the backup too).
 */
import type { Clock } from '../clock.js';
import { ControlError } from '../errors.js';
import {
  applyHealth, HealthEngine, serviceId,
  type AttemptResult, type CheckerRegistry, type Connector, type SteadyLane, type HealthEvent, type Override, type ProbePlan, type QuorumChange, type QuorumState, type TimerHandle, type Timers,
} from '../health/index.js';
import type { Config, VirtualService } from '../model/index.js';
import type { ControlHandlers, ServiceChecks, WeightParams, WeightResult } from '../control/index.js';
import type { ApplyReport } from './ipvs-manager.js';
import { FirstVerdictHold, forceDown, pendingReals, type HealthObserver } from './health-hold.js';
import { HealthScripts, type NotifyQueue } from './health-scripts.js';
import { checksStatus, tableWeights } from './health-status.js';
import { configuredKeys, findReal, idOf, pruneOverrides } from './health-target.js';
import type { Logger } from './logger.js';
import type { ScriptCheckDeps } from './script-identity.js';

/** The IPVS side (IpvsManager): program these services under the config's IPVS settings. */
export interface HealthIpvs {
  apply(config: Config, services: readonly VirtualService[]): Promise<ApplyReport>;
  /** Only the destinations of `changed` (a subset of `all`); the whole table when it must. */
  applyChanged(config: Config, all: readonly VirtualService[], changed: readonly VirtualService[]): Promise<ApplyReport>;
}

export interface HealthRunnerOptions {
  readonly log: Logger;
  readonly ipvs: HealthIpvs;
  readonly notify: NotifyQueue;
  readonly clock: Clock;
  readonly timers: Timers;
  /** [0, 1): warmup delays. */
  readonly random: () => number;
  /** Wall clock (ms since the epoch) for `lvsctl checks`' "since"; default Date.now. */
  readonly nowMs?: () => number;
  /** The checkers; `current` is the running config (FILE_CHECK finds its track_file there). */
  readonly checkers: (current: () => Config | undefined) => CheckerRegistry;
  readonly scriptDeps?: ScriptCheckDeps;
  /** lvsd's own uid/gid (scripts run as them are not setuid); default the process's. */
  readonly self?: { readonly uid: number; readonly gid: number };
  readonly observer?: HealthObserver;
  /** Watch connections to the checked TCP targets (lvsd --watch-connections); absent = none. */
  readonly watch?: Connector;
  /** The steady lane for up TCP/HTTP probes (the director passes the addon's); absent = none. */
  readonly steady?: SteadyLane;
}

const HOLD_RECHECK_MS = 250;

const NOTHING: ApplyReport = { ops: 0, failed: 0 };
const NONE_PENDING: ReadonlySet<string> = new Set();
const NONE_HELD: ReadonlySet<string> = new Set();

export class HealthRunner {
  private readonly engine: HealthEngine;
  private readonly scripts: HealthScripts;
  private readonly log: Logger;
  private config: Config | undefined;
  private readonly overrides = new Map<string, Override>();
  private quorum = new Map<string, QuorumState>();
  private table = new Map<string, number>();
  /** The services as last derived from health (config order), for a whole pass. */
  private derived: readonly VirtualService[] = [];
  private timer: TimerHandle | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private queued: Promise<ApplyReport> | undefined;
  /** Services (by id) whose table entry the next pass must redo; `whole`: the next pass reconciles everything. */
  private dirty = new Set<string>();
  private whole = false;
  private forced: ReadonlySet<string> = new Set();
  private readonly hold = new FirstVerdictHold();
  private holdTimer: TimerHandle | undefined;
  private heldBefore: ReadonlySet<string> = new Set();
  /** Every real server has had a first verdict since the last update (a verdict is never lost until then): no snapshot per pass. */
  private allJudged = false;
  /** The config has a monitorfile or a maintenancedir (ldirectord/runtime.ts reads every result). */
  private everyResult = false;
  private closed = false;

  constructor(private readonly o: HealthRunnerOptions) {
    this.log = o.log;
    this.scripts = new HealthScripts({ notify: o.notify, log: o.log, ...(o.scriptDeps ? { deps: o.scriptDeps } : {}), ...(o.self ? { self: o.self } : {}) });
    const observer = o.observer;
    const checked = observer?.checked !== undefined
      ? (plan: ProbePlan, r: AttemptResult): void => { if (this.config !== undefined) observer.checked?.(this.config, plan.subscribers, r); }
      : undefined;
    this.engine = new HealthEngine({
      clock: o.clock, timers: o.timers, random: o.random, checkers: o.checkers(() => this.config), onEvent: (e) => this.onEvent(e), ...(checked ? { onResult: checked } : {}),
      ...(o.watch ? { watch: o.watch } : {}),
      // ldirectord's monitorfile and a server leaving maintenance see every attempt: no lane then.
      ...(o.steady ? { steady: o.steady, everyResult: () => this.everyResult } : {}),
    });
  }

  /**
   * Start (first call) or reload: plan the checks (unchanged ones keep their state), drop the
   * overrides of real servers no longer configured, and reconcile the table now. Resolves with
   * what IPVS did; rejects when IPVS cannot be programmed.
   */
  async update(config: Config): Promise<ApplyReport> {
    if (this.closed) return NOTHING;
    this.config = config;
    this.everyResult = config.ldirectord !== undefined && (config.ldirectord.maintenanceDir !== undefined || config.services.some((vs) => vs.ldirectord?.monitorFile !== undefined));
    const missing = this.engine.update(config.services);
    if (missing.length > 0) this.log.warn({ event: 'check.unsupported', kinds: missing }, 'checks without a checker in this lvsd fail');
    pruneOverrides(this.overrides, config, this.log);
    this.hold.prune(config);
    this.allJudged = false;
    this.whole = true;
    return this.reconcile();
  }

  /** `lvsctl checks`. */
  checks(): ServiceChecks[] {
    return checksStatus({
      services: this.config?.services ?? [], snapshot: this.engine.snapshot(), overrides: this.overrides,
      table: this.table, quorum: this.quorum, nowMs: (this.o.nowMs ?? Date.now)(),
    });
  }

  /** `lvsctl drain` (weight 0) / `enable` (the override removed); resolves once the table has it. Rejects with ControlError ENOENT/EINVAL. */
  async setOverride(p: WeightParams, override: Override | null): Promise<WeightResult> {
    const config = this.config;
    if (config === undefined || this.closed) throw new ControlError('EAGAIN', 'health checks are not running');
    const f = findReal(config.services, p.service, p.realServer);
    if (!f.ok) throw new ControlError(f.error.code, f.error.message);
    const { key, service, real, rs } = f.value;
    const changed = (this.overrides.get(key) ?? null) !== override;
    if (override === null) this.overrides.delete(key);
    else this.overrides.set(key, override);
    this.log.info({ event: 'check.override', svc: service, rs: real, override, changed }, 'operator override of a real server');
    this.dirty.add(service);
    await this.reconcile();
    return { service, realServer: real, weight: this.table.get(key) ?? null, configuredWeight: rs.weight, override, changed };
  }

  /** Real servers (realKeys) to hold down whatever their checks say; a change reconciles their services. */
  setForcedDown(keys: ReadonlySet<string>): void {
    const changed = [...keys].filter((k) => !this.forced.has(k)).concat([...this.forced].filter((k) => !keys.has(k)));
    if (changed.length === 0) return;
    this.forced = new Set(keys);
    for (const k of changed) this.dirty.add(k.slice(0, k.lastIndexOf('|')));
    this.schedule();
  }

  /** The control methods this part answers. */
  handlers(): Pick<ControlHandlers, 'checks' | 'drain' | 'enable'> {
    return {
      checks: async () => this.checks(),
      drain: async (p) => this.setOverride(p, 'drain'),
      enable: async (p) => this.setOverride(p, null),
    };
  }

  /** Resolves when no reconcile pass is running or queued (a change scheduled for this loop turn is not waited for). */
  async idle(): Promise<void> {
    for (let c = this.chain; ; c = this.chain) {
      await c;
      if (c === this.chain) return;
    }
  }

  /** Stop checking; with omega, run the stop notifies; waits for a pass in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.o.timers.clear(this.timer);
    this.timer = undefined;
    if (this.holdTimer !== undefined) this.o.timers.clear(this.holdTimer);
    this.holdTimer = undefined;
    this.engine.close();
    if (this.config) this.scripts.stopping(this.config, this.engine.reals());
    await this.idle();
  }

  private onEvent(e: HealthEvent): void {
    if (this.closed) return;
    if (e.kind === 'check') {
      this.log.info({ event: 'check.state', svc: e.service, rs: e.real, check: e.checkKind, index: e.check, from: e.from, to: e.to,
        reason: e.reason, detail: e.detail, ms: e.latencyMs }, 'check state changed');
      return;
    }
    if (e.kind === 'watch') {
      this.log.info({ event: 'check.watch', target: e.target, why: e.why, hinted: e.hinted }, 'watch connection lost: checking now');
      return;
    }
    this.log.info({ event: 'real.state', svc: e.service, rs: e.real, from: e.from.up ? 'up' : 'down', to: e.to.up ? 'up' : 'down',
      weight: e.to.weight, weightDelta: e.to.weightDelta }, 'real server health changed');
    if (e.from.up !== e.to.up && this.config) this.scripts.realChanged(this.config, e.service, e.real, e.to.up);
    this.dirty.add(e.service);
    this.schedule();
  }

  /** One reconcile per loop turn, whatever the number of changes in it. */
  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = this.o.timers.set(() => {
      this.timer = undefined;
      this.reconcile().catch((err: unknown) => this.log.error({ event: 'ipvs.error', err }, 'health change not applied to ipvs'));
    }, 0);
  }

  /** Passes run one after the other; a queued pass that has not started serves every caller. */
  private reconcile(): Promise<ApplyReport> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = undefined;
      return this.pass();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pass(): Promise<ApplyReport> {
    const config = this.config;
    if (config === undefined || this.closed) return NOTHING;
    const { whole, dirty } = this;
    this.whole = false;
    this.dirty = new Set();
    // A health change derives only its own services: with 1,000 real servers the rest is work.
    const scope = whole ? config.services : config.services.filter((vs) => dirty.has(idOf(vs)));
    const reals = forceDown(this.engine.reals(), this.forced);
    const applied = applyHealth(scope, { reals, overrides: this.overrides, quorum: this.quorum });
    for (const c of applied.changes) this.scripts.quorumChanged(config, c);
    if (whole) {
      this.derived = applied.services;
      this.quorum = new Map(applied.quorum);
      this.table = tableWeights(applied.services);
    } else {
      for (const [svc, q] of applied.quorum) this.quorum.set(svc, q);
      const byId = new Map(applied.services.map((vs) => [idOf(vs), vs]));
      this.derived = this.derived.map((vs) => byId.get(idOf(vs)) ?? vs);
      for (const vs of scope) for (const key of configuredKeys(vs)) this.table.delete(key);
      for (const [key, w] of tableWeights(applied.services)) this.table.set(key, w);
    }
    const { held, released } = this.ldirectordPass(config, applied.changes);
    const unheld = (list: readonly VirtualService[]): readonly VirtualService[] => (held.size === 0 ? list : list.filter((vs) => !held.has(serviceId(vs.key))));
    try {
      // A service the hold has just released was never programmed: a whole pass.
      return await (whole || released ? this.o.ipvs.apply(config, unheld(this.derived)) : this.o.ipvs.applyChanged(config, unheld(this.derived), unheld(applied.services)));
    } catch (e) {
      this.whole ||= whole;
      for (const s of dirty) this.dirty.add(s);
      throw e;
    }
  }

  /**
   * The observer sees the pass; ldirectord services still waiting for first verdicts are held
   * out of IPVS (health-hold.ts) and looked at again soon: a first failed verdict changes no
   * state, so no event would come. Returns the held service ids, and whether a service held
   * before is released now.
   */
  private ldirectordPass(config: Config, changes: readonly QuorumChange[]): { held: ReadonlySet<string>; released: boolean } {
    // Only ldirectord services are held and only ldirectord configs are observed; the pending
    // set needs a snapshot of every check (with 1,000 real servers, most of a detection's time).
    if (config.ldirectord === undefined) {
      this.heldBefore = NONE_HELD;
      return { held: NONE_HELD, released: false };
    }
    const pending = this.allJudged ? NONE_PENDING : pendingReals(this.engine.snapshot());
    this.allJudged = pending.size === 0;
    const held = this.hold.held(config, pending);
    const released = [...this.heldBefore].some((svc) => !held.has(svc));
    this.heldBefore = held;
    if (held.size > 0 && this.holdTimer === undefined && !this.closed) {
      this.holdTimer = this.o.timers.set(() => {
        this.holdTimer = undefined;
        for (const svc of held) this.dirty.add(svc);
        this.schedule();
      }, HOLD_RECHECK_MS);
    }
    // The observer sees a held service as IPVS does: without servers (its fallback not in either).
    const services = this.derived.map((vs) => (held.has(serviceId(vs.key)) ? { ...vs, reals: [] } : vs));
    this.o.observer?.passed(config, { services, changes, pending });
    return { held, released };
  }

}
