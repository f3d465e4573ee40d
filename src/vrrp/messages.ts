/**
 * The one typed union of messages between the main thread and the VRRP worker
 * (src/vrrp/worker.ts). The worker owns VRRP timing, sockets, VIPs and gratuitous ARP/NA;
 * the main thread owns logging, notify scripts, the control socket and IPVS.
 */
import type { WireError } from '../errors.js';
import type { VrrpInstance, VrrpRole, VrrpSyncGroup } from '../model/index.js';
import type { DropReason } from './codec.js';

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  /** Drops by reason (DropReason, src/vrrp/codec.ts: transport, decode and receive rules); absent = none. */
  drops: Partial<Record<DropReason, number>>;
  /** Accepted adverts by checksum form ('v2' | 'ipv6' | 'pseudo' | 'rfc9568'). */
  checksumForms: Record<string, number>;
  becameMaster: number;
  staleTimerDeferrals: number;
  garpsSent: number;
}

export interface InstanceSnapshot {
  readonly name: string;
  readonly role: VrrpRole;
  readonly version: 2 | 3;
  readonly family: 4 | 6;
  readonly interface: string;
  readonly vrid: number;
  readonly priority: { readonly configured: number; readonly effective: number };
  /** Why the instance is in FAULT (all sources joined), null otherwise. */
  readonly faultReason: string | null;
  readonly masterAddress: string | null;
  readonly advertIntervalCs: number;
  readonly masterAdverIntervalCs: number;
  readonly counters: InstanceCounters;
  readonly lastTransition: { readonly atMs: number; readonly from: VrrpRole; readonly to: VrrpRole; readonly reason: string } | null;
}

export interface TimerLateness {
  readonly samples: number;
  readonly maxUs: number;
  readonly p99Us: number;
}

export interface WorkerInit {
  readonly instances: readonly VrrpInstance[];
  readonly syncGroups: readonly VrrpSyncGroup[];
  /** SCHED_RR priority for the worker thread (keepalived's vrrp_rt_priority); 0 = leave as is. */
  readonly rtPriority: number;
}

/** main → worker: the first message (the worker may start before the configuration is read, worker-start.ts). */
export interface InitMessage {
  readonly type: 'init';
  readonly init: WorkerInit;
}

/** main → worker, after InitMessage */
export type ToWorker =
  | { readonly type: 'start' }
  | { readonly type: 'shutdown' }
  | { readonly type: 'reload'; readonly instances: readonly VrrpInstance[]; readonly syncGroups: readonly VrrpSyncGroup[] }
  | { readonly type: 'snapshot'; readonly id: number }
  /** Tracking (src/health/track): the instance's effective priority and why it is in FAULT (null: not for tracking). */
  | { readonly type: 'track'; readonly instance: string; readonly priority: number; readonly fault: string | null };

/** worker → main */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'started' }
  | { readonly type: 'role'; readonly atMs: number; readonly instance: string; readonly from: VrrpRole; readonly to: VrrpRole;
      readonly reason: string; readonly priority: number; readonly masterAddress: string | null }
  | { readonly type: 'vip'; readonly atMs: number; readonly instance: string; readonly action: 'added' | 'removed' | 'present' | 'absent';
      readonly address: string; readonly dev: string }
  | { readonly type: 'drop'; readonly atMs: number; readonly instance: string | null; readonly reason: DropReason;
      readonly from: string; readonly count: number }
  /** `error` from serializeError (src/errors.ts): the main thread gets it back with deserializeError. */
  | { readonly type: 'error'; readonly atMs: number; readonly instance: string | null; readonly what: string; readonly error: WireError }
  | { readonly type: 'late'; readonly atMs: number; readonly instance: string; readonly lateUs: number; readonly intervalUs: number }
  /** A sync group's own state changed (sync-group.ts): its notify scripts run on the main thread. */
  | { readonly type: 'group'; readonly atMs: number; readonly group: string; readonly state: VrrpRole }
  | { readonly type: 'snapshot'; readonly id: number; readonly instances: readonly InstanceSnapshot[]; readonly lateness: TimerLateness }
  | { readonly type: 'reloaded'; readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] }
  | { readonly type: 'stopped' };
