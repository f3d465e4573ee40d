/**
 * ldirectord-compatible verbs (resource-agents 4.12 ldirectord.in, ld_init), so init scripts,
 * heartbeat's resource script and monitoring written for ldirectord keep working:
 *
 * | verb | lvsd running | not running | exit |
 * |---|---|---|---|
 * | start | nothing | start (detached) | 0; 1 config file missing; 2 config errors |
 * | stop | TERM, wait until gone | nothing | 0 (1: could not signal, or still there after 10 s) |
 * | restart | stop, then start | start | as start |
 * | try-restart | as restart | nothing | 0 |
 * | reload, force-reload | validate, then HUP | stderr "... is stopped for PATH" | 0; 1 not running; 2 config errors |
 * | status | stderr `NAME for PATH is running with pid: N` | stdout `NAME is stopped for PATH` (stale pid file: also stderr `NAME stale pid file F for PATH`) | 0 running, 1 stale pid file, 3 stopped, 4 pid file unreadable |
 *
 * The sentences are ldirectord's, on the same streams, naming "ldirectord" when the file is an
 * ldirectord.cf (monitoring that greps "ldirectord for" keeps matching) and "lvsd" otherwise. As in
 * ldirectord a pid counts only when /proc/PID/cmdline names the program (pidfile.ts). Intended
 * differences: status and stop never parse the config (ldirectord parses it first and cannot
 * stop or query a daemon whose file is broken); stop waits for the daemon to end (ldirectord
 * returns at once); reload validates first and exits 2 without signalling a daemon that would
 * refuse the file; an unknown verb exits 2 (usage), not 255.
 */
import { existsSync, readFileSync } from 'node:fs';
import { detectFormat } from '../../config/index.js';
import { pidFileStatus, readConfig } from '../../daemon/index.js';
import { diagnosticLine } from '../../model/index.js';
import type { LvsdOptions } from './options.js';
import type { Io } from '../io.js';
export { ldirectordConfigPath } from './config-path.js';

/** kill(2) as process.kill has it; tests pass their own. */
export type Kill = (pid: number, signal: NodeJS.Signals | 0) => unknown;

/** What a verb needs from the system; tests pass fakes. */
export interface VerbDeps {
  readonly kill: Kill;
  /** The pid file read against /proc (daemon/pidfile.ts pidFileStatus). */
  readonly pidState: (pidFile: string) => ReturnType<typeof pidFileStatus>;
  /** Starts the director detached; resolves with the exit code of `start`. */
  readonly start: (opts: LvsdOptions, io: Io) => Promise<number>;
  /** Validates the config (with -i's config id, if any): undefined when it is missing, else its error lines. */
  readonly check: (path: string, configId?: string) => readonly string[] | undefined;
  /** Resolves when `pid` is gone (true) or after timeoutMs (false). */
  readonly waitGone: (pid: number, timeoutMs: number) => Promise<boolean>;
  /** The program the status sentences name for this file: "ldirectord" for an ldirectord.cf. */
  readonly program?: (path: string) => string;
}

export const VERBS = ['start', 'stop', 'restart', 'try-restart', 'reload', 'force-reload', 'status'] as const;
export type Verb = (typeof VERBS)[number];

const STOP_TIMEOUT_MS = 10_000;

const systemKill: Kill = (pid, signal) => process.kill(pid, signal);

/** Whether `pid` is a live process, by kill(pid, 0): EPERM counts as live, ESRCH as gone. */
export function isRunning(pid: number, kill: Kill = systemKill): boolean {
  try {
    kill(pid, 0);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'EPERM') return true;
    if (errnoCode(e) === 'ESRCH') return false;
    throw e;
  }
}

function systemDeps(): VerbDeps {
  return {
    kill: systemKill,
    pidState: (f) => pidFileStatus(f),
    start: async (opts, io) => (await import('./run.js')).runDirector({ ...opts, foreground: false }, io),
    check: (path, configId) => {
      if (!existsSync(path)) return undefined;
      const r = readConfig(path, configId !== undefined ? { configId } : {});
      return r.ok ? [] : r.diagnostics.map(diagnosticLine);
    },
    program: (path) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return 'lvsd'; // status never needs the file: an unreadable one names lvsd
      }
      return detectFormat(text) === 'ldirectord' ? 'ldirectord' : 'lvsd';
    },
    waitGone: async (pid, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!isRunning(pid)) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
  };
}

/** Sends `signal`; false (with the reason on stderr) when it cannot. */
function send(pid: number, signal: NodeJS.Signals, o: { io: Io; kill: Kill }): boolean {
  try {
    o.kill(pid, signal);
    return true;
  } catch (e) {
    if (errnoCode(e) !== 'EPERM' && errnoCode(e) !== 'ESRCH') throw e;
    o.io.err(`lvsd: cannot send ${signal} to lvsd (pid ${pid}): ${errnoCode(e) === 'EPERM' ? 'it runs as another user (EPERM)' : 'it has just exited (ESRCH)'}\n`);
    return false;
  }
}

async function stop(pid: number, o: { io: Io; deps: VerbDeps }): Promise<boolean> {
  if (!send(pid, 'SIGTERM', { io: o.io, kill: o.deps.kill })) return false;
  if (await o.deps.waitGone(pid, STOP_TIMEOUT_MS)) return true;
  o.io.err(`lvsd: lvsd (pid ${pid}) is still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM\n`);
  return false;
}

/** ldirectord: 1 when the file is missing ("Config file X not found"), 2 on configuration errors. */
function validate(path: string, o: { io: Io; deps: VerbDeps; configId?: string }): number {
  const errors = o.deps.check(path, o.configId);
  if (errors === undefined) {
    o.io.err(`Config file ${path} not found\n`);
    return 1;
  }
  for (const line of errors) o.io.err(`${line}\n`);
  return errors.length > 0 ? 2 : 0;
}

async function start(opts: LvsdOptions, o: { io: Io; deps: VerbDeps }): Promise<number> {
  const bad = validate(opts.config, o);
  return bad !== 0 ? bad : o.deps.start(opts, o.io);
}

export async function verb(name: string, opts: LvsdOptions, io: Io, deps: VerbDeps = systemDeps()): Promise<number> {
  const v = VERBS.find((x) => x === name);
  if (v === undefined) {
    io.err(`lvsd: unknown verb "${name}" (expected ${VERBS.join(', ')})\n`);
    return 2;
  }
  let state: ReturnType<typeof pidFileStatus>;
  try {
    state = deps.pidState(opts.pidFile);
  } catch (e) {
    io.err(`lvsd: cannot read the pid file ${opts.pidFile}: ${errnoCode(e) ?? String(e)}\n`);
    return v === 'status' ? 4 : 1;
  }
  const pid = state.state === 'running' ? state.pid : undefined;
  const o = { io, deps, ...(opts.configId !== undefined ? { configId: opts.configId } : {}) };
  const path = opts.config;
  const prog = deps.program?.(path) ?? 'lvsd';
  switch (v) {
    case 'start':
      if (pid !== undefined) return 0;
      return start(opts, o);
    case 'stop':
      if (pid === undefined) return 0;
      return (await stop(pid, o)) ? 0 : 1;
    case 'restart':
    case 'try-restart':
      if (pid === undefined) return v === 'restart' ? start(opts, o) : 0;
      {
        const bad = validate(path, o);
        if (bad !== 0) return bad;
      }
      return (await stop(pid, o)) ? o.deps.start(opts, io) : 1;
    case 'reload':
    case 'force-reload': {
      if (pid === undefined) {
        io.err(`${prog} is stopped for ${path}\n`);
        return 1;
      }
      const bad = validate(path, o);
      if (bad !== 0) return bad;
      return send(pid, 'SIGHUP', { io, kill: deps.kill }) ? 0 : 1;
    }
    case 'status':
      if (pid !== undefined) {
        io.err(`${prog} for ${path} is running with pid: ${pid}\n`);
        return 0;
      }
      if (state.state === 'stale') io.err(`${prog} stale pid file ${opts.pidFile} for ${path}\n`);
      io.out(`${prog} is stopped for ${path}\n`);
      return state.state === 'stale' ? 1 : 3;
    default: {
      const never: never = v;
      throw new Error(`unhandled verb ${String(never)}`);
    }
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
