/**
 * CPU time of a process from /proc/PID/stat: utime + stime (fields 14 and 15, in clock ticks),
 * all threads included (Node's worker threads and libuv pool, keepalived's one thread).
 * Children are not included (cutime/cstime count only reaped ones).
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
export const CLK_TCK = 100;

export interface CpuTicks {
  readonly utime: number;
  readonly stime: number;
}

/** Parses a /proc/PID/stat line; the comm field may hold spaces and parentheses, so fields are counted after the last ')'. */
export function parseStat(text: string): CpuTicks | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // after ")": state(3) ppid(4) … utime(14) stime(15): index 0 here is field 3
  const f = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? { utime, stime } : undefined;
}

export function readCpu(pid: number): CpuTicks {
  const t = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!t) throw new Error(`/proc/${pid}/stat: cannot read utime/stime`);
  return t;
}

/** CPU milliseconds between two readings. */
export function cpuMs(from: CpuTicks, to: CpuTicks): { userMs: number; systemMs: number; totalMs: number } {
  const userMs = ((to.utime - from.utime) * 1000) / CLK_TCK;
  const systemMs = ((to.stime - from.stime) * 1000) / CLK_TCK;
  return { userMs, systemMs, totalMs: userMs + systemMs };
}
