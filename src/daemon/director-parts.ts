/**
 * What the director runs (director.ts): one interface per part, each with the real
 * implementation it stands for. daemon/wiring.ts builds the real parts; director.test.ts passes
 * fakes.
 */
import type { Time } from '../clock.js';
import type { Config, VrrpRole, VrrpSyncGroup } from '../model/index.js';
import type { FromWorker, InstanceSnapshot, TimerLateness } from '../vrrp/index.js';
import type { ControlHandlers } from '../control/index.js';
import type { InstanceTracking, TrackerSnapshot } from '../health/index.js';
import type { SyncStatus } from '../sync/index.js';
import type { ApplyReport, IpvsCounters } from './ipvs-manager.js';
import type { Logger } from './logger.js';
import type { NotifyJob } from './notify.js';
import type { FifoEvent } from './notify-fifo.js';
import type { ReadConfigResult } from './read-config.js';

/** The main thread's handle on the VRRP worker (VrrpEngine, vrrp/engine.ts). */
export interface VrrpPart {
  start(): Promise<void>;
  reload(instances: Config['vrrp'], syncGroups: readonly VrrpSyncGroup[]): void;
  /** Tracking changed an instance's effective priority or FAULT (the worker keeps it across restarts of the instance). */
  track(instance: string, priority: number, fault: string | null): void;
  snapshot(): Promise<{ readonly instances: readonly InstanceSnapshot[]; readonly lateness: TimerLateness }>;
  /** Graceful: masters send priority 0 and release their VIPs; resolves when the worker has ended. */
  shutdown(): Promise<void>;
}

/** Starts the VRRP worker for `config`; its messages and its exit come back through `events`. */
export type StartVrrp = (config: Config, events: { readonly message: (m: FromWorker) => void; readonly exit: (code: number) => void }) => VrrpPart;

/** The IPVS side (IpvsManager, daemon/ipvs-manager.ts). */
export interface IpvsPart {
  apply(config: Config): Promise<ApplyReport>;
  /** clean-stop: remove the services `config` owns. */
  clean(config: Config): Promise<void>;
  stats(): IpvsCounters;
  close(): void;
}

/** The kernel IPVS sync daemons, following the VRRP role (SyncManager, sync/manager.ts). */
export interface SyncPart {
  /** Start and reload: the settings to keep (undefined: none). */
  configure(settings: Config['sync']): Promise<void>;
  /** A VRRP role change; acts only for the followed instance. Never rejects. */
  onRole(instance: string, role: VrrpRole): void;
  status(): SyncStatus;
  /** Graceful stop: stops the daemons lvsd owns. */
  shutdown(): Promise<void>;
  close(): void;
}

/**
 * Tracking (vrrp_script, track_interface, track_file, track_process: the Tracker of
 * src/health/track), started when a config tracks anything. It logs its own events.
 */
export interface TrackingPart {
  /** A reload: keep what is tracked and unchanged, start and stop the rest. */
  update(config: Config): Promise<void>;
  current(instance: string): InstanceTracking | undefined;
  snapshot(): TrackerSnapshot;
  close(): void;
}

/** Starts tracking for `config`; every change of an instance's effective priority or FAULT goes to `onPriority`. */
export type StartTracking = (config: Config, onPriority: (p: InstanceTracking) => void) => Promise<TrackingPart>;

/**
 * Health checks (HealthRunner, daemon/health-runner.ts): owns the checks, the drain overrides
 * and the quorum states, and programs IPVS with the health-applied services on start, on
 * reload and on every health change.
 */
export interface HealthPart {
  /** Start and reload: plan the checks (unchanged ones keep their state) and reconcile the table now. */
  update(config: Config): Promise<ApplyReport>;
  /** checks, drain, enable. */
  handlers(): Pick<ControlHandlers, 'checks' | 'drain' | 'enable'>;
  /** Stops checking (with omega: the stop notifies); waits for a reconcile in flight. */
  close(): Promise<void>;
}

/** The control socket (ControlServer), listening with the director's handlers. */
export interface ControlEndpoint {
  listen(handlers: ControlHandlers): Promise<void>;
  close(): Promise<void>;
}

/** The notify FIFOs (NotifyFifos, daemon/notify-fifo.ts). */
export interface FifoPart {
  configure(fifos: Config['notifyFifos']): Promise<void>;
  write(e: FifoEvent): void;
  close(): Promise<void>;
}

/** Notify scripts, run one at a time in order (NotifyRunner, daemon/notify.ts). */
export interface NotifyQueue {
  enqueue(job: NotifyJob): void;
  /** Resolves once nothing is queued or running, or after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean>;
}

/** keepalived's static addresses, routes and rules (StaticNetManager, daemon/static-net.ts). */
export interface StaticPart {
  /** Start and reload: remove what the config no longer has, add what it has. */
  configure(statics: Config['statics']): Promise<void>;
  /** Stop: remove them all. */
  clear(): Promise<void>;
}

export interface DirectorParts {
  readonly log: Logger;
  readonly time: Time;
  /** Reads and validates the whole file (daemon/read-config.ts); never throws. */
  readonly readConfig: (path: string) => ReadConfigResult;
  readonly ipvs: IpvsPart;
  readonly health: HealthPart;
  readonly sync: SyncPart;
  readonly notify: NotifyQueue;
  /** Absent: the FIFOs of a config are not opened (tests that do not look at them). */
  readonly fifos?: FifoPart;
  /** Absent: static addresses, routes and rules are not installed (tests that do not look at them). */
  readonly statics?: StaticPart;
  readonly control: ControlEndpoint;
  readonly startVrrp: StartVrrp;
  readonly startTracking: StartTracking;
  /** Answered to `ping`. */
  readonly pid: number;
}
