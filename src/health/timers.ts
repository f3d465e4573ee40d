/**
 * The timer edge of the health engine: setTimeout-like, injected so tests run the engine under
 * fake time. `FakeTimers` fires due callbacks in time order while advancing a FakeClock.
 */
import { FakeClock, type Clock } from '../clock.js';

export interface TimerHandle {
  readonly __brand: 'TimerHandle';
}

export interface Timers {
  /** Calls `fn` once after `ms` milliseconds (fractions allowed; negative = as soon as possible). */
  set(fn: () => void, ms: number): TimerHandle;
  /** Idempotent; a cleared timer never fires. */
  clear(h: TimerHandle): void;
}

/**
 * Node's timers; `unref`ed so a forgotten engine never keeps a process alive by itself. A delay
 * of 0 or less is a `setImmediate` (after this loop turn's I/O callbacks), not a `setTimeout`,
 * which waits at least 1 ms and a timers phase: a health change reaches IPVS that much sooner
 * (issue 8, detection time), still once per loop turn.
 */
export const nodeTimers: Timers = {
  set: (fn, ms) => {
    const t = ms > 0 ? setTimeout(fn, ms) : setImmediate(fn);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clear: (h) => {
    // A Timeout converts to its id (documented); an Immediate does not.
    if (Symbol.toPrimitive in (h as object)) clearTimeout(h as unknown as NodeJS.Timeout);
    else clearImmediate(h as unknown as NodeJS.Immediate);
  },
};

interface FakeTimer {
  readonly id: number;
  readonly atUs: number;
  readonly fn: () => void;
}

/** Timers on a FakeClock: nothing fires until `advance`. */
export class FakeTimers implements Timers {
  readonly clock: FakeClock;
  private pending: FakeTimer[] = [];
  private nextId = 1;

  constructor(clock: FakeClock = new FakeClock()) {
    this.clock = clock;
  }

  get asClock(): Clock {
    return this.clock;
  }

  set(fn: () => void, ms: number): TimerHandle {
    const t: FakeTimer = { id: this.nextId++, atUs: this.clock.nowUs() + Math.max(0, Math.round(ms * 1000)), fn };
    this.pending.push(t);
    return { id: t.id } as unknown as TimerHandle;
  }

  clear(h: TimerHandle): void {
    const id = (h as unknown as { id: number }).id;
    this.pending = this.pending.filter((t) => t.id !== id);
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Advance the clock by `ms`, firing every timer due on the way in time order (a timer set by
   * a callback fires too if it falls inside the window). `settle` runs after each callback so
   * promise continuations (attempt results) happen at the time they were produced.
   */
  async advance(ms: number, settle: () => Promise<void> = flushMicrotasks): Promise<void> {
    const end = this.clock.nowUs() + Math.round(ms * 1000);
    await settle();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.pending) if (t.atUs <= end && (next === undefined || t.atUs < next.atUs || (t.atUs === next.atUs && t.id < next.id))) next = t;
      if (next === undefined) break;
      const fire = next;
      this.pending = this.pending.filter((t) => t !== fire);
      this.clock.advance(fire.atUs - this.clock.nowUs());
      fire.fn();
      await settle();
    }
    this.clock.advance(end - this.clock.nowUs());
    await settle();
  }
}

/** Lets pending promise callbacks run (a few turns: results chain through `then`). */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
