/**
 * Running the director: in the foreground (-n, systemd) or detached (re-executes itself
 * with -n, logging to --log-file, and returns once the control socket answers).
 */
import { spawn } from 'node:child_process';
import { controlRequest } from '../../control/index.js';
import { acquirePidFile, createDirector, createLogger, type DirectorOptions, type Logger, readConfig } from '../../daemon/index.js';
import { diagnosticLine } from '../../model/index.js';
import { sdNotify, watchdogUs } from '../../net/index.js';
import type { LvsdOptions } from './options.js';
import { logTarget } from './log-target.js';
import { DEFAULT_LOG_FILE } from '../paths.js';
import { dropVrrpWorker } from '../../vrrp/index.js';
import type { Io } from '../io.js';

const DETACHED_ENV = 'LVSD_DETACHED';

/** `children`: ldirectord's execute= (execute.ts), given by the command line, which has the verbs. */
export async function runDirector(opts: LvsdOptions, io: Io, extra: { children?: (log: Logger) => DirectorOptions['children'] } = {}): Promise<number> {
  const configId = opts.configId !== undefined ? { configId: opts.configId } : {};
  const r = readConfig(opts.config, configId);
  if (!r.ok || r.config.vrrp.length === 0) dropVrrpWorker();
  if (!r.ok) {
    for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
    return 1;
  }
  if (!opts.foreground) return detach(opts, io);
  let pid;
  try {
    pid = acquirePidFile(opts.pidFile);
  } catch (e) {
    io.err(`lvsd: ${(e as Error).message}\n`);
    return 1;
  }
  const where = logTarget({ detached: process.env[DETACHED_ENV] !== undefined, logFile: opts.logFile, defaultLogFile: DEFAULT_LOG_FILE, config: r.config });
  const t = where.target;
  const log = createLogger({ level: opts.logLevel, ...(t.kind === 'file' ? { file: t.path } : t.kind === 'syslog' ? { syslog: t.facility } : {}) });
  if (where.warning !== undefined) log.warn({ event: 'log.target', warning: where.warning }, 'ldirectord logfile not used');
  for (const d of r.diagnostics) log.warn({ event: 'config.warning', diagnostic: d }, 'configuration warning');
  // bin/lvsd's shebang passes it; `node bin/lvsd` does not (see bin/lvsd for why it matters).
  if (r.config.vrrp.length > 0 && !process.execArgv.includes('--single-threaded')) {
    log.warn({ event: 'node.flags', missing: '--single-threaded' }, 'node runs V8 background threads: the VRRP worker may wait on them under load (start lvsd as bin/lvsd)');
  }
  const director = createDirector(r.config, { socketPath: opts.socket, log, vrrpRtPriority: opts.vrrpRtPriority, ipvsMemory: opts.debugIpvsMemory === true,
    watchConnections: opts.watchConnections === true, ...configId,
    ...(extra.children ? { children: extra.children(log.child({ component: 'ldirectord' })) } : {}) });
  // Signals are taken before the director starts, so a TERM during start-up is still graceful.
  // process.on, not once: execa's exit hook (signal-exit, loaded while a child such as sendmail
  // runs) re-raises a TERM when it finds no other listener, and a once-listener has already
  // removed itself by then: lvsd died of its own TERM before the graceful stop.
  let stopRequested: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  process.on('SIGTERM', () => stopRequested('SIGTERM'));
  process.on('SIGINT', () => stopRequested('SIGINT'));
  let started = false;
  process.on('SIGHUP', () => {
    log.info({ event: 'director.signal', signal: 'SIGHUP' }, 'signal received');
    if (started) void director.reload();
  });
  try {
    await director.start();
    started = true;
  } catch (e) {
    log.fatal({ event: 'director.start', err: e }, 'director failed to start');
    await director.stop().catch(() => undefined);
    pid.release();
    return 1;
  }
  notify({ READY: 1, MAINPID: process.pid }, log);
  const wdUs = watchdogUs(process.env, process.pid);
  if (wdUs !== undefined) setInterval(() => notify({ WATCHDOG: 1 }, log), Math.max(1, wdUs / 2000)).unref();
  if (opts.debugBurnMain) burnMainThread(opts.debugBurnMain);
  const signal = await stopped;
  log.info({ event: 'director.signal', signal }, 'signal received');
  notify({ STOPPING: 1 }, log);
  await director.stop();
  pid.release();
  return 0;
}

function notify(fields: Record<string, string | number>, log: Logger): void {
  const r = sdNotify(fields, process.env);
  if (!r.ok) log.warn({ event: 'sd_notify', err: r.error }, 'systemd notification failed');
}

async function detach(opts: LvsdOptions, io: Io): Promise<number> {
  const script = process.argv[1] ?? '';
  // The child gets the options, never the verb (`start` would detach again).
  const args = ['-n', '-f', opts.config, '--socket', opts.socket, '--pid-file', opts.pidFile, '--log-level', opts.logLevel,
    '--log-file', opts.logFile, '--vrrp-rt-priority', String(opts.vrrpRtPriority), ...(opts.configId !== undefined ? ['--config-id', opts.configId] : []),
    ...(opts.watchConnections === true ? ['--watch-connections'] : []), ...(opts.debugIpvsMemory === true ? ['--debug-ipvs-memory'] : [])];
  // The parent's node options too: bin/lvsd's --single-threaded (see bin/lvsd).
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  child.unref();
  const exited = new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const done = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (done !== null) {
      io.err(`lvsd: director exited during start (code ${done}); see its log (${opts.logFile}, or the ldirectord.cf logfile)\n`);
      return 1;
    }
    try {
      await controlRequest(opts.socket, 'ping', undefined, { timeoutMs: 500 });
      return 0;
    } catch {
      // not up yet
    }
  }
  io.err(`lvsd: director did not answer on ${opts.socket} within 15 s\n`);
  return 1;
}

/** Debug aid for the stress bench: keep the main loop busy `ms` out of every `ms + 5`. */
function burnMainThread(ms: number): void {
  const spin = (): void => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // busy
    }
    setTimeout(spin, 5);
  };
  setTimeout(spin, 5);
}
