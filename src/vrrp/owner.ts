/**
 * Owning the VIPs of an instance while it is master: add them (VipManager), announce them
 * (Announcer: gratuitous ARP / unsolicited NA) on the schedule of announce.ts, and remove them
 * on release. Runs in the VRRP worker, which passes the real parts (vrrp/worker.ts); every
 * part, timers included, is injected so the schedule is tested under a fake clock.
 */
import type { Timers, TimerHandle, WallClock } from '../clock.js';
import { serializeError } from '../errors.js';
import { compareAddresses, type IpFamily, type Vip, type VrrpInstance } from '../model/index.js';
import { describeRoute, describeRule, type RouteManager, type VipManager, type VipSpec } from '../net/index.js';
import { refreshBurst, takeoverBursts, type AnnounceBurst } from './announce.js';
import type { FromWorker } from './messages.js';

/** Sends one announcement of a VIP the caller now owns. */
export interface Announcer {
  /** One gratuitous ARP (IPv4) or unsolicited NA (IPv6) for `address` on `dev`; throws KernelError. */
  announce(dev: string, address: string, family: IpFamily): void;
}

export interface OwnerDeps {
  readonly vips: VipManager;
  /** For virtual_routes / virtual_rules; absent: an instance with some reports them as not installed. */
  readonly routes?: RouteManager;
  readonly announcer: Announcer;
  readonly time: Timers & WallClock;
  readonly post: (m: FromWorker) => void;
  readonly ifname: string;
  /** Called once per gratuitous ARP / unsolicited NA sent. */
  readonly onAnnounced?: () => void;
}

export class Owner {
  private readonly timers = new Set<TimerHandle>();
  private generation = 0;

  constructor(private readonly cfg: VrrpInstance, private readonly deps: OwnerDeps) {}

  /** The VIPs and the excluded addresses (keepalived vrrp_send_link_update announces both). */
  private get owned(): readonly Vip[] {
    return this.cfg.excludedVips === undefined ? this.cfg.vips : [...this.cfg.vips, ...this.cfg.excludedVips];
  }

  /**
   * Whether every VIP (and excluded address) is on its device with its prefix: what a master
   * leaves behind when its lvsd dies without releasing them. False when there are none or the
   * kernel cannot say.
   */
  async held(): Promise<boolean> {
    const want = this.owned.map((v) => this.spec(v));
    if (want.length === 0) return false;
    try {
      const have = (await Promise.all([...new Set(want.map((w) => w.dev))].map((d) => this.deps.vips.list(d)))).flat();
      return want.every((w) => have.some((h) => h.dev === w.dev && h.family === w.family && h.prefix === w.prefix && compareAddresses(h.address, w.address) === 0));
    } catch {
      return false;
    }
  }

  /** Builds the VIP requests ahead of a takeover; a VIP that cannot be built is reported by take(). */
  prepare(): void {
    for (const v of this.owned) {
      try {
        this.deps.vips.prepareAdd(this.spec(v));
      } catch {
        // take() reports it, with the same error, if this instance ever becomes master
      }
    }
  }

  /**
   * Add every VIP and announce them at once, then keep the announcement schedule. The add
   * requests leave before add() returns, and rtnetlink carries a request out inside that send
   * (the kernel handles it in the sender's context), so the VIPs are in place here: the takeover
   * burst goes at the end of this turn (with `announceNow`, inside this call), as keepalived's
   * right after its netlink exchange, not a turn of the event loop later when the acks are read
   * (bench/dr-failover --wire, 100 ms adverts, under emulation: VIP -> GARP at the client,
   * median of 4-5 runs, 11.5 ms a turn later vs 5.4 ms for keepalived; 4.2 ms vs 1.6 ms at the
   * end of the turn; 10 runs: 0.8 ms vs 4.3 ms inside the call). A VIP the kernel refuses is
   * still reported by add(); the later bursts wait for every answer as before.
   */
  take(announceNow = false): void {
    const gen = ++this.generation;
    const added = Promise.all(this.owned.map((v) => this.add(v)));
    const [first, ...rest] = takeoverBursts(this.cfg.garp);
    const now = first?.atMs === 0 ? first : undefined;
    // After the caller's turn (a microtask): a takeover undone in the same turn (an advert read
    // right after it) announces nothing, so it cannot steal the clients from the real master.
    // With announceNow (a timer takeover, which nothing in the turn can undo), at once.
    if (now && announceNow) this.burst(now, gen);
    else if (now) queueMicrotask(() => this.burst(now, gen));
    void added.then(() => {
      if (gen !== this.generation) return; // released meanwhile
      for (const b of now ? rest : takeoverBursts(this.cfg.garp)) this.schedule(b, gen);
      const refresh = refreshBurst(this.cfg.garp);
      if (refresh) this.refreshEvery(refresh, gen);
      return this.installRoutes(gen);
    });
  }

  /**
   * A lower-priority master was heard while we own the VIPs: garp.lowerPrioRepeat packets now
   * and again garp.lowerPrioDelayMs later (keepalived vrrp_state_master_rx and
   * vrrp_lower_prio_gratuitous_arp_thread: both bursts back to back, no vrrp_garp_interval).
   */
  reannounce(): void {
    const count = this.cfg.garp.lowerPrioRepeat ?? 0;
    if (count === 0) return;
    const gen = this.generation;
    const burst = { atMs: 0, count, gapMs: 0 };
    this.burst(burst, gen);
    const delayMs = this.cfg.garp.lowerPrioDelayMs ?? 0;
    if (delayMs > 0) this.later(delayMs, () => this.burst(burst, gen));
  }

  /**
   * Stop announcing and remove every VIP (idempotent). A take() while the routes go (the
   * runner can release and take over in one turn: a backup's first advert heard, then its
   * master-down deadline) keeps the VIPs: removing them after it would leave a master without them.
   */
  async release(): Promise<void> {
    const gen = ++this.generation;
    for (const t of this.timers) this.deps.time.clearTimer(t);
    this.timers.clear();
    await this.removeRoutes();
    if (gen !== this.generation) return;
    await Promise.all(this.owned.map((v) => this.remove(v)));
  }

  /**
   * keepalived vrrp_state_become_master: routes, then rules, once the VIPs are in (a route's
   * `src` may be a VIP); in order, each after the previous answered. A refusal is reported and
   * the rest still go in.
   */
  private async installRoutes(gen: number): Promise<void> {
    const { routes = [], rules = [] } = this.cfg;
    if (routes.length + rules.length === 0) return;
    const m = this.deps.routes;
    if (m === undefined) return this.error('add routes', new Error('no route manager'));
    for (const r of routes) {
      if (gen !== this.generation) return;
      await m.addRoute(r).catch((e: unknown) => this.error(`add route ${describeRoute(r)}`, e));
    }
    for (const r of rules) {
      if (gen !== this.generation) return;
      await m.addRule(r).catch((e: unknown) => this.error(`add rule ${describeRule(r)}`, e));
    }
  }

  /** Rules, then routes, before the VIPs go (the reverse of installRoutes); idempotent. */
  private async removeRoutes(): Promise<void> {
    const { routes = [], rules = [] } = this.cfg;
    const m = this.deps.routes;
    if (m === undefined) return;
    for (const r of rules) await m.removeRule(r).catch((e: unknown) => this.error(`remove rule ${describeRule(r)}`, e));
    for (const r of routes) await m.removeRoute(r).catch((e: unknown) => this.error(`remove route ${describeRoute(r)}`, e));
  }

  private schedule(b: AnnounceBurst, gen: number): void {
    if (b.atMs === 0) return this.burst(b, gen);
    this.later(b.atMs, () => this.burst(b, gen));
  }

  /** The burst's first packets now (all of them when back to back), the others `gapMs` apart. */
  private burst(b: AnnounceBurst, gen: number): void {
    for (let i = 0; i < b.count; i++) {
      if (b.gapMs === 0 || i === 0) this.announceAll(gen);
      else this.later(i * b.gapMs, () => this.announceAll(gen));
    }
  }

  /** A burst every `everyMs` while this generation lasts (garp_master_refresh). */
  private refreshEvery(b: AnnounceBurst & { readonly everyMs: number }, gen: number): void {
    this.later(b.everyMs, () => {
      if (gen !== this.generation) return;
      this.burst(b, gen);
      this.refreshEvery(b, gen);
    });
  }

  /** A one-shot timer that forgets itself when it fires. */
  private later(ms: number, fn: () => void): void {
    const t = this.deps.time.setTimer(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private announceAll(gen: number): void {
    if (gen !== this.generation) return;
    for (const v of this.owned) {
      const dev = v.dev ?? this.deps.ifname;
      try {
        this.deps.announcer.announce(dev, v.address, v.family);
        this.deps.onAnnounced?.();
      } catch (e) {
        this.error(`announce ${v.address} on ${dev}`, e);
      }
    }
  }

  private spec(v: Vip): VipSpec {
    return { address: v.address, family: v.family, prefix: v.prefix, dev: v.dev ?? this.deps.ifname, label: v.label };
  }

  private async add(v: Vip): Promise<void> {
    const spec = this.spec(v);
    try {
      const action = await this.deps.vips.add(spec);
      this.deps.post({ type: 'vip', atMs: this.deps.time.nowMs(), instance: this.cfg.name, action, address: v.address, dev: spec.dev });
    } catch (e) {
      this.error(`add VIP ${v.address}/${v.prefix} on ${spec.dev}`, e);
    }
  }

  private async remove(v: Vip): Promise<void> {
    const spec = this.spec(v);
    try {
      const action = await this.deps.vips.remove(spec);
      if (action === 'removed') {
        this.deps.post({ type: 'vip', atMs: this.deps.time.nowMs(), instance: this.cfg.name, action, address: v.address, dev: spec.dev });
      }
    } catch (e) {
      this.error(`remove VIP ${v.address}/${v.prefix} from ${spec.dev}`, e);
    }
  }

  private error(what: string, e: unknown): void {
    this.deps.post({ type: 'error', atMs: this.deps.time.nowMs(), instance: this.cfg.name, what, error: serializeError(e) });
  }
}
