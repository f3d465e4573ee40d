/**
 * The pid file (docs/cli.md: --pid-file, default /run/lvsd/lvsd.pid).
 *
 * Written atomically: the pid goes to a temporary file first, which is then hard-linked to
 * the final name; link(2) fails with EEXIST rather than replace, so two lvsd starting together
 * cannot both win. An existing file names a running lvsd only when /proc/PID/cmdline contains
 * "lvsd" (ldirectord's rule: resource-agents 4.12.0 ldirectord/ldirectord.in trusts a pid only
 * when /proc/PID/cmdline contains "ldirectord"); anything else (no such process,
 * another program that got the pid, our own pid from a previous boot, unreadable text) is
 * stale and taken over. Synchronous on purpose: it runs once, before anything else starts.
 */
import { linkSync, lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LvsdError } from '../errors.js';

export interface PidFileOptions {
  /** Our pid (default process.pid). */
  readonly pid?: number;
  /** Where /proc is (default '/proc'); tests point it elsewhere. */
  readonly procRoot?: string;
}

export interface PidFile {
  readonly path: string;
  readonly pid: number;
  /** Removes the file if it still holds our pid; safe to call twice. */
  release(): void;
}

export type PidFileState =
  | { readonly state: 'running'; readonly pid: number }
  | { readonly state: 'stale'; readonly pid: number | undefined }
  | { readonly state: 'absent' };

/**
 * Writes our pid to `path`, creating its directory (0700) if needed. Throws LvsdError
 * EALREADY when a live lvsd holds the file; takes a stale file over.
 */
export function acquirePidFile(path: string, o: PidFileOptions = {}): PidFile {
  const pid = o.pid ?? process.pid;
  ensureDir(dirname(path));
  const tmp = `${path}.${pid}.tmp`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryLink(tmp, path)) return held(path, pid);
      const s = pidFileStatus(path, o);
      if (s.state === 'running') {
        throw new LvsdError('EALREADY', `lvsd is already running with pid ${s.pid} (pid file ${path})`);
      }
      removeIfExists(path);
    }
    throw new LvsdError('EAGAIN', `cannot take over pid file ${path}: it keeps reappearing`);
  } finally {
    removeIfExists(tmp);
  }
}

/** What the pid file at `path` says, checked against /proc. */
export function pidFileStatus(path: string, o: PidFileOptions = {}): PidFileState {
  const pid = readPid(path);
  if (pid === null) return { state: 'absent' };
  if (pid !== undefined && isLiveLvsd(pid, o)) return { state: 'running', pid };
  return { state: 'stale', pid };
}

/** True when PID is a process other than us whose command line contains "lvsd". */
export function isLiveLvsd(pid: number, o: PidFileOptions = {}): boolean {
  if (pid === (o.pid ?? process.pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`${o.procRoot ?? '/proc'}/${pid}/cmdline`, 'latin1');
  } catch (e) {
    if (isCode(e, 'ENOENT') || isCode(e, 'ESRCH')) return false;
    throw e;
  }
  return cmdline.split('\0').some((arg) => arg.includes('lvsd'));
}

/** The pid in the file; undefined when the text is not a pid; null when there is no file. */
export function readPid(path: string): number | undefined | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isCode(e, 'ENOENT')) return null;
    throw e;
  }
  const trimmed = text.trim();
  if (!/^[1-9]\d{0,9}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

function held(path: string, pid: number): PidFile {
  let released = false;
  return {
    path,
    pid,
    release(): void {
      if (released) return;
      released = true;
      if (readPid(path) === pid) removeIfExists(path);
    },
  };
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    if (isCode(e, 'EEXIST')) return false;
    throw e;
  }
}

function ensureDir(dir: string): void {
  try {
    lstatSync(dir);
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}
