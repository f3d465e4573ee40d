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
 *
 * When: notify_up / notify_down when a real server's health changes; quorum_up / quorum_down
 * when quorum is gained or lost. At start keepalived 2.2.7 (ipwrapper.c init_service_vs →
 * update_quorum_state(init)) runs quorum_down only when the service starts without quorum and
 * has a sorry server, and never quorum_up; lvsd does the same for every service it has not
 * seen before. With `omega`, stopping runs notify_down of every live real server and
 * quorum_down (clear_service_vs).
 */
import { realId, realKey, serviceId, type QuorumChange, type RealHealth } from '../health/index.js';
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
  /** A real server's health went up or down: its notify_up / notify_down. */
  realChanged(config: Config, service: string, real: string, up: boolean): void {
    const rs = config.services.find((vs) => serviceId(vs.key) === service)?.reals.find((r) => realId(r) === real);
    this.run(up ? rs?.health?.notifyUp : rs?.health?.notifyDown, `${service} ${real} ${up ? 'up' : 'down'}`, config);
  }

  /** One log line per quorum state (the first one of a service too), and quorum_up / quorum_down as keepalived runs them. */
  quorumChanged(config: Config, c: QuorumChange): void {
    const vs = config.services.find((s) => serviceId(s.key) === c.service);
    this.o.log.info({ event: 'quorum.state', svc: c.service, from: c.from ?? null, to: c.to, weightSum: c.weightSum, threshold: c.threshold,
      sorry: vs?.sorry ? realId(vs.sorry.server) : null }, c.from === undefined ? 'starting quorum state' : 'quorum state changed');
    if (vs === undefined) return;
    // keepalived at start: quorum_up never, quorum_down only with a sorry server.
    if (c.from === undefined && (c.to === 'up' || vs.sorry === undefined)) return;
    this.run(c.to === 'up' ? vs.health?.quorumUp : vs.health?.quorumDown, `${c.service} quorum ${c.to}`, config);
  }

  /** Stopping with omega: notify_down of every live real server, then quorum_down, per service. */
  stopping(config: Config, reals: ReadonlyMap<string, RealHealth>): void {
    for (const vs of config.services) {
      if (vs.health?.omega !== true) continue;
      const svc = serviceId(vs.key);
      for (const rs of vs.reals) {
        if (reals.get(realKey(svc, realId(rs)))?.up === false) continue;
        this.run(rs.health?.notifyDown, `${svc} ${realId(rs)} down (stopping)`, config);
      }
      this.run(vs.health.quorumDown, `${svc} quorum down (stopping)`, config);
    }
  }
}
