/**
 * Keeps the kernel's IPVS sync daemons in line with the config and the followed VRRP role:
 * reads the running daemons (GET_DAEMON), asks policy.ts for the difference and applies it
 * (DEL_DAEMON / NEW_DAEMON). Requests are serialized; triggers that come while one round runs
 * fold into one more round with the latest role, so a quick MASTER → BACKUP → MASTER ends in
 * the right state without replaying every step.
 *
 * Ownership: once a config has a sync daemon, lvsd owns both daemon states of this network
 * namespace; a reload that drops it, and a graceful stop, stop what runs. Without one lvsd
 * never touches them. A refused request is logged and kept for `lvsctl sync`; the next role
 * change, reload or stop tries again.
 */
import { LvsdError } from '../errors.js';
import type { IpvsBackend, IpvsDaemon } from '../ipvs/index.js';
import type { SyncDaemonSettings, VrrpRole } from '../model/index.js';
import { describeSyncOp, syncPlan, wantedDaemons, type SyncOp } from './policy.js';

/** The part of an IPVS backend the sync daemon needs. */
export type SyncBackend = Pick<IpvsBackend, 'getDaemons' | 'startDaemon' | 'stopDaemon' | 'close'>;

/** A pino-shaped logger: one event object and a fixed message. */
export interface SyncLog {
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface SyncManagerOptions {
  readonly log: SyncLog;
  /** Opens the backend on first need (a director without a sync daemon opens nothing). */
  readonly open: () => Promise<SyncBackend>;
  /** Wall-clock milliseconds, for the times `lvsctl sync` shows. */
  readonly nowMs?: () => number;
}

/** lvsd's intent, as `lvsctl sync` shows it next to the kernel's view. */
export interface SyncStatus {
  readonly configured: boolean;
  readonly mode: 'follow' | 'both' | null;
  readonly instance: string | null;
  /** The followed instance's last role; null before the first. */
  readonly role: VrrpRole | null;
  /** null: nothing configured, or undecided (the followed instance has no role yet). */
  readonly wanted: readonly IpvsDaemon[] | null;
  /** The kernel's daemons as lvsd last read them (after its last round). */
  readonly running: readonly IpvsDaemon[];
  readonly rounds: number;
  readonly lastChange: { readonly at: string; readonly ops: readonly string[] } | null;
  readonly lastError: { readonly at: string; readonly code: string; readonly message: string } | null;
}

export class SyncManager {
  private settings: SyncDaemonSettings | undefined;
  private owned = false;
  private stopping = false;
  private readonly roles = new Map<string, VrrpRole>();
  private backend: SyncBackend | undefined;
  private dirty = false;
  private loop: Promise<void> | undefined;
  private running: readonly IpvsDaemon[] = [];
  private rounds = 0;
  private lastChange: SyncStatus['lastChange'] = null;
  private lastError: SyncStatus['lastError'] = null;
  private readonly nowMs: () => number;

  constructor(private readonly o: SyncManagerOptions) {
    this.nowMs = o.nowMs ?? Date.now;
  }

  /** Start and reload: the settings to keep (undefined: none). Resolves after the round it causes. */
  configure(settings: SyncDaemonSettings | undefined): Promise<void> {
    this.settings = settings;
    if (settings) this.owned = true;
    return this.schedule();
  }

  /** A VRRP role change; acts only for the followed instance. Never rejects: failures are logged. */
  onRole(instance: string, role: VrrpRole): void {
    this.roles.set(instance, role);
    const s = this.settings;
    if (s?.mode.kind === 'follow' && s.mode.instance === instance) void this.schedule();
  }

  /** Resolves when no round is pending. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Graceful stop: stops the daemons lvsd owns (as keepalived does on shutdown). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule();
  }

  close(): void {
    this.backend?.close();
    this.backend = undefined;
  }

  status(): SyncStatus {
    const s = this.settings;
    const role = s?.mode.kind === 'follow' ? this.roles.get(s.mode.instance) ?? null : null;
    return {
      configured: s !== undefined,
      mode: s?.mode.kind ?? null,
      instance: s?.mode.kind === 'follow' ? s.mode.instance : null,
      role,
      wanted: (s && wantedDaemons(s, role ?? undefined)) ?? null,
      running: this.running,
      rounds: this.rounds,
      lastChange: this.lastChange,
      lastError: this.lastError,
    };
  }

  private schedule(): Promise<void> {
    this.dirty = true;
    this.loop ??= this.drain();
    return this.loop;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.round();
      }
    } finally {
      this.loop = undefined; // in the same tick as the last `dirty` check: no trigger is lost
    }
  }

  /** undefined: leave the kernel alone; [] stops everything. */
  private wanted(): readonly IpvsDaemon[] | undefined {
    const s = this.settings;
    if (this.stopping || s === undefined) return this.owned ? [] : undefined;
    return wantedDaemons(s, s.mode.kind === 'follow' ? this.roles.get(s.mode.instance) : undefined);
  }

  private async round(): Promise<void> {
    const wanted = this.wanted();
    if (wanted === undefined) return;
    this.rounds++;
    try {
      this.backend ??= await this.o.open();
      const backend = this.backend;
      this.running = await backend.getDaemons();
      const ops = syncPlan(wanted, this.running);
      if (ops.length === 0) return;
      const failed = await this.apply(backend, ops);
      this.running = await backend.getDaemons();
      this.lastChange = { at: this.isoNow(), ops: ops.map(describeSyncOp) };
      if (this.settings === undefined && failed === 0) this.owned = false;
      this.o.log.info({ event: 'sync.apply', ops: this.lastChange.ops, failed, running: this.running.map((d) => d.state) }, 'ipvs sync daemons changed');
    } catch (e) {
      this.failed(e, 'read sync daemons');
    }
  }

  /** Applies ops in order; a refused one is logged and the rest still run. Returns how many failed. */
  private async apply(backend: SyncBackend, ops: readonly SyncOp[]): Promise<number> {
    let failed = 0;
    for (const op of ops) {
      try {
        if (op.op === 'stop') await backend.stopDaemon(op.state);
        else await backend.startDaemon(op.daemon);
      } catch (e) {
        failed++;
        this.failed(e, describeSyncOp(op));
      }
    }
    return failed;
  }

  /** Kernel and backend failures are values to report; anything else is a bug and throws. */
  private failed(e: unknown, what: string): void {
    if (!(e instanceof LvsdError)) throw e;
    this.lastError = { at: this.isoNow(), code: e.code, message: e.message };
    this.o.log.error({ event: 'sync.error', what, err: e }, 'ipvs sync daemon request failed');
  }

  private isoNow(): string {
    return new Date(this.nowMs()).toISOString();
  }
}

/** The IPVS backend the config names, opened on first use (netlink, else ipvsadm). */
export async function openSyncBackend(choice: 'auto' | 'netlink' | 'ipvsadm'): Promise<SyncBackend> {
  const { openIpvsBackend } = await import('../ipvs/index.js');
  return openIpvsBackend({ backend: choice, timeoutMs: 5000 });
}
