/**
 * Time is a parameter of every pure core and of every part with timers (docs/design.md "Pure cores and edges"):
 * monotonic microseconds for deadlines (`Clock`), wall-clock milliseconds for the times
 * shown to operators (`WallClock`), one-shot timers (`Timers`). The composition roots
 * (daemon/wiring.ts, vrrp/worker.ts) pass `systemTime`; tests pass a `FakeClock`.
 */
export type Us = number;

export interface Clock {
  /** Monotonic time in microseconds. */
  nowUs(): Us;
}

export interface WallClock {
  /** Milliseconds since the epoch (Date.now scale): for log lines and lvsctl, never for deadlines. */
  nowMs(): number;
}

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

/**
 * One reusable timer for a deadline that keeps moving (the VRRP runner's): start() replaces the
 * pending deadline, stop() cancels it, close() frees it for good.
 */
export interface OneShotTimer {
  start(delayMs: number): void;
  stop(): void;
  close(): void;
}

/** A OneShotTimer over any Timers (a FakeClock in tests). */
export function oneShotOf(timers: Timers, fn: () => void): OneShotTimer {
  let h: TimerHandle | undefined;
  const stop = (): void => {
    if (h !== undefined) timers.clearTimer(h);
    h = undefined;
  };
  return {
    start: (delayMs) => {
      stop();
      h = timers.setTimer(() => {
        h = undefined;
        fn();
      }, delayMs);
    },
    stop,
    close: stop,
  };
}

/** Everything time-related a part with timers needs. */
export interface Time extends Clock, WallClock, Timers {}

export const monotonicClock: Clock = {
  // process.hrtime() is the clock of process.hrtime.bigint() and the addon's uv_hrtime (CLOCK_MONOTONIC,
  // the same on every thread), floored to µs as before, without a BigInt and its division per call.
  nowUs: () => {
    const [s, ns] = process.hrtime();
    return s * 1_000_000 + Math.floor(ns / 1000);
  },
};

/**
 * The real one: process.hrtime, Date.now and Node's timers. Timers are unref'd: a pending
 * timer alone never keeps the process (or the VRRP worker) alive; sockets and the control
 * server do that.
 */
export const systemTime: Time = {
  nowUs: monotonicClock.nowUs,
  nowMs: () => Date.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs).unref() as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
};

interface Pending {
  readonly id: number;
  readonly atUs: Us;
  readonly fn: () => void;
}

/**
 * A clock tests advance by hand, with timers that fire in deadline order (ties in the order
 * they were set) as `advance` passes their deadline. A timer set while firing runs in the
 * same `advance` if its deadline falls within it. Wall time is `wallStartMs` + elapsed.
 */
export class FakeClock implements Time {
  private t: Us;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(startUs: Us = 0, private readonly wallStartMs = 1_700_000_000_000) {
    this.t = startUs;
  }

  nowUs(): Us {
    return this.t;
  }

  nowMs(): number {
    return this.wallStartMs + Math.floor(this.t / 1000);
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

  /** Moves time on by `us`, firing every timer whose deadline is reached; returns the new time. */
  advance(us: Us): Us {
    const end = this.t + us;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.atUs > end) break;
      this.pending = this.pending.filter((p) => p.id !== next.id);
      this.t = Math.max(this.t, next.atUs);
      next.fn();
    }
    this.t = end;
    return this.t;
  }

  /** advance() in milliseconds. */
  advanceMs(ms: number): Us {
    return this.advance(ms * 1000);
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (best === undefined || p.atUs < best.atUs || (p.atUs === best.atUs && p.id < best.id)) best = p;
    return best;
  }
}
