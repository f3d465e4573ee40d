/**
 * CPU time of a process from /proc/PID/stat: utime + stime (fields 14 and 15, in clock ticks),
 * all threads included (Node's worker threads and libuv pool, keepalived's one thread).
 * Children are not included (cutime/cstime count only reaped ones).
 */
import { readdirSync, readFileSync } from 'node:fs';

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

/** "TS x11, RR 10 x1": the scheduling classes of a process's threads (/proc/PID/task/TID/stat: policy, rt_priority). */
export function threadClasses(pid: number): string {
  const counts = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const policy = Number(f[38]); // field 41 (policy); rt_priority is field 40
    const k = policy === 0 ? 'TS' : `${policy === 2 ? 'RR' : policy === 1 ? 'FF' : `policy ${policy}`} ${f[37]}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} x${n}`).join(', ');
}

export interface ThreadSched {
  readonly tid: number;
  /** ns on the CPU, ns runnable but waiting on a run queue, times scheduled in (/proc/PID/task/TID/schedstat). */
  readonly runNs: number;
  readonly waitNs: number;
  readonly slices: number;
}

/** The process's real-time threads (SCHED_FIFO/RR) with their schedstat: lvsd's VRRP worker. */
export function realtimeThreads(pid: number): ThreadSched[] {
  const out: ThreadSched[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]) === 0) continue;
    const [runNs, waitNs, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    out.push({ tid: Number(tid), runNs: runNs ?? NaN, waitNs: waitNs ?? NaN, slices: slices ?? NaN });
  }
  return out;
}
