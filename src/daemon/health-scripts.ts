/**
 * The health layer's scripts (keepalived notify_up / notify_down per real server, quorum_up /
 * quorum_down per virtual server) go through the director's notify queue, which runs them one
 * at a time, without a shell, in the order the changes happened. Each is judged first
 * (script-identity.ts): run as the user keepalived 2.2.7 would pick; an unsafe root script is
 * refused under enable_script_security, or run and reported once without it. keepalived adds
 * no arguments to these scripts (ipwrapper.c do_rs_notifies / do_vs_notifies: notify_exec of
 * the configured command), and neither does lvsd. keepalived has no timeout for them; lvsd
 * uses the format's notify timeout (model/defaults.ts) so that one hung script cannot hold
 * the queue the VRRP notify scripts share.
 */
import { type Config, defaultsFor, type ScriptRun } from '../model/index.js';
import type { Logger } from './logger.js';
import type { NotifyJob } from './notify.js';
import { judgeScript, systemScriptDeps, type ScriptCheckDeps } from './script-identity.js';

export interface NotifyQueue {
  enqueue(job: NotifyJob): void;
}

export class HealthScripts {
  /** Programs already reported as unsafe (once per lvsd run, as keepalived checks once per load). */
  private readonly warned = new Set<string>();

  private readonly self: { readonly uid: number; readonly gid: number };

  /** `self`: lvsd's own ids (default: the process's); a script run as them is spawned without setuid/setgid. */
  constructor(private readonly o: { readonly notify: NotifyQueue; readonly log: Logger; readonly deps?: ScriptCheckDeps; readonly self?: { uid: number; gid: number } }) {
    this.self = o.self ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }

  /** Queues `run` (when configured); `label` names the change for the logs ("TCP 192.0.2.10:80 10.0.0.1:80 up"). */
  run(run: ScriptRun | undefined, label: string, config: Config): void {
    if (run === undefined || run.argv.length === 0) return;
    const v = judgeScript(run, config.scripts, this.o.deps ?? systemScriptDeps());
    if (!v.ok) {
      this.o.log.error({ event: 'notify.refused', label, argv: run.argv, err: { code: v.code, message: v.message } }, 'notify script not run');
      return;
    }
    const program = v.argv[0] ?? '';
    if (v.insecure !== undefined && !this.warned.has(program)) {
      this.warned.add(program);
      this.o.log.warn({ event: 'notify.insecure', label, argv: v.argv, user: v.user, reason: v.insecure }, 'unsafe script runs as root (enable_script_security is off)');
    }
    const as = v.uid === this.self.uid && v.gid === this.self.gid ? {} : { uid: v.uid, gid: v.gid };
    this.o.notify.enqueue({ argv: v.argv, timeoutMs: defaultsFor(config.format).notifyTimeoutMs, label, ...as });
  }
}
