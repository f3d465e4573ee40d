/**
 * One-shot timers as an injected dependency (DESIGN.md §2: time is a parameter), so code that
 * waits (script timeouts, tracking intervals, delays) runs under fake time in unit tests.
 * `realTimers` wraps Node's timers; `FakeTimers` fires callbacks when a FakeClock is advanced.
 */
import { FakeClock } from './clock.js';

export type TimerHandle = unknown;

export interface Timers {
  /** Calls `fn` once after `ms` milliseconds (0 = as soon as possible). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or already fired handles are ignored. */
  clearTimeout(h: TimerHandle): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Pending {
  readonly id: number;
  readonly atUs: number;
  readonly fn: () => void;
}

/** Timers driven by a FakeClock: `advance(ms)` moves time and fires what fell due, in order. */
export class FakeTimers implements Timers {
  readonly clock: FakeClock;
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(clock: FakeClock = new FakeClock()) {
    this.clock = clock;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, atUs: this.clock.nowUs() + Math.max(0, ms) * 1000, fn });
    return id;
  }

  clearTimeout(h: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== h);
  }

  /** Number of armed timers. */
  get size(): number {
    return this.pending.length;
  }

  /** Milliseconds until the next timer is due, or undefined when none is armed. */
  nextInMs(): number | undefined {
    const next = this.earliest();
    return next === undefined ? undefined : (next.atUs - this.clock.nowUs()) / 1000;
  }

  /** Moves time on by `ms`, firing every timer due on the way (timers armed meanwhile included). */
  advance(ms: number): void {
    const endUs = this.clock.nowUs() + ms * 1000;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.atUs > endUs) break;
      this.clock.advance(Math.max(0, next.atUs - this.clock.nowUs()));
      this.pending = this.pending.filter((p) => p.id !== next.id);
      next.fn();
    }
    this.clock.advance(endUs - this.clock.nowUs());
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (best === undefined || p.atUs < best.atUs || (p.atUs === best.atUs && p.id < best.id)) best = p;
    return best;
  }
}
