/**
 * The checkers the director runs (one per probe kind, src/health/checks): the built-in network
 * checkers, ICMP through the addon (loaded on the first PING_CHECK), MISC_CHECK scripts under
 * the config's script policy (script-identity.ts: the user keepalived 2.2.7 would pick,
 * enable_script_security), and FILE_CHECK reading the track_file the running config names.
 */
import { checkerRegistry, createFileChecker, createMiscChecker, type CheckerRegistry, type PrepareScript } from '../health/index.js';
import type { Config } from '../model/index.js';
import { loadNative } from '../native/index.js';
import { judgeScript, systemScriptDeps, type ScriptCheckDeps } from './script-identity.js';

/** MISC_CHECK's policy: judged before every run (the file may change between runs). */
export function miscPolicy(current: () => Config | undefined, deps: ScriptCheckDeps = systemScriptDeps(), self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): PrepareScript {
  return (run) => {
    const v = judgeScript(run, current()?.scripts, deps);
    if (!v.ok) return { ok: false, error: { code: v.code, message: v.message } };
    const same = v.uid === self.uid && v.gid === self.gid;
    return { ok: true, value: { argv: v.argv, ...(same ? {} : { ids: { uid: v.uid, gid: v.gid } }) } };
  };
}

export function realCheckers(current: () => Config | undefined): CheckerRegistry {
  return checkerRegistry({
    icmp: loadNative,
    echoId: process.pid,
    extra: [
      createMiscChecker({ prepare: miscPolicy(current) }),
      createFileChecker({ resolve: (name) => current()?.tracking?.files.find((f) => f.name === name) }),
    ],
  });
}
