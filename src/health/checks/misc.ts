/**
 * MISC_CHECK: run a script per attempt and judge its exit, as keepalived 2.2.7
 * (keepalived/check/check_misc.c misc_check_child_thread):
 * - exit 0: up, at the configured weight (with misc_dynamic too: "legacy case of status 0");
 * - misc_dynamic and exit 2..255: up, with weight exit − 2 (0..253) replacing the configured one;
 * - any other exit (1, or 2..255 without misc_dynamic): down;
 * - killed at the timeout (SIGTERM, then SIGKILL): down, "timed out";
 * - killed by another signal: down.
 * The script runs without a shell, in its own process group, as `user` when given
 * (src/health/script.ts). The scheduler owns retries and rise/fall; this is one attempt.
 *
 * Differs from keepalived: a script that cannot be started (missing, not executable, unknown
 * user) fails the attempt with reason 'error'. keepalived's forked child logs the exec error and
 * exits 0, so the check passes; its config check normally disables such a script up front.
 */
import type { Result } from '../../errors.js';
import type { ScriptRun } from '../../model/index.js';
import type { Attempt, AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { describeOutcome, runScript, type ScriptDeps, type ScriptResult } from '../script.js';

/**
 * The director's script policy (daemon/script-identity.ts: script_user, keepalived_script,
 * enable_script_security), applied before each run: the argv to run and the ids to run it as
 * (absent: lvsd's own), or why it must not run.
 */
export type PrepareScript = (run: ScriptRun) => Result<{ readonly argv: readonly string[]; readonly ids?: { readonly uid: number; readonly gid: number } }, { readonly code: string; readonly message: string }>;

/** Exit code → result; pure. */
export function judgeMiscExit(r: ScriptResult, dynamic: boolean, timeoutMs: number): AttemptResult {
  const o = r.outcome;
  const latencyMs = r.latencyMs;
  const detail = describeOutcome(o, timeoutMs);
  switch (o.kind) {
    case 'exit':
      if (o.code === 0) return { ok: true, latencyMs, detail };
      if (dynamic && o.code >= 2 && o.code <= 255) return { ok: true, latencyMs, detail, weight: o.code - 2 };
      return { ok: false, latencyMs, reason: 'exit', detail };
    case 'signal':
      return { ok: false, latencyMs, reason: 'exit', detail };
    case 'timeout':
      return { ok: false, latencyMs, reason: 'timeout', detail };
    case 'error':
      return { ok: false, latencyMs, reason: 'error', detail, errno: o.code };
    case 'cancelled':
      return { ok: false, latencyMs, reason: 'error', detail };
    default: {
      const never: never = o;
      throw new Error(`unknown script outcome ${JSON.stringify(never)}`);
    }
  }
}

export function createMiscChecker(deps: Partial<ScriptDeps> & { readonly prepare?: PrepareScript } = {}): Checker {
  const fail = (detail: string, errno?: string): Attempt => ({ result: Promise.resolve({ ok: false, latencyMs: 0, reason: 'error', detail, ...(errno ? { errno } : {}) }), cancel: () => undefined });
  return {
    kind: 'misc',
    start(spec: AttemptSpec): Attempt {
      const p = spec.probe;
      if (p.kind !== 'misc') return fail(`misc checker given a ${p.kind} probe`);
      const prepared = deps.prepare?.({ argv: p.argv, ...(p.user !== undefined ? { user: p.user } : {}), ...(p.group !== undefined ? { group: p.group } : {}) });
      if (prepared !== undefined && !prepared.ok) return fail(prepared.error.message, prepared.error.code);
      const how = prepared?.ok ? { argv: prepared.value.argv, ...(prepared.value.ids ? { ids: prepared.value.ids } : {}) } : { argv: p.argv, user: p.user };
      const run = runScript({ ...how, timeoutMs: spec.timeoutMs }, deps);
      return { result: run.result.then((r) => judgeMiscExit(r, p.dynamic, spec.timeoutMs)), cancel: () => run.cancel() };
    },
  };
}
