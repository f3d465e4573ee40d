/**
 * Reading processes from /proc for track_process: the initial scan, the polling fallback, and
 * the name of a process after an exec event (keepalived read_procs / check_process). Reads are
 * synchronous: procfs files are small and in memory, and a synchronous read keeps events in
 * their kernel order (an exit must never be applied before the exec that preceded it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcInfo } from './process-quorum.js';

/** `/proc/PID/stat` → comm and state; comm sits between the first '(' and the last ')'. Pure. */
export function parseStat(text: string): { comm: string; state: string } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  return { comm: text.slice(open + 1, close), state: text.slice(close + 2, close + 3) };
}

/** `/proc/PID/cmdline` (NUL separated, NUL terminated) → argv. Pure. */
export function parseCmdline(raw: Buffer): string[] {
  const parts = raw.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    // The process ended meanwhile (ENOENT, ESRCH) or is hidden from us (hidepid: EACCES, EPERM): not there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM') return undefined;
    throw e;
  }
}

/** One process, or undefined when it is gone or a zombie. */
export function readProc(pid: number, o: { procRoot: string; cmdline: boolean }): ProcInfo | undefined {
  const stat = read(`${o.procRoot}/${pid}/stat`);
  const s = stat === undefined ? undefined : parseStat(stat.toString('utf8'));
  if (s === undefined || s.state === 'Z') return undefined;
  if (!o.cmdline) return { pid, comm: s.comm };
  const cmd = read(`${o.procRoot}/${pid}/cmdline`);
  return cmd === undefined ? undefined : { pid, comm: s.comm, cmdline: parseCmdline(cmd) };
}

/** Every live process (zombies skipped, as keepalived read_procs). */
export function scanProcs(o: { procRoot: string; cmdline: boolean }): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync(o.procRoot)) {
    if (!/^[1-9]\d*$/.test(name)) continue;
    const p = readProc(Number(name), o);
    if (p) out.push(p);
  }
  return out;
}
