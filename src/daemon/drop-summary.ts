/**
 * VRRP drops as log lines (docs/design.md "Logging": drops are counted, with one summary line per
 * reason per interval at most): the first drop of an (instance, reason) is reported at once,
 * the ones after it within the period are folded into one line with their count.
 */
import type { TimerHandle, Timers } from '../clock.js';

export type DropEmit = (instance: string, reason: string, count: number, from: string) => void;

export class DropSummary {
  private readonly pending = new Map<string, { instance: string; reason: string; count: number; from: string }>();
  private timer: TimerHandle | undefined;

  constructor(private readonly emit: DropEmit, private readonly timers: Timers, private readonly periodMs = 5000) {}

  add(instance: string, reason: string, from: string): void {
    const key = `${instance}\0${reason}`;
    const cur = this.pending.get(key);
    if (cur) {
      cur.count++;
      return;
    }
    this.pending.set(key, { instance, reason, count: 0, from });
    this.emit(instance, reason, 1, from); // the first one is reported at once
    this.timer ??= this.timers.setTimer(() => this.flush(), this.periodMs);
  }

  /** Stops the period timer (what is folded and not yet reported is dropped). */
  close(): void {
    if (this.timer !== undefined) this.timers.clearTimer(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    for (const [key, p] of this.pending) {
      if (p.count > 0) this.emit(p.instance, p.reason, p.count, p.from);
      this.pending.delete(key);
    }
  }
}
