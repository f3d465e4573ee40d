/**
 * One vrrp_script: run it every `intervalMs` (the first run at start, the next ones an interval
 * after the previous start, as keepalived 2.2.7 vrrp_script_thread), judge exit 0 as success
 * and anything else (exit code, signal, timeout, cannot start) as failure, and count rise/fall
 * (script-state.ts). A run still going when the next is due is not doubled: the due run is
 * skipped (keepalived 2.2.7 logs "skipping run" and runs it anyway; later releases skip).
 * The timeout is `timeoutMs`, or the interval when 0 (keepalived: timeout ? timeout : interval).
 */
import type { TrackScript } from '../../model/index.js';
import type { TimerHandle, Timers } from '../timers.js';
import { describeOutcome, type ScriptRun, type ScriptSpec } from '../script.js';
import { initialScriptState, scriptResult, type ScriptState } from './script-state.js';

export interface ScriptTrackOptions {
  readonly def: TrackScript;
  readonly timers: Timers;
  readonly run: (spec: ScriptSpec) => ScriptRun;
  /** The script went up or down (after rise/fall). */
  readonly onChange: (up: boolean, detail: string) => void;
  /** A run was due while the previous one was still going. */
  readonly onSkip: () => void;
}

export interface ScriptTrackStatus {
  readonly up: boolean | undefined;
  readonly lastResult: string | null;
  readonly runs: number;
  readonly skipped: number;
}

export class ScriptTrack {
  private s: ScriptState;
  private timer: TimerHandle | undefined;
  private running: ScriptRun | undefined;
  private lastResult: string | null = null;
  private runs = 0;
  private skipped = 0;
  private closed = false;

  constructor(private readonly o: ScriptTrackOptions) {
    this.s = initialScriptState(o.def);
  }

  get up(): boolean | undefined {
    return this.s.up;
  }

  status(): ScriptTrackStatus {
    return { up: this.s.up, lastResult: this.lastResult, runs: this.runs, skipped: this.skipped };
  }

  start(): void {
    this.tick();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.o.timers.clear(this.timer);
    this.timer = undefined;
    this.running?.cancel();
  }

  private tick(): void {
    if (this.closed) return;
    this.timer = this.o.timers.set(() => this.tick(), this.o.def.intervalMs);
    if (this.running) {
      this.skipped++;
      this.o.onSkip();
      return;
    }
    const d = this.o.def;
    const timeoutMs = d.timeoutMs > 0 ? d.timeoutMs : d.intervalMs;
    const run = this.o.run({ argv: d.argv, user: d.user, timeoutMs });
    this.running = run;
    this.runs++;
    void run.result.then((r) => {
      this.running = undefined;
      if (this.closed || r.outcome.kind === 'cancelled') return;
      const success = r.outcome.kind === 'exit' && r.outcome.code === 0;
      const detail = describeOutcome(r.outcome, timeoutMs);
      this.lastResult = detail;
      const next = scriptResult(this.s, d, success);
      this.s = next.s;
      if (next.changed && next.s.up !== undefined) this.o.onChange(next.s.up, detail);
    });
  }
}
