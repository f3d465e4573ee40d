/**
 * Time is a parameter of every pure core (DESIGN.md §2). Microseconds on a monotonic scale.
 */
export type Us = number;

export interface Clock {
  /** Monotonic time in microseconds. */
  nowUs(): Us;
}

export const monotonicClock: Clock = {
  nowUs: () => Number(process.hrtime.bigint() / 1000n),
};

/** A clock tests advance by hand. */
export class FakeClock implements Clock {
  private t: Us;
  constructor(startUs: Us = 0) {
    this.t = startUs;
  }
  nowUs(): Us {
    return this.t;
  }
  advance(us: Us): Us {
    this.t += us;
    return this.t;
  }
}
