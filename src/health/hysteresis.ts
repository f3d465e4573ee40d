/**
 * Rise/fall hysteresis, once for every checker type (pure).
 *
 * A check is `up` or `down`. While up, `fall` failed checks in a row take it down; while down,
 * `rise` passed checks in a row bring it up. A result that agrees with the current state resets
 * the opposite counter. keepalived's checkers behave as rise = fall = 1 (one verdict, after its
 * retries, flips the state: update_svr_checker_state in check_api.c); ldirectord's
 * `failurecount` is `fall`. A "check" here is the verdict after retries (the scheduler retries).
 */

export type CheckState = 'up' | 'down';

export interface Hysteresis {
  readonly state: CheckState;
  /** Passed checks in a row while down. */
  readonly passes: number;
  /** Failed checks in a row while up. */
  readonly fails: number;
}

export interface RiseFall {
  readonly rise: number;
  readonly fall: number;
}

/** keepalived `alpha` (startDown): start down until the first `rise` passes; else up. */
export function initialHysteresis(startDown: boolean): Hysteresis {
  return { state: startDown ? 'down' : 'up', passes: 0, fails: 0 };
}

/**
 * One verdict. `rise`/`fall` below 1 count as 1 (validation should have refused them).
 * Returns the new record and whether the state flipped.
 */
export function observe(h: Hysteresis, passed: boolean, rf: RiseFall): { readonly h: Hysteresis; readonly changed: boolean } {
  const rise = Math.max(1, rf.rise);
  const fall = Math.max(1, rf.fall);
  if (h.state === 'up') {
    if (passed) return { h: h.fails === 0 ? h : { state: 'up', passes: 0, fails: 0 }, changed: false };
    const fails = h.fails + 1;
    if (fails >= fall) return { h: { state: 'down', passes: 0, fails: 0 }, changed: true };
    return { h: { state: 'up', passes: 0, fails }, changed: false };
  }
  if (!passed) return { h: h.passes === 0 ? h : { state: 'down', passes: 0, fails: 0 }, changed: false };
  const passes = h.passes + 1;
  if (passes >= rise) return { h: { state: 'up', passes: 0, fails: 0 }, changed: true };
  return { h: { state: 'down', passes, fails: 0 }, changed: false };
}
