/**
 * Everything the VRRP worker does with its instances, with every part passed in: one
 * InstanceRunner and one Owner per instance, on a shared socket from the transport source,
 * FAULT from three sources joined by a FaultGate per instance (link loss from the link source,
 * tracking from the main thread, the sync-group policy of sync-group.ts), the tracked effective
 * priority, reloads that restart only what changed. vrrp/worker.ts builds the real parts in the worker thread; unit
 * tests build fakes (supervisor.test.ts), so no state lives in module variables.
 */
import { oneShotOf, type OneShotTimer, type Time } from '../clock.js';
import type { VrrpInstance, VrrpSyncGroup } from '../model/index.js';
import type { RouteManager, VipManager } from '../net/index.js';
import type { FromWorker, InstanceSnapshot } from './messages.js';
import { FaultGate } from './fault-gate.js';
import { Owner, type Announcer } from './owner.js';
import type { PoolListener } from './pool.js';
import { InstanceRunner } from './runner.js';
import { SyncGroups } from './sync-group.js';
import type { LatenessRecorder } from './timers.js';
import type { VrrpPacketIn } from './transport.js';

/** Shared VRRP sockets by (family, interface, mode); TransportPool (pool.ts) is the real one. */
export interface TransportSource {
  acquire(cfg: VrrpInstance, listener: PoolListener): { readonly localAddress: string; send(payload: Buffer, dst: string): void };
  /** What is queued for `cfg` right now (others' packets go to their instances). */
  drain(cfg: VrrpInstance): VrrpPacketIn[];
  release(cfg: VrrpInstance): void;
}

/** Link state per instance (its interface and track_interface); LinkTracker (link-tracker.ts) is the real one. */
export interface LinkSource {
  watch(cfg: VrrpInstance, cb: { fault: (why: string) => void; clear: () => void }): void;
  unwatch(name: string): void;
}

export interface SupervisorDeps {
  readonly time: Time;
  readonly post: (m: FromWorker) => void;
  readonly transports: TransportSource;
  readonly links: LinkSource;
  readonly vips: VipManager;
  readonly routes?: RouteManager;
  readonly announcer: Announcer;
  readonly lateness: LatenessRecorder;
  /** Each runner's reusable timer (the worker's is native/timer.c); default: one over `time`'s timers. */
  readonly oneShot?: (fn: () => void) => OneShotTimer;
}

export class VrrpSupervisor {
  private readonly runners = new Map<string, InstanceRunner>();
  /** Per instance: link, tracking and sync group faults combined into the machine's one flag. */
  private readonly gates = new Map<string, FaultGate>();
  /** The last tracking word per instance (the main thread's tracker is the authority on effective priority). */
  private readonly tracked = new Map<string, { readonly priority: number; readonly fault: string | null }>();
  private readonly groups: SyncGroups;

  constructor(syncGroups: readonly VrrpSyncGroup[], private readonly deps: SupervisorDeps) {
    this.groups = new SyncGroups(syncGroups, {
      force: (a) => this.gates.get(a.instance)?.set('sync', a.action === 'fault' ? a.reason : null),
      groupState: (g, state) => deps.post({ type: 'group', atMs: deps.time.nowMs(), group: g.name, state }),
    });
  }

  /**
   * The first start of this lvsd: an instance outside any sync group that finds its VIPs in
   * place resumes MASTER (machine.ts onStartup); reloads start new instances as usual.
   */
  async start(instances: readonly VrrpInstance[]): Promise<void> {
    const owners = instances.map((cfg) => this.ownerOf(cfg));
    const held = await Promise.all(instances.map((cfg, i) => (this.groups.member(cfg.name) ? false : owners[i]?.held())));
    instances.forEach((cfg, i) => this.startInstance(cfg, held[i] === true, owners[i]));
  }

  /** Stops removed instances, starts added ones, restarts changed ones (a priority change alone is applied in place). */
  async reload(next: readonly VrrpInstance[], syncGroups: readonly VrrpSyncGroup[]): Promise<void> {
    this.groups.reconfigure(syncGroups);
    const byName = new Map(next.map((i) => [i.name, i]));
    const added: string[] = [], removed: string[] = [], changed: string[] = [];
    for (const name of [...this.runners.keys()]) {
      if (byName.has(name)) continue;
      removed.push(name);
      await this.stopInstance(name);
    }
    for (const cfg of next) {
      const cur = this.runners.get(cfg.name);
      if (!cur) {
        added.push(cfg.name);
        this.startInstance(cfg);
      } else if (!sameConfig(cur.cfg, cfg)) {
        changed.push(cfg.name);
        await this.change(cur, cfg);
      }
    }
    this.deps.post({ type: 'reloaded', added, removed, changed });
  }

  /** Graceful: every master sends priority 0 and releases its VIPs. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.runners.keys()].map((n) => this.stopInstance(n)));
  }

  /** Tracking changed an instance's effective priority or FAULT; kept across restarts of the instance. */
  track(instance: string, priority: number, fault: string | null): void {
    this.tracked.set(instance, { priority, fault });
    this.applyTrack(instance);
  }

  snapshot(): InstanceSnapshot[] {
    return [...this.runners.values()].map((r) => r.snapshot());
  }

  private async change(cur: InstanceRunner, cfg: VrrpInstance): Promise<void> {
    if (sameConfig({ ...cur.cfg, priority: cfg.priority }, cfg)) {
      cur.setPriority(this.tracked.get(cfg.name)?.priority ?? cfg.priority);
      (cur as { cfg: VrrpInstance }).cfg = cfg;
      return;
    }
    await this.stopInstance(cfg.name);
    this.startInstance(cfg);
  }

  private ownerOf(cfg: VrrpInstance): Owner {
    const { deps } = this;
    return new Owner(cfg, {
      vips: deps.vips, ...(deps.routes ? { routes: deps.routes } : {}), announcer: deps.announcer, time: deps.time, post: deps.post, ifname: cfg.vmac?.ifname ?? cfg.interface,
      onAnnounced: () => {
        const r = this.runners.get(cfg.name);
        if (r) r.counters.garpsSent++;
      },
    });
  }

  private startInstance(cfg: VrrpInstance, held = false, owner = this.ownerOf(cfg)): void {
    const { deps } = this;
    const transport = deps.transports.acquire(cfg, {
      packet: (p) => this.runners.get(cfg.name)?.onPacket(p),
      drop: (reason, from) => this.runners.get(cfg.name)?.dropped(reason, from),
    });
    const runner = new InstanceRunner(cfg, {
      clock: deps.time,
      localAddress: cfg.unicastSrc ?? transport.localAddress,
      send: (buf, dst) => transport.send(buf, dst),
      drain: () => deps.transports.drain(cfg),
      becomeOwner: (announceNow) => owner.take(announceNow),
      prepareOwner: () => owner.prepare(),
      release: () => owner.release(),
      reannounce: () => owner.reannounce(),
      oneShot: (fn) => (deps.oneShot ? deps.oneShot(fn) : oneShotOf(deps.time, fn)),
      post: (m) => this.onRunner(m),
      lateness: deps.lateness,
    });
    this.runners.set(cfg.name, runner);
    const gate = new FaultGate(runner);
    this.gates.set(cfg.name, gate);
    this.applyTrack(cfg.name);
    this.groups.starting(cfg.name);
    runner.start(held);
    deps.links.watch(cfg, { fault: (why) => gate.set('link', why), clear: () => gate.set('link', null) });
  }

  private applyTrack(name: string): void {
    const t = this.tracked.get(name);
    const r = this.runners.get(name);
    if (!t || !r) return;
    r.setPriority(t.priority);
    this.gates.get(name)?.set('track', t.fault);
  }

  private async stopInstance(name: string): Promise<void> {
    const r = this.runners.get(name);
    if (!r) return;
    await r.shutdown();
    r.close();
    this.runners.delete(name);
    this.gates.delete(name);
    this.deps.links.unwatch(name);
    this.deps.transports.release(r.cfg);
  }

  /** Every runner event goes to the main thread; role changes also feed the sync groups. */
  private onRunner(m: FromWorker): void {
    this.deps.post(m);
    if (m.type === 'role') this.groups.onRole(m.instance, m.from, m.to);
  }
}

/** Instances compared without their source locations. */
function sameConfig(a: VrrpInstance, b: VrrpInstance): boolean {
  const strip = (x: VrrpInstance): string => JSON.stringify(x, (k, v: unknown) => (k === 'at' ? undefined : v));
  return strip(a) === strip(b);
}

