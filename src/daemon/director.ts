/**
 * The director: runs one configuration through its parts and swaps it on reload.
 * Data flows one way: file → model → (VRRP worker | IPVS reconcile) → kernel.
 * It creates nothing: the IPVS manager, the sync daemon manager, the notify queue, the control
 * endpoint, the VRRP engine and tracker factories, the config reader and time arrive in
 * `DirectorParts`. daemon/wiring.ts is the
 * one place that builds the real ones (the composition root, docs/design.md "Pure cores and
 * edges"); tests pass an
 * in-memory IPVS kernel, a fake VRRP engine and a fake clock (director.test.ts).
 */
import { deserializeError } from '../errors.js';
import { cleanStopServices, type Config } from '../model/index.js';
import type { FromWorker } from '../vrrp/index.js';
import type { ReloadResult, VrrpInstanceStatus } from '../control/index.js';
import { DropSummary } from './drop-summary.js';
import { hasTracking } from '../health/index.js';
import type { Logger } from './logger.js';
import { VrrpNotifier } from './vrrp-notifier.js';
import type { DirectorParts, TrackingPart, VrrpPart } from './director-parts.js';

// The parts are part of the director's contract: importers of director.js keep finding them here.
export type {
  ControlEndpoint, DirectorParts, FifoPart, HealthPart, IpvsPart, NotifyQueue, StartTracking, StartVrrp, StaticPart, SyncPart,
  TrackingPart, VrrpPart,
} from './director-parts.js';

export class Director {
  private config: Config;
  private vrrp: VrrpPart | undefined;
  /** Started with the first config that tracks anything; then kept (a reload dropping every track reports configured priorities). */
  private tracker: TrackingPart | undefined;
  private readonly log: Logger;
  private readonly vlog: Logger;
  private readonly dropSummary: DropSummary;
  private stopping = false;
  private readonly notifier: VrrpNotifier;

  constructor(config: Config, private readonly parts: DirectorParts) {
    this.config = config;
    this.notifier = new VrrpNotifier(() => this.config, parts);
    this.log = parts.log;
    this.vlog = parts.log.child({ component: 'vrrp' });
    this.dropSummary = new DropSummary((instance, reason, count, from) =>
      this.log.warn({ event: 'vrrp.drop', instance, reason, count, from }, 'vrrp packets dropped'), parts.time);
  }

  /** The configuration running now (the one the last successful reload swapped in). */
  current(): Config {
    return this.config;
  }

  async start(): Promise<void> {
    await this.parts.health.update(this.config);
    await this.parts.sync.configure(this.config.sync);
    await this.startTracking(this.config);
    await this.parts.fifos?.configure(this.config.notifyFifos);
    // keepalived (vrrp_daemon.c start_vrrp) sets its static entries before its instances run.
    await this.parts.statics?.configure(this.config.statics);
    if (this.config.vrrp.length > 0) await this.startVrrp(this.config);
    await this.parts.control.listen({
      ...this.parts.health.handlers(),
      ping: async () => ({ pid: this.parts.pid }),
      vrrp: async () => this.vrrpStatus(),
      sync: async () => this.parts.sync.status(),
      reload: async () => this.reload(),
      status: async () => ({
        config: this.config.path,
        format: this.config.format,
        ipvs: this.parts.ipvs.stats(),
        vrrpTimerLateness: this.vrrp ? (await this.vrrp.snapshot()).lateness : null,
        tracking: this.tracker?.snapshot() ?? null,
      }),
    });
    this.log.info({ event: 'director.start', config: this.config.path, format: this.config.format,
      vrrpInstances: this.config.vrrp.length, services: this.config.services.length }, 'director started');
  }

  /** HUP: validate the whole file first; apply only when it is valid (all or nothing). */
  async reload(): Promise<ReloadResult> {
    const r = this.parts.readConfig(this.config.path);
    if (!r.ok) {
      this.log.error({ event: 'config.reload', ok: false, diagnostics: r.diagnostics }, 'reload refused, running configuration kept');
      return { ok: false, diagnostics: r.diagnostics };
    }
    for (const d of r.diagnostics) this.log.warn({ event: 'config.warning', diagnostic: d }, 'configuration warning');
    const changed: string[] = [];
    const ipvs = await this.parts.health.update(r.config);
    if (ipvs.ops > 0) changed.push(`ipvs: ${ipvs.ops} operation(s)${ipvs.failed > 0 ? `, ${ipvs.failed} refused` : ''}`);
    if (JSON.stringify(stripLoc(r.config.sync ?? null)) !== JSON.stringify(stripLoc(this.config.sync ?? null))) changed.push('sync');
    await this.startTracking(r.config);
    await this.parts.statics?.configure(r.config.statics);
    if (JSON.stringify(stripLoc(r.config.statics ?? null)) !== JSON.stringify(stripLoc(this.config.statics ?? null))) changed.push('statics');
    if (this.vrrp) this.vrrp.reload(r.config.vrrp, r.config.syncGroups);
    else if (r.config.vrrp.length > 0) await this.startVrrp(r.config);
    await this.parts.sync.configure(r.config.sync);
    if (JSON.stringify(stripLoc(r.config.vrrp)) !== JSON.stringify(stripLoc(this.config.vrrp))) changed.push('vrrp');
    if (JSON.stringify(stripLoc(r.config.tracking ?? null)) !== JSON.stringify(stripLoc(this.config.tracking ?? null))) changed.push('tracking');
    this.config = r.config;
    await this.parts.fifos?.configure(r.config.notifyFifos);
    this.log.info({ event: 'config.reload', ok: true, changed }, 'configuration reloaded');
    return { ok: true, changed, diagnostics: r.diagnostics };
  }

  /** TERM: masters hand over (priority 0) and release VIPs; the IPVS table stays unless clean-stop. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ event: 'director.stop' }, 'director stopping');
    if (this.vrrp) await this.vrrp.shutdown();
    // keepalived (stop_vrrp) removes its static entries after its instances have stopped.
    await this.parts.statics?.clear();
    this.notifier.stop();
    await this.parts.fifos?.close();
    await this.parts.sync.shutdown();
    this.parts.sync.close();
    this.tracker?.close();
    this.tracker = undefined;
    await this.parts.health.close();
    const clean = cleanStopServices(this.config);
    if (clean.length > 0) await this.parts.ipvs.clean({ ...this.config, services: clean });
    this.parts.ipvs.close();
    await this.parts.control.close();
    await this.parts.notify.idle(5000);
    this.dropSummary.close();
    this.log.info({ event: 'director.stopped' }, 'director stopped');
  }

  private async startVrrp(config: Config): Promise<void> {
    const engine = this.parts.startVrrp(config, {
      message: (m) => this.onVrrp(m),
      exit: (code) => {
        if (!this.stopping) this.log.error({ event: 'vrrp.worker.exit', code }, 'vrrp worker exited');
      },
    });
    this.vrrp = engine;
    // A new engine learns the tracked priorities before its instances start.
    for (const inst of config.vrrp) {
      const t = this.tracker?.current(inst.name);
      if (t) engine.track(t.instance, t.priority, t.fault);
    }
    await engine.start();
  }

  /** Starts tracking when the config tracks anything, or updates it on reload. */
  private async startTracking(config: Config): Promise<void> {
    if (this.tracker) return this.tracker.update(config);
    if (!hasTracking(config)) return;
    this.tracker = await this.parts.startTracking(config, (p) => {
      this.notifier.priority(p.instance, p.priority);
      this.vrrp?.track(p.instance, p.priority, p.fault);
    });
  }

  private onVrrp(m: FromWorker): void {
    const vlog = this.vlog;
    switch (m.type) {
      case 'role':
        vlog.info({ event: 'vrrp.role', at: iso(m.atMs), instance: m.instance, from: m.from, to: m.to, reason: m.reason,
          priority: m.priority, master: m.masterAddress }, 'vrrp state change');
        this.notifier.instance(m.instance, m.to, m.priority);
        this.parts.sync.onRole(m.instance, m.to);
        return;
      case 'group':
        this.log.info({ event: 'vrrp.group', at: iso(m.atMs), group: m.group, state: m.state }, 'vrrp sync group state change');
        this.notifier.group(m.group, m.state);
        return;
      case 'vip':
        vlog.info({ event: 'vrrp.vip', at: iso(m.atMs), instance: m.instance, action: m.action, vip: m.address, iface: m.dev }, 'virtual address change');
        return;
      case 'drop':
        this.dropSummary.add(m.instance ?? '-', m.reason, m.from);
        return;
      case 'error':
        vlog.error({ event: 'vrrp.error', at: iso(m.atMs), instance: m.instance, what: m.what, err: deserializeError(m.error) }, 'vrrp operation failed');
        return;
      case 'late':
        vlog.warn({ event: 'vrrp.timer.late', at: iso(m.atMs), instance: m.instance, lateUs: m.lateUs, intervalUs: m.intervalUs },
          'vrrp timer fired late');
        return;
      case 'reloaded':
        vlog.info({ event: 'vrrp.reload', added: m.added, removed: m.removed, changed: m.changed }, 'vrrp instances reloaded');
        return;
      case 'ready':
      case 'started':
      case 'stopped':
      case 'snapshot':
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled worker message ${JSON.stringify(never)}`);
      }
    }
  }

  private async vrrpStatus(): Promise<VrrpInstanceStatus[]> {
    if (!this.vrrp) return [];
    const snap = await this.vrrp.snapshot();
    return snap.instances.map((i) => ({
      name: i.name,
      state: i.role,
      priority: i.priority,
      masterAddress: i.masterAddress,
      advertIntervalCs: i.advertIntervalCs,
      family: i.family,
      version: i.version,
      interface: i.interface,
      vrid: i.vrid,
      masterAdverIntervalCs: i.masterAdverIntervalCs,
      advertsSent: i.counters.advertsSent,
      advertsReceived: i.counters.advertsReceived,
      becameMaster: i.counters.becameMaster,
      garpsSent: i.counters.garpsSent,
      staleTimerDeferrals: i.counters.staleTimerDeferrals,
      drops: i.counters.drops,
      checksumForms: i.counters.checksumForms,
      lastTransition: i.lastTransition
        ? { at: iso(i.lastTransition.atMs), from: i.lastTransition.from, to: i.lastTransition.to, reason: i.lastTransition.reason }
        : null,
      faultReason: i.faultReason,
      ...(this.tracker ? { tracks: this.tracker.current(i.name)?.effects ?? [] } : {}),
    }));
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

function stripLoc(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'at' ? undefined : v)));
}

