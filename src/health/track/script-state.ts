/**
 * vrrp_script rise/fall exactly as keepalived 2.2.7 counts it (keepalived/vrrp/vrrp_scheduler.c
 * vrrp_init_script and vrrp_script_child_thread). Pure.
 *
 * keepalived keeps one counter `result` in 0 .. rise+fall−1; the script is up from `rise` on.
 * - Start: result = rise − 1 and the state unknown, so the first result decides at once
 *   (one success is up, one failure is down); with `init_fail` result = 0 and the script is
 *   down until `rise` successes in a row.
 * - Success: below rise − 1 count up; otherwise, if not yet up, go up; result := rise+fall−1.
 * - Failure: above rise count down; at rise (or on the very first result) go down; result := 0.
 * So an up script goes down after `fall` failures in a row and a down one up after `rise`
 * successes in a row; any opposite result resets the run.
 */

export interface ScriptCounting {
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface ScriptState {
  readonly result: number;
  /** undefined until the first result (keepalived SCRIPT_INIT_STATE_INIT). */
  readonly up: boolean | undefined;
  /** keepalived SCRIPT_INIT_STATE_INIT: no result yet and not init_fail. */
  readonly initial: boolean;
}

export function initialScriptState(c: ScriptCounting): ScriptState {
  return c.initFail ? { result: 0, up: false, initial: false } : { result: c.rise - 1, up: undefined, initial: true };
}

/** One script result; `changed` says whether the script went up or down with it. */
export function scriptResult(s: ScriptState, c: ScriptCounting, success: boolean): { s: ScriptState; changed: boolean } {
  const top = c.rise + c.fall - 1;
  if (success) {
    if (s.result < c.rise - 1) return { s: { ...s, result: s.result + 1, initial: false }, changed: false };
    if (s.result === top) return { s: { ...s, initial: false }, changed: false };
    const goesUp = s.result < c.rise;
    return { s: { result: top, up: goesUp ? true : s.up, initial: false }, changed: goesUp && s.up !== true };
  }
  if (s.result > c.rise) return { s: { ...s, result: s.result - 1, initial: false }, changed: false };
  const goesDown = s.result === c.rise || s.initial;
  return { s: { result: 0, up: goesDown ? false : s.up, initial: false }, changed: goesDown && s.up !== false };
}
