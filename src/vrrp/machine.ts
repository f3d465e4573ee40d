/**
 * The VRRP state machine of RFC 5798 §6.4 / RFC 9568 §6.4, pure, time injected (docs/design.md
 * "Pure cores and edges").
 * One timer: Master_Down_Timer in BACKUP, Adver_Timer in MASTER. The driver (vrrp/worker.ts)
 * arms a real timer on every 'arm' output, cancels it on 'disarm', and feeds the firing back
 * as { kind: 'timer', at, lateUs }. Adverts arrive already decoded and checked (codec.ts,
 * rules.ts). keepalived's FAULT state (track_interface) is added; its other extensions are not.
 * One of lvsd's own: a shorter first wait for an instance that starts holding its VIPs (onStartup).
 */
import type { Us } from '../clock.js';
import { compareAddresses, type VrrpRole } from '../model/index.js';
import { masterDownUs, ownIntervalCs, skewUs, TIMER_EARLY_TOLERANCE_US } from './intervals.js';

export interface MachineConfig {
  readonly version: 2 | 3;
  /** 1-255; 255 = address owner (RFC 5798 §6.1). */
  readonly priority: number;
  /** Own Advertisement_Interval. v2 uses whole seconds, rounded up (codec v2IntervalS). */
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  /** keepalived preempt_delay, in µs; 0 = none. */
  readonly preemptDelayUs: Us;
  /** Our primary address on the interface (IPv6: link-local), for the equal-priority tie. */
  readonly localAddress: string;
  /**
   * keepalived `state`. Only informational for non-owners: keepalived 2.2.7 with
   * `state MASTER` and priority < 255 still enters BACKUP and waits the full
   * Master_Down_Interval (observed here: started 14:35:41, first advert 14:35:44.96 at 1 s /
   * prio 100; keepalived.conf(5): "wait between 3 and 4 advert intervals"). We do the same.
   * An owner (255) goes to MASTER at startup whatever the hint (RFC 5798 §6.4.1).
   */
  readonly initialState?: 'MASTER' | 'BACKUP';
  /** keepalived lower_prio_no_advert: a master ignores a lower-priority advert instead of answering it. */
  readonly lowerPrioNoAdvert?: boolean;
  /** keepalived higher_prio_send_advert: a master sends one advert (its priority) before yielding. */
  readonly higherPrioSendAdvert?: boolean;
}

export interface InstanceState {
  readonly cfg: MachineConfig;
  readonly role: VrrpRole;
  /** Effective priority (config, or the last set-priority). */
  readonly priority: number;
  /** v3 Master_Adver_Interval (learned from the master's adverts); v2: own interval. */
  readonly masterAdverIntervalCs: number;
  /** When the one timer is due, or null when disarmed. */
  readonly timerAt: Us | null;
  readonly masterAddress: string | null;
  readonly masterPriority: number | null;
  /** keepalived preempt_time: lower-priority adverts are accepted until then; null = not started. */
  readonly preemptAt: Us | null;
  /** Consecutive stale down-timer firings deferred (0 or 1; reset by any accepted advert). */
  readonly staleDeferrals: number;
  /** All deferrals since start (for counters). */
  readonly staleDeferralsTotal: number;
  readonly faultReason: string | null;
}

export type Input =
  /** `held`: every VIP of the instance was on its device at start (an lvsd killed while master left them). */
  | { readonly kind: 'startup'; readonly at: Us; readonly held?: boolean }
  | { readonly kind: 'advert'; readonly at: Us; readonly from: string; readonly priority: number; readonly intervalCs: number }
  | { readonly kind: 'timer'; readonly at: Us; readonly lateUs: Us }
  | { readonly kind: 'shutdown'; readonly at: Us }
  | { readonly kind: 'fault'; readonly at: Us; readonly reason: string }
  | { readonly kind: 'fault-clear'; readonly at: Us }
  | { readonly kind: 'set-priority'; readonly at: Us; readonly priority: number };

/**
 * 'send': transmit one advert now with this priority (0 = resign). 'arm': (re)arm the one
 * timer for absolute time `at`, replacing any armed one. 'disarm': cancel it. 'role': the
 * instance changed role (VIPs, GARP, notify scripts are the driver's business). 'announce':
 * a master heard a lower-priority master, so re-announce the VIPs (keepalived
 * garp_lower_prio_repeat; the driver knows how many, and whether at all).
 */
export type Output =
  | { readonly kind: 'send'; readonly priority: number }
  | { readonly kind: 'arm'; readonly at: Us }
  | { readonly kind: 'disarm' }
  | { readonly kind: 'role'; readonly role: VrrpRole; readonly reason: string }
  | { readonly kind: 'announce' };

export interface StepResult {
  readonly s: InstanceState;
  readonly out: readonly Output[];
}

/** RFC 5798 §6.1: priority 255 is the address owner. */
export const PRIORITY_OWNER = 255;
const isOwner = (priority: number): boolean => priority === PRIORITY_OWNER;

export function initialState(cfg: MachineConfig): InstanceState {
  return {
    cfg, role: 'INIT', priority: cfg.priority, masterAdverIntervalCs: ownIntervalCs(cfg), timerAt: null,
    masterAddress: null, masterPriority: null, preemptAt: null, staleDeferrals: 0, staleDeferralsTotal: 0, faultReason: null,
  };
}

const noop = (s: InstanceState): StepResult => ({ s, out: [] });

/** Become MASTER: send an advert, Adver_Timer := Advertisement_Interval (RFC 5798 §6.4.1/§6.4.2). */
function toMaster(s: InstanceState, at: Us, reason: string): StepResult {
  const next: InstanceState = {
    ...s, role: 'MASTER', timerAt: at + ownIntervalCs(s.cfg) * 10_000, masterAddress: s.cfg.localAddress,
    masterPriority: s.priority, staleDeferrals: 0, faultReason: null,
  };
  return { s: next, out: [{ kind: 'send', priority: s.priority }, { kind: 'arm', at: next.timerAt ?? at }, { kind: 'role', role: 'MASTER', reason }] };
}

/**
 * Enter BACKUP with a fresh Master_Down_Timer: RFC 5798 §6.4.1 (v3: Master_Adver_Interval :=
 * Advertisement_Interval). Also used for fault-clear, as keepalived vrrp_state_leave_fault.
 */
function toBackupFresh(s: InstanceState, at: Us, reason: string, waitUs?: Us): StepResult {
  const mai = ownIntervalCs(s.cfg);
  const timerAt = at + (waitUs ?? masterDownUs(s.cfg.version, s.priority, mai));
  const next: InstanceState = {
    ...s, role: 'BACKUP', masterAdverIntervalCs: mai, timerAt, masterAddress: null, masterPriority: null,
    preemptAt: null, staleDeferrals: 0, faultReason: null,
  };
  return { s: next, out: [{ kind: 'arm', at: timerAt }, { kind: 'role', role: 'BACKUP', reason }] };
}

/**
 * RFC 5798 §6.4.1: owner → MASTER at once; everyone else → BACKUP and wait for the down timer.
 * lvsd's one addition: an instance that starts holding its VIPs (lvsd restarted, kill -9 or a
 * crash, while master: a graceful stop releases them) waits one Master_Adver_Interval + Skew_Time
 * instead of three. A live master's next advert comes within that wait, and then everything is as
 * usual (the timer restarts in full, preemption and nopreempt as configured); if none comes, no
 * one took over, and this master is back before the backup's down timer (three intervals from the
 * last advert before the restart) runs out, so the VIPs never move. keepalived 2.2.7 waits the
 * full Master_Down_Interval whatever it holds: its backup takes over, then the restarted master
 * preempts back. A master whose one advert is lost in that wait would be met by a second master,
 * and the adverts settle it by priority as any election.
 */
function onStartup(s: InstanceState, at: Us, held: boolean): StepResult {
  if (s.role !== 'INIT') return noop(s);
  if (isOwner(s.priority)) return toMaster(s, at, 'startup as address owner (priority 255)');
  if (!held) return toBackupFresh(s, at, 'startup');
  const mai = ownIntervalCs(s.cfg);
  return toBackupFresh(s, at, 'startup holding its VIPs: master unless an advert comes within one interval', mai * 10_000 + skewUs(s.cfg.version, s.priority, mai));
}

/** (v3) adopt the advertised interval, RFC 5798 §6.4.2 / §6.4.3; v2 never learns. */
function learnedInterval(s: InstanceState, intervalCs: number): number {
  return s.cfg.version === 3 && intervalCs > 0 ? intervalCs : s.masterAdverIntervalCs;
}

/**
 * keepalived preempt_delay (vrrp.c vrrp_state_backup): while the delay runs, a lower-priority
 * master's adverts are still accepted (they reset the down timer); the delay starts at the
 * first such advert and is cancelled by any advert of priority ≥ ours. Once it has run out the
 * lower-priority adverts are discarded, so the down timer expires and we preempt:
 * takeover ≈ preempt_delay + Master_Down_Interval after the lower master is first seen.
 */
function preemptDelayRunning(s: InstanceState, at: Us): boolean {
  return s.cfg.preemptDelayUs > 0 && (s.preemptAt === null || s.preemptAt > at);
}

function nextPreemptAt(s: InstanceState, at: Us, advertPriority: number): Us | null {
  if (s.cfg.preemptDelayUs <= 0 || advertPriority >= s.priority) return null;
  return s.preemptAt ?? at + s.cfg.preemptDelayUs;
}

/** RFC 5798 §6.4.2, BACKUP receiving an ADVERTISEMENT. */
function backupOnAdvert(s: InstanceState, i: Extract<Input, { kind: 'advert' }>): StepResult {
  if (i.priority === 0) {
    // "If the Priority in the ADVERTISEMENT is zero, then: Set the Master_Down_Timer to Skew_Time"
    const timerAt = i.at + skewUs(s.cfg.version, s.priority, s.masterAdverIntervalCs);
    return { s: { ...s, timerAt, staleDeferrals: 0 }, out: [{ kind: 'arm', at: timerAt }] };
  }
  const accept = !s.cfg.preempt || i.priority >= s.priority || preemptDelayRunning(s, i.at);
  // "else (preempt on, lower priority): discard the ADVERTISEMENT" — the timer keeps running.
  if (!accept) return noop(s);
  const mai = learnedInterval(s, i.intervalCs);
  const timerAt = i.at + masterDownUs(s.cfg.version, s.priority, mai);
  const next: InstanceState = {
    ...s, masterAdverIntervalCs: mai, timerAt, masterAddress: i.from, masterPriority: i.priority,
    preemptAt: nextPreemptAt(s, i.at, i.priority), staleDeferrals: 0,
  };
  return { s: next, out: [{ kind: 'arm', at: timerAt }] };
}

/** RFC 5798 §6.4.3 / RFC 9568 §6.4.3, MASTER receiving an ADVERTISEMENT. */
function masterOnAdvert(s: InstanceState, i: Extract<Input, { kind: 'advert' }>): StepResult {
  if (i.priority === 0) {
    // "Send an ADVERTISEMENT; Reset the Adver_Timer to Advertisement_Interval"
    const timerAt = i.at + ownIntervalCs(s.cfg) * 10_000;
    return { s: { ...s, timerAt }, out: [{ kind: 'send', priority: s.priority }, { kind: 'arm', at: timerAt }] };
  }
  const cmp = compareAddresses(i.from, s.cfg.localAddress);
  if (i.priority > s.priority || (i.priority === s.priority && cmp > 0)) {
    // "Cancel Adver_Timer; (v3) Set Master_Adver_Interval to Adver Interval contained in the
    // ADVERTISEMENT; Recompute Skew_Time and Master_Down_Interval; Set Master_Down_Timer; → Backup"
    const mai = learnedInterval(s, i.intervalCs);
    const timerAt = i.at + masterDownUs(s.cfg.version, s.priority, mai);
    const reason = i.priority > s.priority ? 'higher priority advert' : 'equal priority advert from higher address';
    const next: InstanceState = {
      ...s, role: 'BACKUP', masterAdverIntervalCs: mai, timerAt, masterAddress: i.from, masterPriority: i.priority,
      preemptAt: null, staleDeferrals: 0,
    };
    // keepalived higher_prio_send_advert (vrrp.c vrrp_state_master_rx): one advert at our priority first
    const first: Output[] = s.cfg.higherPrioSendAdvert === true ? [{ kind: 'send', priority: s.priority }] : [];
    return { s: next, out: [...first, { kind: 'arm', at: timerAt }, { kind: 'role', role: 'BACKUP', reason }] };
  }
  // Our own advert looped back (same priority, same address): keepalived only warns. Ignore.
  if (cmp === 0 && i.priority === s.priority) return noop(s);
  // RFC 9568 §6.4.3: lower priority (or equal from a lower address) → discard and
  // "send an ADVERTISEMENT immediately to assert the Active role" (keepalived: "forcing new election",
  // unless lower_prio_no_advert), and keepalived re-announces the VIPs (garp_lower_prio_repeat).
  const assert: Output[] = s.cfg.lowerPrioNoAdvert === true ? [] : [{ kind: 'send', priority: s.priority }];
  return { s, out: [...assert, { kind: 'announce' }] };
}

function onAdvert(s: InstanceState, i: Extract<Input, { kind: 'advert' }>): StepResult {
  if (s.role === 'BACKUP') return backupOnAdvert(s, i);
  if (s.role === 'MASTER') return masterOnAdvert(s, i);
  return noop(s); // INIT and FAULT do not listen
}

/**
 * Stale data rule (not in the RFC). A down timer that fires late means our event loop was
 * stalled (GC, a busy main thread): adverts may be sitting unread in the socket buffer, and
 * declaring the master dead now would be a false takeover. So if the BACKUP down timer fires
 * more than half a Master_Adver_Interval late, we defer once by one Master_Adver_Interval
 * from now, giving the driver time to deliver what arrived meanwhile; an accepted advert
 * resets everything. On the next firing we take over whether it is late or not, so a
 * persistently slow loop delays failover by at most one interval.
 */
function backupOnTimer(s: InstanceState, i: Extract<Input, { kind: 'timer' }>): StepResult {
  const intervalUs = s.masterAdverIntervalCs * 10_000;
  if (i.lateUs > intervalUs / 2 && s.staleDeferrals === 0) {
    const timerAt = i.at + intervalUs;
    const next = { ...s, timerAt, staleDeferrals: 1, staleDeferralsTotal: s.staleDeferralsTotal + 1 };
    return { s: next, out: [{ kind: 'arm', at: timerAt }] };
  }
  // RFC 5798 §6.4.2 "If the Master_Down_Timer fires: Send an ADVERTISEMENT ... Transition to Master"
  return toMaster(s, i.at, s.staleDeferrals > 0 ? 'master down (after stale-timer deferral)' : 'master down');
}

function onTimer(s: InstanceState, i: Extract<Input, { kind: 'timer' }>): StepResult {
  if (s.timerAt === null || i.at + TIMER_EARLY_TOLERANCE_US < s.timerAt) return noop(s); // not armed / spurious
  if (s.role === 'BACKUP') return backupOnTimer(s, i);
  if (s.role === 'MASTER') {
    // RFC 5798 §6.4.3 "If the Adver_Timer fires: Send an ADVERTISEMENT; Reset the Adver_Timer".
    // Reset from the deadline, not from the (late) firing: lateness must not add up advert after
    // advert, or the master's real interval drifts above the one backups time it by. After a stall
    // longer than an interval, restart from now rather than send a burst.
    const intervalUs = ownIntervalCs(s.cfg) * 10_000;
    const fromDeadline = s.timerAt + intervalUs;
    const timerAt = fromDeadline > i.at ? fromDeadline : i.at + intervalUs;
    return { s: { ...s, timerAt }, out: [{ kind: 'send', priority: s.priority }, { kind: 'arm', at: timerAt }] };
  }
  return noop(s);
}

/** Leave MASTER/BACKUP for INIT or FAULT; a master resigns with priority 0 (RFC 5798 §6.4.3). */
function leave(s: InstanceState, role: 'INIT' | 'FAULT', reason: string): StepResult {
  const out: Output[] = s.role === 'MASTER' ? [{ kind: 'send', priority: 0 }] : [];
  if (s.timerAt !== null) out.push({ kind: 'disarm' });
  out.push({ kind: 'role', role, reason });
  const next: InstanceState = {
    ...s, role, timerAt: null, masterAddress: null, masterPriority: null, preemptAt: null, staleDeferrals: 0,
    faultReason: role === 'FAULT' ? reason : null,
  };
  return { s: next, out };
}

function onFault(s: InstanceState, i: Extract<Input, { kind: 'fault' }>): StepResult {
  if (s.role === 'FAULT') return { s: { ...s, faultReason: i.reason }, out: [] };
  return leave(s, 'FAULT', i.reason);
}

/** keepalived vrrp_state_leave_fault: back to BACKUP with a fresh down timer; an owner goes MASTER. */
function onFaultClear(s: InstanceState, i: Extract<Input, { kind: 'fault-clear' }>): StepResult {
  if (s.role !== 'FAULT') return noop(s);
  if (isOwner(s.priority)) return toMaster(s, i.at, 'fault cleared, address owner');
  return toBackupFresh(s, i.at, 'fault cleared');
}

/**
 * Tracking changed the effective priority. The owner's priority cannot change (RFC 5798
 * §6.1: 255 is reserved for the owner); others are clamped to 1-254. A master advertises
 * the new priority at once so a backup's decision uses it. A backup's running
 * Master_Down_Timer moves by the change of Skew_Time, as keepalived
 * vrrp_set_effective_priority moves `sands` by the change of ms_down_timer.
 */
function onSetPriority(s: InstanceState, i: Extract<Input, { kind: 'set-priority' }>): StepResult {
  if (isOwner(s.cfg.priority)) return noop(s);
  const priority = Math.min(254, Math.max(1, Math.round(i.priority)));
  if (priority === s.priority) return noop(s);
  const next = { ...s, priority };
  if (s.role === 'MASTER') return { s: next, out: [{ kind: 'send', priority }] };
  if (s.role !== 'BACKUP' || s.timerAt === null) return { s: next, out: [] };
  const v = s.cfg.version;
  const timerAt = s.timerAt + masterDownUs(v, priority, s.masterAdverIntervalCs) - masterDownUs(v, s.priority, s.masterAdverIntervalCs);
  return { s: { ...next, timerAt }, out: [{ kind: 'arm', at: timerAt }] };
}

export function step(s: InstanceState, i: Input): StepResult {
  switch (i.kind) {
    case 'startup': return onStartup(s, i.at, i.held === true);
    case 'advert': return onAdvert(s, i);
    case 'timer': return onTimer(s, i);
    case 'shutdown': return s.role === 'INIT' ? noop(s) : leave(s, 'INIT', 'shutdown');
    case 'fault': return onFault(s, i);
    case 'fault-clear': return onFaultClear(s, i);
    case 'set-priority': return onSetPriority(s, i);
    default: {
      const never: never = i;
      throw new TypeError(`vrrp machine: unknown input ${JSON.stringify(never)}`);
    }
  }
}
