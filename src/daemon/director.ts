/**
 * The composition root (DESIGN.md §2): the one place that creates the VRRP worker, the
 * IPVS backend, the control socket and the notify runner, and wires them together.
 * Data flows one way: file → model → (VRRP worker | IPVS reconcile) → kernel.
 */
import type { Config, VrrpInstance } from '../model/types.js';
import { readConfig } from './read-config.js';
import { VrrpEngine } from '../vrrp/engine.js';
import type { FromWorker } from '../vrrp/messages.js';
import { IpvsManager } from './ipvs-manager.js';
import { NotifyRunner, notifyArgv } from './notify.js';
import { ControlServer } from './control.js';
import type { VrrpInstanceStatus } from './control-protocol.js';
import type { Logger } from './logger.js';
import { SyncManager, openSyncBackend } from '../sync/index.js';
import { Tracker, hasTracking, type LinkSource } from '../health/index.js';
import { openLinkWatcher, type LinkWatcher } from '../net/links.js';
import { logTrackedPriority, logTrackerEvent } from './track-log.js';

export interface DirectorOptions {
  readonly configPath: string;
  readonly socketPath: string;
  readonly log: Logger;
  /** SCHED_RR priority of the VRRP worker thread; 0 = off. */
  readonly vrrpRtPriority: number;
}

export type ReloadOutcome =
  | { readonly ok: true; readonly changed: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

export class Director {
  private config: Config;
  private vrrp: VrrpEngine | undefined;
  private readonly ipvs: IpvsManager;
  /** The kernel sync daemon, following the VRRP role (issue 11). */
  private readonly sync: SyncManager;
  private readonly notify: NotifyRunner;
  private control: ControlServer | undefined;
  private readonly log: Logger;
  private stopping = false;

  constructor(config: Config, private readonly opts: DirectorOptions) {
    this.config = config;
    this.log = opts.log;
    this.ipvs = new IpvsManager(opts.log.child({ component: 'ipvs' }));
    this.sync = new SyncManager({ log: opts.log.child({ component: 'sync' }), open: () => openSyncBackend(this.config.ipvs.backend) });
    this.notify = new NotifyRunner({
      onResult: (r) => this.log.info({ event: 'notify.done', ...r }, 'notify script finished'),
    });
  }

  async start(): Promise<void> {
    await this.ipvs.apply(this.config);
    await this.sync.configure(this.config.sync);
    await this.startTracking(this.config);
    if (this.config.vrrp.length > 0) await this.startVrrp(this.config);
    this.control = new ControlServer({
      path: this.opts.socketPath,
      handlers: {
        ping: async () => ({ pid: process.pid }),
        vrrp: async () => this.vrrpStatus(),
        sync: async () => this.sync.status(),
        reload: async () => this.reload(),
        status: async () => ({
          config: this.config.path,
          format: this.config.format,
          ipvs: this.ipvs.stats(),
          vrrpTimerLateness: this.vrrp ? (await this.vrrp.snapshot()).lateness : null,
          tracking: this.tracker?.snapshot() ?? null,
        }),
      },
    });
    await this.control.listen();
    this.log.info({ event: 'director.start', config: this.config.path, format: this.config.format,
      vrrpInstances: this.config.vrrp.length, services: this.config.services.length }, 'director started');
  }

  /** HUP: validate the whole file first; apply only when it is valid (all or nothing). */
  async reload(): Promise<ReloadOutcome> {
    const r = readConfig(this.config.path);
    if (!r.ok) {
      this.log.error({ event: 'config.reload', ok: false, errors: r.errors }, 'reload refused, running configuration kept');
      return { ok: false, errors: r.errors };
    }
    for (const w of r.warnings) this.log.warn({ event: 'config.warning', warning: w }, 'configuration warning');
    const changed: string[] = [];
    const ops = await this.ipvs.apply(r.config);
    if (ops > 0) changed.push(`ipvs: ${ops} operation(s)`);
    if (JSON.stringify(stripLoc(r.config.sync ?? null)) !== JSON.stringify(stripLoc(this.config.sync ?? null))) changed.push('sync');
    await this.startTracking(r.config);
    if (this.vrrp) this.vrrp.reload(r.config.vrrp, r.config.syncGroups);
    else if (r.config.vrrp.length > 0) await this.startVrrp(r.config);
    await this.sync.configure(r.config.sync);
    if (JSON.stringify(stripLoc(r.config.vrrp)) !== JSON.stringify(stripLoc(this.config.vrrp))) changed.push('vrrp');
    if (JSON.stringify(stripLoc(r.config.tracking ?? null)) !== JSON.stringify(stripLoc(this.config.tracking ?? null))) changed.push('tracking');
    this.config = r.config;
    this.log.info({ event: 'config.reload', ok: true, changed }, 'configuration reloaded');
    return { ok: true, changed };
  }

  /** TERM: masters hand over (priority 0) and release VIPs; the IPVS table stays unless clean-stop. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ event: 'director.stop' }, 'director stopping');
    if (this.vrrp) await this.vrrp.shutdown();
    await this.sync.shutdown();
    this.sync.close();
    this.stopTracking();
    if (this.config.ipvs.cleanStop) await this.ipvs.clean(this.config);
    this.ipvs.close();
    await this.control?.close();
    await this.notify.idle(5000);
    this.log.info({ event: 'director.stopped' }, 'director stopped');
  }

  private async startVrrp(config: Config): Promise<void> {
    const engine = new VrrpEngine(config.vrrp, config.syncGroups, this.opts.vrrpRtPriority);
    engine.on('message', (m) => this.onVrrp(m));
    engine.on('exit', (code) => {
      if (!this.stopping) this.log.error({ event: 'vrrp.worker.exit', code }, 'vrrp worker exited');
    });
    this.vrrp = engine;
    this.pushTracking(engine, config);
    await engine.start();
  }

  private onVrrp(m: FromWorker): void {
    const vlog = this.log.child({ component: 'vrrp' });
    switch (m.type) {
      case 'role': {
        vlog.info({ event: 'vrrp.role', at: new Date(m.atMs).toISOString(), instance: m.instance, from: m.from, to: m.to, reason: m.reason,
          priority: m.priority, master: m.masterAddress }, 'vrrp state change');
        this.runNotify(m.instance, m.to, m.priority);
        this.roles.set(m.instance, m.to);
        this.sync.onRole(m.instance, m.to);
        this.groupNotify(m.instance);
        return;
      }
      case 'vip':
        vlog.info({ event: 'vrrp.vip', at: new Date(m.atMs).toISOString(), instance: m.instance, action: m.action, vip: m.address, iface: m.dev }, 'virtual address change');
        return;
      case 'drop':
        this.dropSummary.add(m.instance ?? '-', m.reason, m.from);
        return;
      case 'error':
        vlog.error({ event: 'vrrp.error', at: new Date(m.atMs).toISOString(), instance: m.instance, what: m.what, err: { code: m.code, message: m.message } }, 'vrrp operation failed');
        return;
      case 'late':
        vlog.warn({ event: 'vrrp.timer.late', at: new Date(m.atMs).toISOString(), instance: m.instance, lateUs: m.lateUs, intervalUs: m.intervalUs },
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

  private readonly dropSummary = new DropSummary((instance, reason, count, from) =>
    this.log.warn({ event: 'vrrp.drop', instance, reason, count, from }, 'vrrp packets dropped'));

  private readonly roles = new Map<string, string>();
  private readonly groupStates = new Map<string, string>();

  /** A sync group's notify scripts run when all members agree (any FAULT makes it FAULT). */
  private groupNotify(instance: string): void {
    for (const g of this.config.syncGroups) {
      if (!g.members.includes(instance)) continue;
      const states = g.members.map((n) => this.roles.get(n) ?? 'INIT');
      const state = states.includes('FAULT') ? 'FAULT' : states.every((x) => x === states[0]) ? states[0] : undefined;
      if (state === undefined || state === 'INIT' || this.groupStates.get(g.name) === state) continue;
      this.groupStates.set(g.name, state);
      this.log.info({ event: 'vrrp.group', group: g.name, state }, 'vrrp sync group state change');
      for (const argv of notifyArgv(g, state, 0)) this.notify.enqueue({ argv, timeoutMs: g.notify.timeoutMs, label: `${g.name} ${state}` });
    }
  }

  private runNotify(instance: string, state: string, priority: number): void {
    const cfg = this.config.vrrp.find((i) => i.name === instance);
    if (!cfg) return;
    for (const argv of notifyArgv(cfg, state, priority)) {
      this.notify.enqueue({ argv, timeoutMs: cfg.notify.timeoutMs, label: `${instance} ${state}` });
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
        ? { at: new Date(i.lastTransition.atMs).toISOString(), from: i.lastTransition.from, to: i.lastTransition.to, reason: i.lastTransition.reason }
        : null,
      faultReason: i.faultReason,
      ...(this.tracker ? { tracks: this.tracker.current(i.name)?.effects ?? [] } : {}),
    }));
  }

  // ---------------------------------------------------------------- tracking (issue 8)
  // vrrp_script / track_interface / track_file / track_process: the Tracker (src/health/track)
  // computes each instance's effective priority and FAULT; the VRRP worker applies them.

  private tracker: Tracker | undefined;
  private trackLinks: LinkWatcher | undefined;

  /**
   * Starts the tracker when the config tracks anything, or updates it on reload. Once started it
   * stays (a reload that drops every track makes it report the configured priorities).
   */
  private async startTracking(config: Config): Promise<void> {
    if (this.tracker) return this.tracker.update(config);
    if (!hasTracking(config)) return;
    const tlog = this.log.child({ component: 'track' });
    const listeners = new Set<(ifname: string, up: boolean) => void>();
    this.trackLinks = await openLinkWatcher({
      onChange: (c) => listeners.forEach((l) => l(c.ifname, c.up)),
      onError: (e) => tlog.warn({ event: 'track.error', what: 'link watcher', err: e }, 'tracking failed'),
    });
    const watcher = this.trackLinks;
    const links: LinkSource = {
      isUp: (ifname) => watcher.state(ifname)?.up,
      subscribe: (cb) => {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
    };
    const tracker = new Tracker({ config, links });
    tracker.on('event', (e) => logTrackerEvent(tlog, e));
    tracker.on('priority', (p) => {
      logTrackedPriority(tlog, p);
      this.vrrp?.track(p.instance, p.priority, p.fault);
    });
    this.tracker = tracker;
    await tracker.start();
  }

  /** A new VRRP engine learns the tracked priorities before its instances start. */
  private pushTracking(engine: VrrpEngine, config: Config): void {
    for (const inst of config.vrrp) {
      const t = this.tracker?.current(inst.name);
      if (t) engine.track(t.instance, t.priority, t.fault);
    }
  }

  private stopTracking(): void {
    this.tracker?.close();
    this.tracker = undefined;
    this.trackLinks?.close();
    this.trackLinks = undefined;
  }
}

function stripLoc(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'at' ? undefined : v)));
}

/** At most one log line per (instance, reason) per period; counts what was folded in. */
class DropSummary {
  private readonly pending = new Map<string, { instance: string; reason: string; count: number; from: string }>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly emit: (instance: string, reason: string, count: number, from: string) => void, private readonly periodMs = 5000) {}

  add(instance: string, reason: string, from: string): void {
    const key = `${instance}\0${reason}`;
    const cur = this.pending.get(key);
    if (cur) {
      cur.count++;
      return;
    }
    this.pending.set(key, { instance, reason, count: 0, from });
    this.emit(instance, reason, 1, from); // the first one is reported at once
    this.timer ??= setInterval(() => this.flush(), this.periodMs).unref();
  }

  private flush(): void {
    for (const [key, p] of this.pending) {
      if (p.count > 0) this.emit(p.instance, p.reason, p.count, p.from);
      this.pending.delete(key);
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
