/**
 * Drives one VRRP instance: feeds packets, timers and commands to the pure machine
 * (machine.ts) and carries out its outputs (send adverts, arm the timer, own the VIPs).
 * Runs inside the VRRP worker. All I/O goes through `RunnerIo`, so tests can drive it.
 */
import type { Clock, OneShotTimer, Us, WallClock } from '../clock.js';
import { serializeError } from '../errors.js';
import type { VrrpInstance, VrrpRole } from '../model/index.js';
import type { DropReason, TransportDropReason } from './codec.js';
import { ReceivedAdverts, SentAdverts } from './advert-memo.js';
import { initialState, step, type Input, type InstanceState, type Output, type StepResult } from './machine.js';
import type { FromWorker, InstanceCounters, InstanceSnapshot } from './messages.js';
import type { LatenessRecorder } from './timers.js';
import type { VrrpPacketIn } from './transport.js';

/**
 * Precise (master-down, preempt) timers are armed this much early; the time left is spent
 * preparing the takeover and then waiting for the deadline on the clock.
 */
const PRECISE_EARLY_MS = 2;
/** Longest busy wait for a master-down deadline (libuv timers have 1 ms granularity and some jitter). */
const PRECISE_SPIN_US = (PRECISE_EARLY_MS + 2) * 1000;

export interface RunnerIo {
  /** Monotonic time for the machine and its deadlines; wall time only for the posted events. */
  readonly clock: Clock & WallClock;
  readonly localAddress: string;
  send(payload: Buffer, dst: string): void;
  /** Synchronously read what is pending on the socket (used before acting on a late timer). */
  drain(): VrrpPacketIn[];
  /**
   * Take the VIPs and start announcing them (GARP / unsolicited NA). `announceNow`: the first
   * burst goes out inside this call instead of at the end of the turn; the runner asks for it
   * on a timer takeover, which nothing read later in the same turn can undo.
   */
  becomeOwner(announceNow: boolean): void;
  /** Get ready for becomeOwner (build its requests) without touching anything live. */
  prepareOwner(): void;
  /** Stop announcing and remove the VIPs. */
  release(): Promise<void>;
  /** Re-announce the VIPs after a lower-priority master was heard (keepalived garp_lower_prio_repeat); absent = nothing. */
  readonly reannounce?: () => void;
  /** The instance's one timer (master-down / advert / preempt deadline), made once; `fn` runs when it expires. */
  oneShot(fn: () => void): OneShotTimer;
  post(m: FromWorker): void;
  readonly lateness: LatenessRecorder;
}

export class InstanceRunner {
  private s: InstanceState;
  private role: VrrpRole = 'INIT';
  private readonly timer: OneShotTimer;
  /** A deadline is pending on `timer`. */
  private armed = false;
  private timerAt: Us = 0;
  private masterAddress: string | null = null;
  /** Source of the last advert accepted in BACKUP (keepalived master_saddr), for skip_check_adv_addr. */
  private checkedFrom: string | null = null;
  /** VIPs may have been left by a previous lvsd (kill -9): keep them until a live master shows up. */
  private releasePending = true;
  private lastTransition: InstanceSnapshot['lastTransition'] = null;
  private readonly received = new ReceivedAdverts();
  private readonly sent = new SentAdverts();
  readonly counters: InstanceCounters = { advertsSent: 0, advertsReceived: 0, drops: {}, checksumForms: {}, becameMaster: 0, staleTimerDeferrals: 0, garpsSent: 0 };

  constructor(
    readonly cfg: VrrpInstance,
    private readonly io: RunnerIo,
  ) {
    this.timer = io.oneShot(() => this.onTimer());
    this.s = initialState({
      version: cfg.version,
      priority: cfg.priority,
      advertIntervalCs: cfg.advertIntervalCs,
      preempt: cfg.preempt,
      preemptDelayUs: cfg.preemptDelayMs * 1000,
      localAddress: io.localAddress,
      initialState: cfg.initialState,
      lowerPrioNoAdvert: cfg.lowerPrioNoAdvert === true,
      higherPrioSendAdvert: cfg.higherPrioSendAdvert === true,
    });
  }

  /** `held`: the instance's VIPs were all in place at start (machine.ts onStartup). */
  start(held = false): void {
    this.feed({ kind: 'startup', at: this.io.clock.nowUs(), held });
  }

  /** Encodes (and keeps, SentAdverts) the first advert of a new master and has the VIP requests built. */
  private prepareTakeover(): void {
    this.sent.encode(this.cfg, this.s.priority, this.io.localAddress);
    this.io.prepareOwner();
  }

  /** Graceful stop: a master sends priority 0 and releases its VIPs (RFC 9568 §6.4.3). */
  async shutdown(): Promise<void> {
    this.feed({ kind: 'shutdown', at: this.io.clock.nowUs() });
    this.disarm();
    await this.io.release();
  }

  setPriority(priority: number): void {
    this.feed({ kind: 'set-priority', at: this.io.clock.nowUs(), priority });
  }

  fault(reason: string): void {
    this.feed({ kind: 'fault', at: this.io.clock.nowUs(), reason });
  }

  faultClear(): void {
    this.feed({ kind: 'fault-clear', at: this.io.clock.nowUs() });
  }

  /** One received VRRP packet whose VRID may or may not be ours. */
  onPacket(p: VrrpPacketIn): void {
    // Unicast adverts may cross routers: keepalived skips the TTL rule for them, and so do we.
    const ttl = this.cfg.unicastPeers.length > 0 ? 255 : p.ttl;
    const skipAddresses = this.cfg.skipCheckAdvAddr === true && this.role === 'BACKUP' && p.src === this.checkedFrom;
    const good = this.received.judge(this.cfg, p, ttl, skipAddresses);
    if (!good.ok) return this.drop(good.reason, p.src);
    const a = good.advert;
    if (this.role === 'BACKUP') this.checkedFrom = p.src;
    this.counters.advertsReceived++;
    bump(this.counters.checksumForms, good.form);
    this.feed({ kind: 'advert', at: p.atUs, from: p.src, priority: a.priority, intervalCs: a.intervalCs });
    if (this.role === 'BACKUP' && a.priority > 0) {
      this.masterAddress = p.src;
      if (this.releasePending) {
        this.releasePending = false;
        void this.io.release();
      }
    }
  }

  snapshot(): InstanceSnapshot {
    return {
      name: this.cfg.name,
      role: this.role,
      version: this.cfg.version,
      family: this.cfg.family,
      interface: this.cfg.interface,
      vrid: this.cfg.vrid,
      priority: { configured: this.cfg.priority, effective: this.s.priority },
      faultReason: this.s.faultReason,
      masterAddress: this.role === 'MASTER' ? this.io.localAddress : this.masterAddress,
      advertIntervalCs: this.cfg.advertIntervalCs,
      masterAdverIntervalCs: this.s.masterAdverIntervalCs,
      counters: structuredClone(this.counters),
      lastTransition: this.lastTransition,
    };
  }

  close(): void {
    this.disarm();
    this.timer.close();
  }

  /** A packet for this instance's socket dropped before decoding (transport.ts: 'ip_header', 'rx_truncated'). */
  dropped(reason: TransportDropReason, from: string): void {
    this.drop(reason, from);
  }

  private drop(reason: DropReason, from: string): void {
    bump(this.counters.drops, reason);
    this.io.post({ type: 'drop', atMs: this.io.clock.nowMs(), instance: this.cfg.name, reason, from, count: 1 });
  }

  private feed(input: Input): void {
    this.commit(step(this.s, input), input);
  }

  /** Takes the machine's new state and carries out its outputs; `cause` is the input they answer. */
  private commit(r: StepResult, cause: Input): void {
    if (r.s.staleDeferrals > this.s.staleDeferrals) this.counters.staleTimerDeferrals++;
    this.s = r.s;
    // A role change goes first: on takeover the VIPs are requested before the advert is
    // encoded and sent (both leave at once; the VIP is what the takeover time is measured by).
    const roleFirst = [...r.out.filter((o) => o.kind === 'role'), ...r.out.filter((o) => o.kind !== 'role')];
    for (const o of roleFirst) this.apply(o, cause);
  }

  private apply(o: Output, cause: Input): void {
    switch (o.kind) {
      case 'send':
        return this.sendAdvert(o.priority);
      case 'arm':
        return this.arm(o.at);
      case 'disarm':
        return this.disarm();
      case 'role':
        return this.changeRole(o.role, o.reason, cause);
      case 'announce':
        return this.io.reannounce?.();
      default: {
        const never: never = o;
        throw new Error(`unhandled machine output ${JSON.stringify(never)}`);
      }
    }
  }

  private sendAdvert(priority: number): void {
    for (const { dst, buf } of this.sent.encode(this.cfg, priority, this.io.localAddress)) {
      try {
        this.io.send(buf, dst);
        this.counters.advertsSent++;
      } catch (e) {
        this.io.post({ type: 'error', atMs: this.io.clock.nowMs(), instance: this.cfg.name, what: `send advert to ${dst}`, error: serializeError(e) });
      }
    }
  }

  /** start() replaces a pending deadline: no stop first. */
  private arm(at: Us): void {
    this.timerAt = at;
    // The master-down timer decides how fast we take over: arm it a little early and finish
    // the wait in onTimer, since libuv timers have 1 ms granularity. Advert timers (MASTER)
    // need no such precision.
    const waitMs = (at - this.io.clock.nowUs()) / 1000;
    const delayMs = Math.max(0, this.precise() ? Math.floor(waitMs) - PRECISE_EARLY_MS : Math.ceil(waitMs));
    this.armed = true;
    this.timer.start(delayMs);
  }

  private disarm(): void {
    if (this.armed) this.timer.stop();
    this.armed = false;
  }

  private onTimer(): void {
    this.armed = false;
    const now = this.io.clock.nowUs();
    if (now < this.timerAt && !(this.precise() && this.timerAt - now <= PRECISE_SPIN_US)) return this.arm(this.timerAt);
    if (now < this.timerAt) return this.onTimerEarly();
    const lateUs = now - this.timerAt;
    this.io.lateness.record(lateUs);
    const intervalUs = this.cfg.advertIntervalCs * 10_000;
    if (lateUs > intervalUs / 2) this.io.post({ type: 'late', atMs: this.io.clock.nowMs(), instance: this.cfg.name, lateUs, intervalUs });
    // Read what arrived while we were not scheduled before judging the peer (stale data rule).
    if (lateUs > 1000) for (const p of this.io.drain()) this.onPacket(p);
    if (this.armed) return; // an advert re-armed the timer
    this.feed({ kind: 'timer', at: now, lateUs });
  }

  /**
   * A precise timer woken early on purpose (PRECISE_EARLY_MS before its deadline). The machine's
   * answer to the deadline is worked out now (step is pure) and its takeover prepared; then the
   * deadline is waited for on the clock and, unless a packet changed anything meanwhile, that
   * answer is carried out at once, VIP requests first. Measured with temporary probes on the
   * failover bench, master-down deadline to VIP request: ~0.95 ms when all of this happened after
   * the deadline on cold code, ~0.2 ms with the requests built ahead and eager compilation
   * (worker-entry.ts).
   */
  private onTimerEarly(): void {
    for (const p of this.io.drain()) this.onPacket(p);
    if (this.armed) return; // an advert came: the master lives
    const at = this.timerAt;
    const decidedOn = this.s;
    const deadline: Input = { kind: 'timer', at, lateUs: 0 };
    const due = step(decidedOn, deadline);
    this.prepareTakeover();
    let now = this.io.clock.nowUs();
    while (now < at) now = this.io.clock.nowUs(); // at most PRECISE_SPIN_US, master-down / preempt only
    // What came while we waited goes first (stale data rule); an advert re-arms the timer.
    for (const p of this.io.drain()) this.onPacket(p);
    if (this.armed) return;
    this.io.lateness.record(now - at);
    if (this.s === decidedOn) this.commit(due, deadline);
    else this.feed({ kind: 'timer', at: now, lateUs: now - at });
  }

  /** Master-down (and preempt) timers are waited for to the microsecond; advert timers are not. */
  private precise(): boolean {
    return this.role !== 'MASTER';
  }

  /** `cause`: a master that steps down for a better advert names its sender as the new master. */
  private changeRole(to: VrrpRole, reason: string, cause: Input): void {
    const from = this.role;
    if (from === to) return;
    this.role = to;
    const atMs = this.io.clock.nowMs();
    this.lastTransition = { atMs, from, to, reason };
    if (to === 'MASTER') {
      this.counters.becameMaster++;
      this.masterAddress = this.io.localAddress;
      this.releasePending = false;
      // A master-down (or preempt) deadline: no packet is read after it in this turn, so the
      // GARP need not wait for the turn's end, behind the role message and the advert.
      this.io.becomeOwner(cause.kind === 'timer');
    } else if (from === 'MASTER') {
      this.masterAddress = cause.kind === 'advert' && cause.priority > 0 ? cause.from : null;
      void this.io.release();
    } else if (to === 'FAULT') {
      void this.io.release();
    }
    this.io.post({ type: 'role', atMs, instance: this.cfg.name, from, to, reason, priority: this.s.priority,
      masterAddress: to === 'MASTER' ? this.io.localAddress : this.masterAddress });
  }
}

function bump<K extends string>(m: Partial<Record<K, number>>, key: K): void {
  m[key] = (m[key] ?? 0) + 1;
}
