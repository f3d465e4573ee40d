/**
 * Drives the track_process quorum core (process-quorum.ts) from the kernel: subscribe to the
 * process events connector first, then scan /proc (events that arrive during the scan are
 * applied after it), then follow fork/exec/comm/exit. Where the connector is refused (inside
 * a network namespace, or without CAP_NET_ADMIN) it polls /proc every `pollMs` instead and
 * says so once. Lost events (ENOBUFS) are repaired by a rescan 1 s later, as keepalived does.
 */
import type { Clock } from '../../clock.js';
import type { TrackProcess } from '../../model/index.js';
import type { TimerHandle, Timers } from '../timers.js';
import type { ProcEvent } from './proc-event.js';
import { openProcConnector, type ConnectorError, type OpenConnector, type ProcConnector } from './proc-connector.js';
import { readProc, scanProcs } from './proc-scan.js';
import { initialQuorum, needsCmdline, quorumStep, type ProcInfo, type QuorumInput, type QuorumState } from './process-quorum.js';

export type ProcessNotice =
  | { readonly kind: 'polling'; readonly pollMs: number; readonly code: string; readonly reason: string }
  | { readonly kind: 'lost-events' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface ProcessWatchOptions {
  readonly defs: readonly TrackProcess[];
  readonly clock: Clock;
  readonly timers: Timers;
  readonly onChange: (name: string, up: boolean, count: number) => void;
  readonly onNotice: (n: ProcessNotice) => void;
  /** 'auto': the connector, else polling; 'poll': polling only. */
  readonly mode?: 'auto' | 'poll';
  readonly pollMs?: number;
  readonly procRoot?: string;
  readonly connect?: OpenConnector;
  readonly scan?: (o: { procRoot: string; cmdline: boolean }) => ProcInfo[];
  readonly read?: (pid: number, o: { procRoot: string; cmdline: boolean }) => ProcInfo | undefined;
}

const RESCAN_AFTER_LOSS_MS = 1000;

export class ProcessWatch {
  private s: QuorumState;
  private connector: ProcConnector | undefined;
  private readonly armed = new Map<string, TimerHandle>();
  private pollTimer: TimerHandle | undefined;
  private lossTimer: TimerHandle | undefined;
  /** Events received before the initial scan finished. */
  private queued: ProcEvent[] | undefined = [];
  private closed = false;

  constructor(private readonly o: ProcessWatchOptions) {
    this.s = initialQuorum(o.defs);
  }

  get mode(): 'events' | 'polling' | 'stopped' {
    if (this.closed) return 'stopped';
    return this.connector ? 'events' : 'polling';
  }

  /** Subscribes (or decides to poll), then scans; resolves with the initial quorum known. */
  async start(): Promise<void> {
    if ((this.o.mode ?? 'auto') === 'auto') {
      const r = await (this.o.connect ?? openProcConnector)({
        onEvent: (e) => this.onEvent(e),
        onLost: () => this.onLost(),
        onError: (e: ConnectorError) => this.o.onNotice({ kind: 'error', ...e }),
      });
      if (r.ok && !this.closed) this.connector = r.value;
      else if (r.ok) r.value.close();
      else this.o.onNotice({ kind: 'polling', pollMs: this.pollMs(), code: r.error.code, reason: r.error.message });
    } else {
      this.o.onNotice({ kind: 'polling', pollMs: this.pollMs(), code: 'EPERM', reason: 'polling requested' });
    }
    if (this.closed) return;
    this.feed({ kind: 'scan', at: this.o.clock.nowUs(), procs: this.scan() });
    const queued = this.queued ?? [];
    this.queued = undefined;
    for (const e of queued) this.onEvent(e);
    if (!this.connector) this.schedulePoll();
  }

  state(name: string): { up: boolean; count: number } | undefined {
    const c = this.s.counts.get(name);
    return c ? { up: c.up, count: c.count } : undefined;
  }

  close(): void {
    this.closed = true;
    this.connector?.close();
    this.connector = undefined;
    for (const h of this.armed.values()) this.o.timers.clear(h);
    this.armed.clear();
    if (this.pollTimer !== undefined) this.o.timers.clear(this.pollTimer);
    if (this.lossTimer !== undefined) this.o.timers.clear(this.lossTimer);
  }

  private pollMs(): number {
    return this.o.pollMs ?? 1000;
  }

  private readOpts(): { procRoot: string; cmdline: boolean } {
    return { procRoot: this.o.procRoot ?? '/proc', cmdline: needsCmdline(this.o.defs) };
  }

  private scan(): ProcInfo[] {
    return (this.o.scan ?? scanProcs)(this.readOpts());
  }

  private schedulePoll(): void {
    this.pollTimer = this.o.timers.set(() => {
      if (this.closed) return;
      this.feed({ kind: 'rescan', at: this.o.clock.nowUs(), procs: this.scan() });
      this.schedulePoll();
    }, this.pollMs());
  }

  private onLost(): void {
    this.o.onNotice({ kind: 'lost-events' });
    if (this.lossTimer !== undefined) this.o.timers.clear(this.lossTimer);
    this.lossTimer = this.o.timers.set(() => {
      this.lossTimer = undefined;
      if (!this.closed) this.feed({ kind: 'rescan', at: this.o.clock.nowUs(), procs: this.scan() });
    }, RESCAN_AFTER_LOSS_MS);
  }

  private onEvent(e: ProcEvent): void {
    if (this.closed) return;
    if (this.queued) {
      this.queued.push(e);
      return;
    }
    const at = this.o.clock.nowUs();
    switch (e.kind) {
      case 'fork': return this.feed({ kind: 'fork', at, parent: e.parent, child: e.child });
      case 'exit': return this.feed({ kind: 'exit', at, pid: e.pid });
      case 'comm': return this.feed({ kind: 'comm', at, pid: e.pid, comm: e.comm });
      case 'exec': {
        const info = (this.o.read ?? readProc)(e.pid, this.readOpts());
        if (info) this.feed({ kind: 'exec', at, info });
        return;
      }
      case 'ack': return;
      default: {
        const never: never = e;
        throw new Error(`unknown process event ${JSON.stringify(never)}`);
      }
    }
  }

  private feed(i: QuorumInput): void {
    const r = quorumStep(this.s, i);
    this.s = r.s;
    for (const out of r.out) {
      switch (out.kind) {
        case 'quorum':
          this.o.onChange(out.name, out.up, out.count);
          break;
        case 'arm': {
          const prev = this.armed.get(out.name);
          if (prev !== undefined) this.o.timers.clear(prev);
          const ms = Math.max(0, (out.at - this.o.clock.nowUs()) / 1000);
          this.armed.set(out.name, this.o.timers.set(() => {
            this.armed.delete(out.name);
            this.feed({ kind: 'timer', at: this.o.clock.nowUs(), name: out.name });
          }, ms));
          break;
        }
        case 'disarm': {
          const h = this.armed.get(out.name);
          if (h !== undefined) this.o.timers.clear(h);
          this.armed.delete(out.name);
          break;
        }
        default: {
          const never: never = out;
          throw new Error(`unknown quorum output ${JSON.stringify(never)}`);
        }
      }
    }
  }
}
