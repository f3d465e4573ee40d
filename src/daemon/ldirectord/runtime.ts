/**
 * ldirectord's runtime directives on lvsd's health engine (the model's Config.ldirectord and
 * VirtualService.ldirectord, ldirectord 4.12 semantics, src/config/ldirectord/README.md):
 *
 * - fallbackcommand: run without a shell as `CMD start|stop VIP:VPORT PROTO` (fwmark services:
 *   `MARK:0 fwm`; ldirectord passes `:0`) when the fallback is engaged (no real server up, i.e.
 *   the sorry server is in) / disengaged; at most once per change. A service's first command
 *   waits until each of its real servers has a first verdict, so a start never runs
 *   start-then-stop (ldirectord does, at every start and reload); across a reload an unchanged
 *   service keeps its state and runs nothing.
 * - maintenancedir: polled every checkinterval; a file named after a real server
 *   (maintenance.ts) holds it down as a failed check would (quorum and fallback included);
 *   once the file is gone it comes back with its next check result, as in ldirectord (its
 *   checks go on meanwhile; ldirectord skips them).
 * - autoreload / callback: the file is polled every checkinterval (mtime, then content, as
 *   ldirectord's check_cfgfile); on a change the director reloads (all or nothing) when
 *   autoreload=yes, and the callback runs with the file's path.
 * - emailalert*: alerts.ts, mailed through `mail` (sendmail.ts; smtp-client.ts for smtp=) in the states emailalertstatus
 *   allows: starting (until every real server has its first verdict), running, reloading,
 *   stopping.
 * - monitorfile: every check result of the service's real servers, one line each
 *   (monitor-file.ts); a real server in maintenance logs "Server in maintenance" instead.
 * - execute: another lvsd per named configuration, through `children` (cli/lvsd/execute.ts),
 *   started, reloaded (or started) and stopped as ldirectord's reread_config / ld_process_term.
 *
 * It sees each pass of the HealthRunner (HealthObserver) and holds real servers down through
 * `forceDown`; `configure` is called with each config the director runs (start, reload).
 */
import type { Config, LdirectordDaemonState, VirtualService } from '../../model/index.js';
import { realId, realKey, serviceId, type AttemptResult, type QuorumState, type Subscriber, type TimerHandle, type Timers } from '../../health/index.js';
import type { HealthObserver, HealthPass } from '../health-hold.js';
import type { Logger } from '../logger.js';
import type { NotifyQueue } from '../director.js';
import { alertMessage, dueResends, noteAlert, tableAlerts, tableView, virtualText, type Alert, type Resends, type TableView } from './alerts.js';
import { hostNames, maintained } from './maintenance.js';
import { MonitorFiles, monitorLine } from './monitor-file.js';

export interface LdirectordFiles {
  readdir(dir: string): Promise<readonly string[]>;
  /** mtime in ms. */
  mtimeMs(path: string): Promise<number>;
  /** A digest of the content (ldirectord: MD5). */
  digest(path: string): Promise<string>;
  /** /etc/hosts, for maintenance file names; "" when unreadable. */
  hosts(): Promise<string>;
  /** Appends to a file, creating it (monitorfile). */
  append(path: string, text: string): Promise<void>;
}

/** What the daemon asks of another configuration's lvsd (ldirectord ld_cmd_children). */
export type ChildCommand = 'start' | 'stop' | 'reload';

export type MailResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface LdirectordRuntimeOptions {
  readonly log: Logger;
  readonly timers: Timers;
  /** Wall clock, ms since the epoch (alert resends). */
  readonly nowMs: () => number;
  readonly notify: Pick<NotifyQueue, 'enqueue'>;
  readonly files: LdirectordFiles;
  /** Sends an alert: through `smtp` (smtp=, `host[:port]`) when given, else the local sendmail. */
  readonly mail: (to: readonly string[], message: string, smtp?: string) => Promise<MailResult>;
  readonly hostname: string;
  readonly forceDown: (realKeys: ReadonlySet<string>) => void;
  /**
   * execute=: `lvsd -f NAME start|stop|reload` for another configuration, a daemon of its own
   * (cli/lvsd/execute.ts); resolves with the verb's exit code. Absent: execute= is only logged.
   */
  readonly children?: (cmd: ChildCommand, name: string) => Promise<number>;
  readonly reload: () => Promise<unknown>;
  /** In monitorfile lines; default this process's. */
  readonly pid?: number;
}

/** How long fallbackcommand and callback may run (ldirectord waits without limit). */
export const COMMAND_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 10_000;

/** The poll interval: ldirectord checks between check passes, every checkinterval; here the shortest check interval. */
export function pollIntervalMs(config: Config): number {
  const all = config.services.flatMap((vs) => vs.reals.flatMap((rs) => rs.health?.checks.map((c) => c.timing.intervalMs) ?? []));
  return all.length > 0 ? Math.min(...all) : DEFAULT_POLL_MS;
}

/** The fallbackcommand's arguments after the program: start|stop, VIP:VPORT (fwmark: MARK:0), protocol. */
export function fallbackArgs(vs: VirtualService, action: 'start' | 'stop'): string[] {
  const proto = vs.key.kind === 'fwmark' ? 'fwm' : vs.key.protocol;
  const where = vs.key.kind === 'fwmark' ? `${vs.key.fwmark}:0` : virtualText(vs);
  return [action, where, proto];
}

export class LdirectordRuntime implements HealthObserver {
  private config: Config | undefined;
  private state: LdirectordDaemonState = 'starting';
  private table: TableView = new Map();
  private readonly quorum = new Map<string, QuorumState>();
  private readonly fallbackRun = new Map<string, 'start' | 'stop'>();
  private readonly resends: Resends = new Map();
  private inMaintenance: ReadonlySet<string> = new Set();
  /** Out of maintenance, held down until their next check result (ldirectord: "the next successful check brings it back"). */
  private readonly leaving = new Set<string>();
  /** execute= configurations started, and the verbs still running for them. */
  private children: ReadonlySet<string> = new Set();
  private childWork: Promise<void> = Promise.resolve();
  private hosts: ReadonlyMap<string, readonly string[]> = new Map();
  private watched: { path: string; mtimeMs?: number; digest?: string } | undefined;
  private timer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;
  /** monitorfile and real server names, by service id. */
  private monitors = new Map<string, { readonly file: string; readonly names: Readonly<Record<string, string>> }>();
  private readonly monitorFiles: MonitorFiles;

  constructor(private readonly o: LdirectordRuntimeOptions) {
    this.monitorFiles = new MonitorFiles({
      append: (path, text) => o.files.append(path, text),
      failed: (path, err) => o.log.error({ event: 'ldirectord.monitorfile', file: path, err }, 'monitorfile not written'),
    });
  }

  /** A config the director runs now (start, then each reload); resolves after a first maintenance scan. */
  async configure(config: Config): Promise<void> {
    const first = this.config === undefined;
    this.config = config;
    if (!first) this.state = 'reloading';
    this.stopTimer();
    const ld = config.ldirectord;
    if (this.closed) return;
    this.execute(ld?.execute ?? []);
    if (ld === undefined) return;
    this.monitors = new Map(config.services.flatMap((vs) => {
      const l = vs.ldirectord;
      return l?.monitorFile !== undefined ? [[serviceId(vs.key), { file: l.monitorFile, names: l.monitorNames ?? {} }] as const] : [];
    }));
    if (ld.maintenanceDir !== undefined) this.hosts = hostNames(await this.o.files.hosts());
    const file = ld.at.file;
    if (this.watched?.path !== file) this.watched = { path: file };
    await this.poll({ reloadOnChange: false });
    this.arm(config);
  }

  /**
   * execute=, as ldirectord's reread_config and ld_cmd_children: configurations no longer named
   * are stopped, the ones named before are reloaded (started if that fails), new ones started.
   * In turn, one verb at a time, after what an earlier config asked.
   */
  private execute(names: readonly string[]): void {
    const run = this.o.children;
    const next = new Set(names);
    if (run === undefined) {
      for (const name of next) this.o.log.warn({ event: 'ldirectord.unsupported', directive: 'execute', value: name }, 'execute= is not carried out here');
      return;
    }
    const before = this.children;
    this.children = next;
    this.childWork = this.childWork.then(async () => {
      for (const name of before) if (!next.has(name)) await this.child(run, 'stop', name);
      for (const name of next) if (!before.has(name) || (await this.child(run, 'reload', name)) !== 0) await this.child(run, 'start', name);
    });
  }

  private async child(run: NonNullable<LdirectordRuntimeOptions['children']>, cmd: ChildCommand, name: string): Promise<number> {
    const code = await run(cmd, name).catch(() => 1);
    const line = { event: 'ldirectord.execute', cmd, config: name, code };
    if (code === 0) this.o.log.info(line, `${cmd} of ${name} done`);
    else this.o.log.warn(line, `${cmd} of ${name} failed`);
    return code;
  }

  /** Resolves when the execute= verbs asked so far are done (tests). */
  async childrenIdle(): Promise<void> {
    await this.childWork;
  }

  /** The director stops: every execute= configuration is stopped too (ldirectord ld_process_term). */
  async stopChildren(): Promise<void> {
    this.execute([]);
    await this.childWork;
  }

  /** Each check result: a monitorfile line for every service that has one. */
  checked(_config: Config, subscribers: readonly Subscriber[], r: AttemptResult): void {
    if (this.closed) return;
    if (this.leaving.size > 0 && subscribers.filter((s) => this.leaving.delete(realKey(s.service, s.real))).length > 0) this.o.forceDown(this.heldDown());
    if (this.monitors.size === 0) return;
    for (const s of subscribers) {
      const m = this.monitors.get(s.service);
      const name = m?.names[s.real];
      if (m === undefined || name === undefined) continue;
      const maintenance = this.inMaintenance.has(realKey(s.service, s.real));
      this.monitorFiles.write(m.file, monitorLine({
        at: new Date(this.o.nowMs()), pid: this.o.pid ?? process.pid, name, up: !maintenance && r.ok,
        message: maintenance ? 'Server in maintenance' : r.ok ? r.detail ?? '' : r.detail,
      }));
    }
  }

  /** Each HealthRunner pass: fallbackcommand, alerts; the daemon state moves on. */
  passed(config: Config, pass: HealthPass): void {
    if (this.closed || config.ldirectord === undefined) return;
    for (const c of pass.changes) this.quorum.set(c.service, c.to);
    const services = new Set(config.services.map((vs) => serviceId(vs.key)));
    for (const k of [...this.quorum.keys()]) if (!services.has(k)) this.quorum.delete(k);
    for (const vs of config.services) this.fallbackCommand(vs, pass.pending);
    const next = tableView(pass.services);
    for (const a of tableAlerts(this.table, next)) this.alert(a, config);
    this.table = next;
    if (this.state === 'reloading' || (this.state === 'starting' && pass.pending.size === 0)) this.state = 'running';
  }

  /** The director is stopping: alerts from now on are in state "stopping". */
  stopping(): void {
    this.state = 'stopping';
  }

  close(): void {
    this.closed = true;
    this.stopTimer();
  }

  /** Resolves when a poll in flight and the monitorfile lines are done (tests). */
  async idle(): Promise<void> {
    await this.polling;
    await this.monitorFiles.idle();
  }

  private fallbackCommand(vs: VirtualService, pending: ReadonlySet<string>): void {
    const cmd = vs.ldirectord?.fallbackCommand;
    const svc = serviceId(vs.key);
    const q = this.quorum.get(svc);
    if (cmd === undefined || q === undefined) return;
    if (vs.reals.some((rs) => pending.has(realKey(svc, realId(rs))))) return;
    const action = q === 'up' ? 'stop' : 'start';
    if (this.fallbackRun.get(svc) === action) return;
    this.fallbackRun.set(svc, action);
    const argv = [...cmd, ...fallbackArgs(vs, action)];
    this.o.log.info({ event: 'ldirectord.fallbackcommand', svc, action, argv }, 'fallback command queued');
    this.o.notify.enqueue({ argv, timeoutMs: COMMAND_TIMEOUT_MS, label: `${svc} fallback ${action}` });
  }

  private alert(a: Alert, config: Config): void {
    const vs = config.services.find((s) => serviceId(s.key) === a.service);
    const ld = vs?.ldirectord;
    if (vs === undefined || ld === undefined) return;
    noteAlert(this.resends, a, { freqS: ld.emailAlertFreqS, nowMs: this.o.nowMs() });
    if (ld.emailAlert.length === 0 || !ld.emailAlertStatus.includes(this.state)) return;
    const from = config.ldirectord?.emailAlertFrom;
    const message = alertMessage(a.subject, {
      to: ld.emailAlert, host: this.o.hostname, state: this.state,
      ...(from !== undefined ? { from } : {}), ...(ld.serviceName ? { serviceName: ld.serviceName } : {}), ...(ld.comment ? { comment: ld.comment } : {}),
    });
    const fields = { event: 'alert.mail', svc: a.service, subject: a.subject, to: ld.emailAlert, state: this.state, ...(ld.smtp !== undefined ? { smtp: ld.smtp } : {}) };
    void this.o.mail(ld.emailAlert, message, ld.smtp).then((r) => {
      if (r.ok) this.o.log.info(fields, 'alert mailed');
      else this.o.log.warn({ ...fields, reason: r.reason }, 'alert not mailed');
    });
  }

  private arm(config: Config): void {
    this.stopTimer();
    if (this.closed || config.ldirectord === undefined) return;
    this.timer = this.o.timers.set(() => {
      this.timer = undefined;
      this.polling = this.poll({ reloadOnChange: true })
        .catch((err: unknown) => this.o.log.error({ event: 'config.reload', ok: false, err }, 'automatic reload failed'))
        .then(() => this.arm(this.config ?? config));
    }, pollIntervalMs(config));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.o.timers.clear(this.timer);
    this.timer = undefined;
  }

  private async poll(o: { reloadOnChange: boolean }): Promise<void> {
    const config = this.config;
    const ld = config?.ldirectord;
    if (config === undefined || ld === undefined || this.closed) return;
    await this.scanMaintenance(config, ld.maintenanceDir);
    if (ld.autoreload || ld.callback !== undefined) await this.checkFile(config, o.reloadOnChange);
    for (const a of dueResends(this.resends, { freqS: (svc) => config.services.find((s) => serviceId(s.key) === svc)?.ldirectord?.emailAlertFreqS, nowMs: this.o.nowMs() })) {
      this.alert(a, config);
    }
  }

  private async scanMaintenance(config: Config, dir: string | undefined): Promise<void> {
    let files: ReadonlySet<string> = new Set();
    if (dir !== undefined) {
      try {
        files = new Set(await this.o.files.readdir(dir));
      } catch (err) {
        this.o.log.warn({ event: 'ldirectord.maintenance', dir, err }, 'maintenance directory not readable: no real server is in maintenance');
      }
    }
    const next = maintained(config.services, files, this.hosts);
    for (const k of next) if (!this.inMaintenance.has(k)) this.logMaintenance(k, true);
    for (const k of this.inMaintenance) {
      if (next.has(k)) continue;
      this.logMaintenance(k, false);
      this.leaving.add(k);
    }
    for (const k of next) this.leaving.delete(k);
    for (const k of [...this.leaving]) if (!config.services.some((vs) => k.startsWith(`${serviceId(vs.key)}|`))) this.leaving.delete(k);
    this.inMaintenance = next;
    this.o.forceDown(this.heldDown());
  }

  /** In maintenance, or out of it and waiting for a check result. */
  private heldDown(): ReadonlySet<string> {
    return this.leaving.size === 0 ? this.inMaintenance : new Set([...this.inMaintenance, ...this.leaving]);
  }

  private logMaintenance(key: string, on: boolean): void {
    const cut = key.lastIndexOf('|');
    this.o.log.info({ event: 'real.maintenance', svc: key.slice(0, cut), rs: key.slice(cut + 1), maintenance: on },
      on ? 'real server in maintenance' : 'real server out of maintenance');
  }

  /** check_cfgfile: mtime first, then the content; the first look only records them. */
  private async checkFile(config: Config, act: boolean): Promise<void> {
    const w = this.watched;
    if (w === undefined) return;
    let mtimeMs: number;
    let digest: string;
    try {
      mtimeMs = await this.o.files.mtimeMs(w.path);
      if (mtimeMs === w.mtimeMs) return;
      digest = await this.o.files.digest(w.path);
    } catch (err) {
      this.o.log.warn({ event: 'config.watch', file: w.path, err }, 'configuration file not readable for checking');
      return;
    }
    const changed = w.digest !== undefined && w.digest !== digest;
    w.mtimeMs = mtimeMs;
    w.digest = digest;
    if (!changed || !act) return;
    const ld = config.ldirectord;
    this.o.log.info({ event: 'config.changed', file: w.path, autoreload: ld?.autoreload === true }, 'configuration file changed on disk');
    // ldirectord: reread_config first, then the callback.
    if (ld?.autoreload === true) await this.o.reload();
    if (ld?.callback !== undefined) {
      this.o.notify.enqueue({ argv: [...ld.callback, w.path], timeoutMs: COMMAND_TIMEOUT_MS, label: 'callback' });
    }
  }
}
