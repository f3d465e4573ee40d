/**
 * One-shot timers as an injected dependency (DESIGN.md §2: time is a parameter), so code that
 * waits (script timeouts, tracking intervals, delays) runs under fake time in unit tests.
 * The interface matches the `Timers` of the inject branch's clock.ts (setTimer/clearTimer), so
 * these can fold into it: `realTimers` ≈ its systemTime, `FakeTimers` ≈ its FakeClock.
 */
import type { Clock, Us } from './clock.js';

declare const timerBrand: unique symbol;
/** What setTimer returns; only clearTimer reads it. */
export interface TimerHandle {
  readonly [timerBrand]: true;
}

export interface Timers {
  /** Calls `fn` once, `delayMs` (≥ 0, fractions allowed) from now. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired; a handle that has fired or been cleared is ignored. */
  clearTimer(h: TimerHandle): void;
}

/** Node's timers, unref'd: a pending timer alone never keeps the process alive. */
export const realTimers: Timers = {
  setTimer: (fn, delayMs) => setTimeout(fn, Math.max(0, delayMs)).unref() as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
};

interface Pending {
  readonly id: number;
  readonly atUs: Us;
  readonly fn: () => void;
}

/**
 * A clock with timers that tests advance by hand: timers fire in deadline order (ties in the
 * order they were set) as `advanceMs` passes their deadline, timers set while firing included.
 */
export class FakeTimers implements Clock, Timers {
  private t: Us;
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(startUs: Us = 0) {
    this.t = startUs;
  }

  nowUs(): Us {
    return this.t;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, atUs: this.t + Math.max(0, delayMs) * 1000, fn });
    return id as unknown as TimerHandle;
  }

  clearTimer(h: TimerHandle): void {
    const id = h as unknown as number;
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  /** Timers set and not yet fired or cleared. */
  get timerCount(): number {
    return this.pending.length;
  }

  /** Moves time on by `ms`, firing every timer whose deadline is reached. */
  advanceMs(ms: number): void {
    const end = this.t + ms * 1000;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.atUs > end) break;
      this.pending = this.pending.filter((p) => p.id !== next.id);
      this.t = Math.max(this.t, next.atUs);
      next.fn();
    }
    this.t = end;
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (best === undefined || p.atUs < best.atUs || (p.atUs === best.atUs && p.id < best.id)) best = p;
    return best;
  }
}
