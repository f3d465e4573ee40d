/**
 * ldirectord-compatible verbs: start|stop|restart|reload|status, with its exit codes
 * (status: 0 running, 3 stopped; LSB 4 when the pid file cannot be read).
 */
import { readPid } from '../../daemon/index.js';
import { runDirector } from './run.js';
import type { LvsdOptions } from './options.js';
import type { Io } from '../io.js';

/** kill(2) as process.kill has it; tests pass their own. */
export type Kill = (pid: number, signal: NodeJS.Signals | 0) => unknown;

const systemKill: Kill = (pid, signal) => process.kill(pid, signal);

/**
 * Whether `pid` is a live process, by kill(pid, 0): it is when the call succeeds, and when it
 * fails with EPERM (the process exists but belongs to another user); ESRCH means it is gone.
 */
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

async function waitGone(pid: number, o: { timeoutMs: number; kill: Kill }): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid, o.kill)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Sends `signal`; false (with the reason on stderr) when lvsd runs as a user we may not signal. */
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

async function stop(pid: number, o: { io: Io; kill: Kill }): Promise<boolean> {
  return send(pid, 'SIGTERM', o) && waitGone(pid, { timeoutMs: 10_000, kill: o.kill });
}

const VERBS = ['start', 'stop', 'restart', 'reload', 'status'] as const;

export async function verb(name: string, opts: LvsdOptions, io: Io, kill: Kill = systemKill): Promise<number> {
  const v = VERBS.find((x) => x === name);
  if (v === undefined) {
    io.err(`lvsd: unknown verb "${name}" (expected start, stop, restart, reload or status)\n`);
    return 2;
  }
  let pid: number | undefined;
  try {
    const read = readPid(opts.pidFile);
    pid = typeof read === 'number' && isRunning(read, kill) ? read : undefined;
  } catch (e) {
    io.err(`lvsd: cannot read the pid file ${opts.pidFile}: ${errnoCode(e) ?? String(e)}\n`);
    return v === 'status' ? 4 : 1;
  }
  const o = { io, kill };
  switch (v) {
    case 'start':
      if (pid) {
        io.out(`lvsd is running (pid ${pid})\n`);
        return 0;
      }
      return runDirector({ ...opts, foreground: false }, io);
    case 'stop':
      if (!pid) {
        io.out('lvsd is stopped\n');
        return 0;
      }
      return (await stop(pid, o)) ? 0 : 1;
    case 'restart':
      if (pid && !(await stop(pid, o))) return 1;
      return runDirector({ ...opts, foreground: false }, io);
    case 'reload':
      if (!pid) {
        io.err('lvsd is not running\n');
        return 1;
      }
      return send(pid, 'SIGHUP', o) ? 0 : 1;
    case 'status':
      io.out(pid ? `lvsd is running (pid ${pid})\n` : 'lvsd is stopped\n');
      return pid ? 0 : 3;
    default: {
      const never: never = v;
      throw new Error(`unhandled verb ${String(never)}`);
    }
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
