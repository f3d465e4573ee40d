/**
 * ldirectord checktype off (4.12 _check_real: "No real or fallback servers to be added"): no
 * traffic, and the real server is never put in service. Each attempt fails at once with reason
 * `off`, so the server stays down and `lvsctl checks` says why. (checktype on has no checker:
 * the front-end gives those servers no checks, so they are always up.)
 */
import type { Attempt, Checker } from '../checker.js';

export const offChecker: Checker = {
  kind: 'off',
  start(): Attempt {
    return { result: Promise.resolve({ ok: false, latencyMs: 0, reason: 'off', detail: 'checktype off: never in service' }), cancel: () => undefined };
  },
};
