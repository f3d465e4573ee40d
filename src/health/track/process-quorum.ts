/**
 * vrrp_track_process: how many processes of a name run, and whether that is a quorum, as
 * keepalived 2.2.7 counts them (keepalived/core/track_process.c read_procs, check_process,
 * check_process_fork, check_process_termination, check_process_comm_change and the two quorum
 * timers). Pure: events in (from the proc connector or a /proc scan), quorum changes and
 * timer requests out.
 *
 * - A process matches by its comm (15 characters, /proc/PID/comm) or, when `params` is given,
 *   by its whole command line: argv[0] equal to `process` and the arguments exactly `params`.
 * - Quorum: quorum <= count <= quorumMax.
 * - A fork of a counted process counts the child for the same names; crossing into/out of the
 *   quorum that way waits `forkDelayMs` (a pending terminate timer is cancelled instead).
 * - An exit crossing out of/into the quorum waits `terminateDelayMs` (a pending fork timer is
 *   cancelled and the change applied at once instead). `delayMs` stands for both when they are 0.
 * - An exec (or comm change) re-reads the name: a match counts at once, a process that no
 *   longer matches stops counting at once (no delay), as keepalived does.
 * - When a timer fires the quorum is whatever the count is then.
 * Differs from keepalived: a process that execs into the same name is counted once (2.2.7
 * counts it again); a rescan (the /proc polling used where the connector is refused, or after
 * lost events) applies forkDelayMs to gains and terminateDelayMs to losses.
 */
import type { Us } from '../../clock.js';
import type { TrackProcess } from '../../model/index.js';

export interface ProcInfo {
  readonly pid: number;
  /** /proc/PID/comm (without the newline). */
  readonly comm: string;
  /** /proc/PID/cmdline split at NULs; undefined when not read (no def needs it). */
  readonly cmdline?: readonly string[];
}

export interface ProcCount {
  readonly count: number;
  readonly up: boolean;
  readonly timer: { readonly kind: 'fork' | 'terminate'; readonly at: Us } | null;
}

export interface QuorumState {
  readonly defs: readonly TrackProcess[];
  /** Counted pids and the names they count for. */
  readonly pids: ReadonlyMap<number, readonly string[]>;
  readonly counts: ReadonlyMap<string, ProcCount>;
}

export type QuorumInput =
  | { readonly kind: 'scan'; readonly at: Us; readonly procs: readonly ProcInfo[] }
  | { readonly kind: 'rescan'; readonly at: Us; readonly procs: readonly ProcInfo[] }
  | { readonly kind: 'fork'; readonly at: Us; readonly parent: number; readonly child: number }
  | { readonly kind: 'exec'; readonly at: Us; readonly info: ProcInfo }
  | { readonly kind: 'comm'; readonly at: Us; readonly pid: number; readonly comm: string }
  | { readonly kind: 'exit'; readonly at: Us; readonly pid: number }
  | { readonly kind: 'timer'; readonly at: Us; readonly name: string };

export type QuorumOutput =
  | { readonly kind: 'quorum'; readonly name: string; readonly up: boolean; readonly count: number }
  | { readonly kind: 'arm'; readonly name: string; readonly at: Us }
  | { readonly kind: 'disarm'; readonly name: string };

/**
 * keepalived 2.2.7 track_process.c: the name is /proc/PID/comm, or argv[0] with full_command;
 * with param_match the arguments after it are compared as the NUL-terminated bytes of
 * /proc/PID/cmdline (check_params): exact = equal, partial = the configured ones come first,
 * initial = the same but the last configured one may be a prefix.
 */
export function matchesProcess(def: TrackProcess, p: ProcInfo): boolean {
  const argv = p.cmdline;
  const name = def.fullCommand ? argv?.[0] : p.comm;
  if (name !== def.process) return false;
  if (def.paramMatch === undefined) return true;
  if (argv === undefined) return false;
  const want = (def.params ?? []).map((a) => `${a}\0`).join('');
  const got = argv.slice(1).map((a) => `${a}\0`).join('');
  if (def.paramMatch === 'exact') return got === want;
  if (got.length < want.length) return false;
  if (def.paramMatch === 'partial') return got.startsWith(want);
  return want.length <= 1 || got.startsWith(want.slice(0, -1));
}

/** Whether any def needs command lines (then scans and execs read /proc/PID/cmdline too). */
export const needsCmdline = (defs: readonly TrackProcess[]): boolean => defs.some((d) => d.fullCommand || d.paramMatch !== undefined);

const inQuorum = (d: TrackProcess, n: number): boolean => n >= d.quorum && n <= (d.quorumMax ?? Infinity);
const forkDelay = (d: TrackProcess): number => d.forkDelayMs;
const terminateDelay = (d: TrackProcess): number => d.terminateDelayMs;

export function initialQuorum(defs: readonly TrackProcess[]): QuorumState {
  return { defs, pids: new Map(), counts: new Map(defs.map((d) => [d.name, { count: 0, up: inQuorum(d, 0), timer: null }])) };
}

/** A mutable copy for one step. */
interface Draft {
  readonly at: Us;
  readonly defs: Map<string, TrackProcess>;
  readonly pids: Map<number, readonly string[]>;
  readonly counts: Map<string, ProcCount>;
  readonly out: QuorumOutput[];
}

function count(d: Draft, name: string): ProcCount {
  return d.counts.get(name) ?? { count: 0, up: false, timer: null };
}

function set(d: Draft, name: string, c: Partial<ProcCount>): void {
  d.counts.set(name, { ...count(d, name), ...c });
}

function update(d: Draft, name: string, up: boolean): void {
  const c = count(d, name);
  if (c.up === up) return;
  set(d, name, { up });
  d.out.push({ kind: 'quorum', name, up, count: c.count });
}

/** Cancels the pending timer of `kind` (any kind when omitted); true when one was pending. */
function cancel(d: Draft, name: string, kind?: 'fork' | 'terminate'): boolean {
  const t = count(d, name).timer;
  if (t === null || (kind !== undefined && t.kind !== kind)) return false;
  set(d, name, { timer: null });
  d.out.push({ kind: 'disarm', name });
  return true;
}

function arm(d: Draft, name: string, kind: 'fork' | 'terminate', delayMs: number): void {
  const at = d.at + delayMs * 1000;
  set(d, name, { timer: { kind, at } });
  d.out.push({ kind: 'arm', name, at });
}

/** keepalived add_process + the quorum check of check_process (via 'exec') or check_process_fork. */
function addPid(d: Draft, pid: number, name: string, via: 'fork' | 'exec'): void {
  const names = d.pids.get(pid) ?? [];
  const def = d.defs.get(name);
  if (names.includes(name) || !def) return;
  d.pids.set(pid, [...names, name]);
  const n = count(d, name).count + 1;
  set(d, name, { count: n });
  if (n !== def.quorum && n !== (def.quorumMax ?? Infinity) + 1) return;
  if (via === 'fork' && !cancel(d, name, 'terminate') && forkDelay(def) > 0) return arm(d, name, 'fork', forkDelay(def));
  if (via === 'exec') cancel(d, name, 'terminate');
  update(d, name, n === def.quorum);
}

/** keepalived check_process_termination (via 'exit') or remove_process_from_track (via 'check'). */
function removePid(d: Draft, pid: number, name: string, via: 'exit' | 'check'): void {
  const names = d.pids.get(pid) ?? [];
  const def = d.defs.get(name);
  if (!names.includes(name) || !def) return;
  const rest = names.filter((x) => x !== name);
  if (rest.length > 0) d.pids.set(pid, rest);
  else d.pids.delete(pid);
  const old = count(d, name).count;
  const n = old - 1;
  set(d, name, { count: n });
  if (old !== def.quorum && n !== def.quorumMax) return;
  if (via === 'exit' && !cancel(d, name, 'fork') && terminateDelay(def) > 0) return arm(d, name, 'terminate', terminateDelay(def));
  if (via === 'check') cancel(d, name, 'fork');
  update(d, name, n === def.quorumMax);
}

/** keepalived check_process: a process (re)named; comm-only when the event carried just a comm. */
function check(d: Draft, info: ProcInfo, commOnly: boolean): void {
  const counted = d.pids.get(info.pid) ?? [];
  for (const def of d.defs.values()) {
    if (commOnly && def.params !== undefined) continue;
    if (matchesProcess(def, info)) addPid(d, info.pid, def.name, 'exec');
    else if (!commOnly && counted.includes(def.name)) removePid(d, info.pid, def.name, 'check');
  }
}

/** keepalived check_process_comm_change: forget the old comm names, then check the new one. */
function commChange(d: Draft, pid: number, comm: string): void {
  const counted = d.pids.get(pid) ?? [];
  for (const name of counted) {
    const def = d.defs.get(name);
    if (!def || def.params !== undefined) continue;
    if (def.process === comm) return; // the name has not really changed
    removePid(d, pid, name, 'check');
  }
  check(d, { pid, comm }, true);
}

function scan(d: Draft, procs: readonly ProcInfo[], initial: boolean): void {
  d.pids.clear();
  for (const c of d.counts.keys()) set(d, c, { count: 0 });
  for (const p of procs) {
    const names = [...d.defs.values()].filter((def) => matchesProcess(def, p)).map((def) => def.name);
    if (names.length === 0) continue;
    d.pids.set(p.pid, names);
    for (const n of names) set(d, n, { count: count(d, n).count + 1 });
  }
  for (const def of d.defs.values()) {
    const want = inQuorum(def, count(d, def.name).count);
    if (initial || want === count(d, def.name).up) {
      cancel(d, def.name); // settled: a change that was waiting went away
      update(d, def.name, want);
    } else {
      rescanChange(d, def, want);
    }
  }
}

/** A rescan found the quorum changed: gains wait forkDelay, losses terminateDelay. */
function rescanChange(d: Draft, def: TrackProcess, want: boolean): void {
  const kind = want ? 'fork' : 'terminate';
  const delay = want ? forkDelay(def) : terminateDelay(def);
  const t = count(d, def.name).timer;
  if (t?.kind === kind) return; // already waiting for this change
  cancel(d, def.name);
  if (delay > 0) arm(d, def.name, kind, delay);
  else update(d, def.name, want);
}

function onTimer(d: Draft, name: string, at: Us): void {
  const c = count(d, name);
  const def = d.defs.get(name);
  if (c.timer === null || c.timer.at > at || !def) return; // stale
  set(d, name, { timer: null });
  update(d, name, inQuorum(def, c.count));
}

export function quorumStep(s: QuorumState, i: QuorumInput): { s: QuorumState; out: QuorumOutput[] } {
  // Most events are about processes nobody tracks: answer those without copying anything.
  if ((i.kind === 'exit' || i.kind === 'fork') && !s.pids.has(i.kind === 'exit' ? i.pid : i.parent)) return { s, out: [] };
  const d: Draft = { at: i.at, defs: new Map(s.defs.map((x) => [x.name, x])), pids: new Map(s.pids), counts: new Map(s.counts), out: [] };
  switch (i.kind) {
    case 'scan': scan(d, i.procs, true); break;
    case 'rescan': scan(d, i.procs, false); break;
    case 'fork': for (const name of s.pids.get(i.parent) ?? []) addPid(d, i.child, name, 'fork'); break;
    case 'exec': check(d, i.info, false); break;
    case 'comm': commChange(d, i.pid, i.comm); break;
    case 'exit': for (const name of s.pids.get(i.pid) ?? []) removePid(d, i.pid, name, 'exit'); break;
    case 'timer': onTimer(d, i.name, i.at); break;
    default: {
      const never: never = i;
      throw new Error(`unknown quorum input ${JSON.stringify(never)}`);
    }
  }
  return { s: { defs: s.defs, pids: d.pids, counts: d.counts }, out: d.out };
}
