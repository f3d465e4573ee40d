/**
 * ldirectord-compatible verbs: start|stop|restart|reload|status, with its exit codes
 * (status: 0 running, 3 stopped).
 */
import { readFileSync } from 'node:fs';
import { runDirector } from './run.js';
import type { LvsdOptions } from './options.js';
import type { Io } from '../io.js';

function runningPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function verb(name: string, opts: LvsdOptions, io: Io): Promise<number> {
  const pid = runningPid(opts.pidFile);
  switch (name) {
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
      process.kill(pid, 'SIGTERM');
      return (await waitGone(pid, 10_000)) ? 0 : 1;
    case 'restart':
      if (pid) {
        process.kill(pid, 'SIGTERM');
        if (!(await waitGone(pid, 10_000))) return 1;
      }
      return runDirector({ ...opts, foreground: false }, io);
    case 'reload':
      if (!pid) {
        io.err('lvsd is not running\n');
        return 1;
      }
      process.kill(pid, 'SIGHUP');
      return 0;
    case 'status':
      io.out(pid ? `lvsd is running (pid ${pid})\n` : 'lvsd is stopped\n');
      return pid ? 0 : 3;
    default:
      io.err(`lvsd: unknown verb "${name}" (expected start, stop, restart, reload or status)\n`);
      return 2;
  }
}
