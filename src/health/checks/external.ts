/**
 * ldirectord checktype external (4.12 check_external): run `checkcommand` without a shell with
 * four arguments, VIP (fwmark services: the mark) VPORT (fwmark: 0) RIP RPORT, IPv6 addresses
 * in brackets as ldirectord prints them, the real server's port as written (0 when none); exit 0
 * is up, anything else down. At the timeout (checktimeout) ldirectord sends SIGTERM to the
 * program and counts the server down; here the attempt's deadline kills its whole process group
 * (src/health/script.ts), so nothing it started outlives the check.
 * A program that cannot be started (missing, not executable) is down with reason `error`.
 */
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { runScript, type ScriptDeps, type ScriptResult } from '../script.js';
import { judgeMiscExit } from './misc.js';
import type { AttemptResult } from '../checker.js';

const bracket = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/** The argv of one check (pure). */
export function externalArgv(spec: Pick<AttemptSpec, 'address' | 'port'>, p: { argv: readonly string[]; virtual: string; virtualPort: number }): string[] {
  return [...p.argv, p.virtual, String(p.virtualPort), bracket(spec.address), String(spec.port)];
}

/** ldirectord's verdict is MISC_CHECK's without misc_dynamic: exit 0 up, anything else down. */
export function judgeExternal(r: ScriptResult, timeoutMs: number): AttemptResult {
  return judgeMiscExit(r, false, timeoutMs);
}

export function createExternalChecker(deps: Partial<ScriptDeps> = {}): Checker {
  return {
    kind: 'external',
    start(spec: AttemptSpec): Attempt {
      const p = spec.probe;
      if (p.kind !== 'external') {
        return { result: Promise.resolve({ ok: false, latencyMs: 0, reason: 'error', detail: `external checker given a ${p.kind} probe` }), cancel: () => undefined };
      }
      const run = runScript({ argv: externalArgv(spec, p), timeoutMs: spec.timeoutMs }, deps);
      return { result: run.result.then((r) => judgeExternal(r, spec.timeoutMs)), cancel: () => run.cancel() };
    },
  };
}
