/**
 * The director's tracking of local objects for VRRP (keepalived vrrp_script, track_interface,
 * track_file, vrrp_track_process): owns one runner per tracked object, recomputes the effective
 * priority and FAULT of every instance that tracks a changed object (priority.ts, pure), and
 * emits 'priority' whenever an instance's (priority, fault) changes, plus once per instance at
 * start. It logs nothing: 'event' carries what happened, the director logs it.
 */
import { EventEmitter } from 'node:events';
import { monotonicClock, type Clock } from '../../clock.js';
import type { TrackFile, Tracking, TrackProcess, TrackScript, VrrpInstance, VrrpSyncGroup } from '../../model/index.js';
import { nodeTimers, type Timers } from '../timers.js';
import { runScript, type ScriptRun, type ScriptSpec } from '../script.js';
import { allBindings, type Binding, type TrackKind } from './bindings.js';
import { TrackFileWatch, type FileAccess } from './file-watch.js';
import { evaluateInstance, type InstanceTracking, type ObjectState } from './priority.js';
import type { OpenConnector } from './proc-connector.js';
import { ProcessWatch } from './process-watch.js';
import { ScriptTrack } from './script-track.js';
import type { TrackerEvent, TrackerSnapshot } from './tracker-types.js';

export type { TrackerEvent, TrackerSnapshot } from './tracker-types.js';

/** What the tracker reads from a Config. */
export interface TrackerConfig {
  readonly vrrp: readonly VrrpInstance[];
  readonly syncGroups: readonly VrrpSyncGroup[];
  readonly tracking?: Tracking;
}

/** Link states for track_interface (src/net/links.ts through the director). */
export interface LinkSource {
  /** IFF_UP && IFF_RUNNING; undefined for an unknown device (counted as down). */
  isUp(ifname: string): boolean | undefined;
  /** Calls back on every change; returns the unsubscribe function. */
  subscribe(cb: (ifname: string, up: boolean) => void): () => void;
}

export interface TrackerOptions {
  readonly config: TrackerConfig;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly links?: LinkSource;
  readonly runScript?: (spec: ScriptSpec) => ScriptRun;
  /** track_process: the connector, or polling /proc only ('poll'). */
  readonly processMode?: 'auto' | 'poll';
  readonly processPollMs?: number;
  readonly procRoot?: string;
  readonly connect?: OpenConnector;
  readonly fileAccess?: FileAccess;
  readonly fileSettleMs?: number;
}

/** True when any instance or sync group tracks something the Tracker handles. */
export function hasTracking(c: TrackerConfig): boolean {
  return c.vrrp.some((i) => (i.tracks?.length ?? 0) > 0) || c.syncGroups.some((g) => (g.tracks?.length ?? 0) > 0);
}

const EMPTY: Tracking = { scripts: [], files: [], processes: [] };
const sameDef = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a, (k, v: unknown) => (k === 'at' ? undefined : v)) === JSON.stringify(b, (k, v: unknown) => (k === 'at' ? undefined : v));

export class Tracker extends EventEmitter<{ priority: [InstanceTracking]; event: [TrackerEvent] }> {
  private config: TrackerConfig;
  private bindings = new Map<string, Binding[]>();
  private readonly scripts = new Map<string, { def: TrackScript; track: ScriptTrack }>();
  private readonly files = new Map<string, { def: TrackFile; watch: TrackFileWatch }>();
  private processes: { defs: TrackProcess[]; watch: ProcessWatch } | undefined;
  private readonly emitted = new Map<string, { priority: number; fault: string | null }>();
  private unsubscribeLinks: (() => void) | undefined;
  private started = false;
  private applying = false;
  private readonly clock: Clock;
  private readonly timers: Timers;

  constructor(private readonly o: TrackerOptions) {
    super();
    this.config = o.config;
    this.clock = o.clock ?? monotonicClock;
    this.timers = o.timers ?? nodeTimers;
  }

  /** Starts every runner; resolves after the initial 'priority' of every instance was emitted. */
  async start(): Promise<void> {
    this.started = true;
    this.unsubscribeLinks = this.o.links?.subscribe((ifname, up) => {
      this.emit('event', { event: 'track.interface', name: ifname, up });
      this.changed('interface', ifname);
    });
    await this.apply(this.config);
  }

  /** A reload: unchanged objects keep running with their state; instances are re-evaluated. */
  async update(config: TrackerConfig): Promise<void> {
    this.config = config;
    if (this.started) await this.apply(config);
  }

  /** The effective priority and fault of one instance now. */
  current(instance: string): InstanceTracking | undefined {
    const inst = this.config.vrrp.find((i) => i.name === instance);
    return inst ? this.evaluate(inst) : undefined;
  }

  snapshot(): TrackerSnapshot {
    return {
      instances: this.config.vrrp.map((i) => this.evaluate(i)),
      scripts: [...this.scripts].map(([name, s]) => ({ name, ...s.track.status() })),
      files: [...this.files].map(([name, f]) => ({ name, path: f.def.path, value: f.watch.value() ?? null })),
      processes: (this.processes?.defs ?? []).map((d) => ({ name: d.name, ...(this.processes?.watch.state(d.name) ?? { up: false, count: 0 }) })),
      processMode: this.processes ? this.processes.watch.mode : 'none',
    };
  }

  close(): void {
    this.started = false;
    this.unsubscribeLinks?.();
    for (const s of this.scripts.values()) s.track.close();
    for (const f of this.files.values()) f.watch.close();
    this.processes?.watch.close();
    this.scripts.clear();
    this.files.clear();
    this.processes = undefined;
  }

  private async apply(config: TrackerConfig): Promise<void> {
    this.applying = true; // no half-built evaluation goes out while runners are swapped
    const tracking = config.tracking ?? EMPTY;
    const { byInstance, dropped } = allBindings(config.vrrp, config.syncGroups, tracking);
    this.bindings = byInstance;
    for (const d of dropped) this.emit('event', { event: 'track.dropped', ...d });
    const used = (kind: TrackKind): Set<string> => new Set([...byInstance.values()].flat().filter((b) => b.kind === kind).map((b) => b.name));
    this.applyFiles(tracking.files.filter((f) => used('file').has(f.name)));
    await this.applyProcesses(tracking.processes.filter((p) => used('process').has(p.name)));
    this.applyScripts(tracking.scripts.filter((s) => used('script').has(s.name)));
    this.applying = false;
    for (const inst of config.vrrp) this.publish(inst);
    for (const name of [...this.emitted.keys()]) if (!config.vrrp.some((i) => i.name === name)) this.emitted.delete(name);
  }

  private applyScripts(defs: TrackScript[]): void {
    for (const [name, s] of this.scripts) {
      if (defs.some((d) => d.name === name && sameDef(d, s.def))) continue;
      s.track.close();
      this.scripts.delete(name);
    }
    for (const def of defs.filter((d) => !this.scripts.has(d.name))) {
      const track = new ScriptTrack({
        def, timers: this.timers, run: this.o.runScript ?? ((spec) => runScript(spec, { timers: this.timers, clock: this.clock })),
        onChange: (up, detail) => {
          this.emit('event', { event: 'track.script', name: def.name, up, detail });
          this.changed('script', def.name);
        },
        onSkip: () => this.emit('event', { event: 'track.script.skip', name: def.name }),
      });
      this.scripts.set(def.name, { def, track });
      track.start();
    }
  }

  private applyFiles(defs: TrackFile[]): void {
    for (const [name, f] of this.files) {
      if (defs.some((d) => d.name === name && sameDef(d, f.def))) continue;
      f.watch.close();
      this.files.delete(name);
    }
    for (const def of defs.filter((d) => !this.files.has(d.name))) {
      const watch = new TrackFileWatch({
        file: def, timers: this.timers, fs: this.o.fileAccess, settleMs: this.o.fileSettleMs,
        onChange: (value) => {
          this.emit('event', { event: 'track.file', name: def.name, path: def.path, value });
          this.changed('file', def.name);
        },
        onNotice: (n) => this.emit('event', { event: 'track.file.problem', name: def.name, ...n }),
      });
      this.files.set(def.name, { def, watch });
      watch.start();
    }
  }

  private async applyProcesses(defs: TrackProcess[]): Promise<void> {
    if (this.processes && sameDef(this.processes.defs, defs)) return;
    this.processes?.watch.close();
    this.processes = undefined;
    if (defs.length === 0) return;
    const watch = new ProcessWatch({
      defs, clock: this.clock, timers: this.timers, mode: this.o.processMode, pollMs: this.o.processPollMs,
      procRoot: this.o.procRoot, connect: this.o.connect,
      onChange: (name, up, count) => {
        this.emit('event', { event: 'track.process', name, up, count });
        if (this.processes?.watch === watch) this.changed('process', name);
      },
      onNotice: (n) => this.emit('event', n.kind === 'polling' ? { event: 'track.process.polling', pollMs: n.pollMs, code: n.code, reason: n.reason }
        : n.kind === 'lost-events' ? { event: 'track.process.lost' } : { event: 'track.error', what: 'process events', code: n.code, message: n.message }),
    });
    this.processes = { defs, watch };
    await watch.start();
  }

  private stateOf(kind: TrackKind, name: string): ObjectState | undefined {
    switch (kind) {
      case 'script': {
        const s = this.scripts.get(name);
        return s ? { up: s.track.up } : undefined;
      }
      case 'file': {
        const v = this.files.get(name)?.watch.value();
        return v === undefined ? undefined : { value: v };
      }
      case 'process': {
        const p = this.processes?.watch.state(name);
        return p ? { up: p.up } : undefined;
      }
      case 'interface':
        return { up: this.o.links?.isUp(name) === true };
      default: {
        const never: never = kind;
        throw new Error(`unknown track kind ${String(never)}`);
      }
    }
  }

  private evaluate(inst: VrrpInstance): InstanceTracking {
    return evaluateInstance({ instance: inst.name, configured: inst.priority, bindings: this.bindings.get(inst.name) ?? [], stateOf: (k, n) => this.stateOf(k, n) });
  }

  /** An object changed: re-evaluate the instances bound to it. */
  private changed(kind: TrackKind, name: string): void {
    if (!this.started || this.applying) return;
    for (const inst of this.config.vrrp) {
      if ((this.bindings.get(inst.name) ?? []).some((b) => b.kind === kind && b.name === name)) this.publish(inst);
    }
  }

  /** Emits 'priority' for an instance seen for the first time, or whose priority or fault changed. */
  private publish(inst: VrrpInstance): void {
    const r = this.evaluate(inst);
    const before = this.emitted.get(inst.name);
    if (before && before.priority === r.priority && before.fault === r.fault) return;
    this.emitted.set(inst.name, { priority: r.priority, fault: r.fault });
    this.emit('priority', r);
  }
}
