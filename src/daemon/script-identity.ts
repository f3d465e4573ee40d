/**
 * Who a script lvsd runs (notify_up/notify_down, quorum_up/quorum_down) runs as, and whether it
 * may run, as keepalived 2.2.7 decides (lib/notify.c: set_uid_gid, set_default_script_user,
 * check_script_secure, check_security):
 *
 * - identity: the script's own `user [group]` (group default: the user's primary group); else
 *   global_defs `script_user [group]`; else the user "keepalived_script" when it exists; else
 *   root. A named user or group that does not exist: the script is not run;
 * - a bare program name is looked up in PATH (keepalived: find_path, "Please specify full
 *   path"); a program that cannot be found is not run;
 * - a script that runs as root (uid or gid 0, or a set-uid/set-gid root file) is checked:
 *   every component of its resolved path must be owned by root, and neither a regular file nor
 *   a directory without the sticky bit may be writable by a non-root group or by others. An
 *   unsafe script is refused with `enable_script_security`; without it, it runs and the
 *   caller warns (keepalived logs "Unsafe permissions found for script").
 * The file-system and passwd reads are injected (`ScriptCheckDeps`), so the rules run in unit
 * tests on a made-up tree.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Result } from '../errors.js';
import { lookupGroup, lookupUser, type UserIds, type UserLookupError } from '../health/index.js';
import type { ScriptPolicy, ScriptRun } from '../model/index.js';

export interface FileFacts {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly kind: 'dir' | 'file' | 'link' | 'other';
}

interface FsProblem {
  readonly code: string;
  readonly message: string;
}

export interface ScriptCheckDeps {
  readonly lookupUser: (user: string) => Result<UserIds, UserLookupError>;
  readonly lookupGroup: (group: string) => Result<number, UserLookupError>;
  /** lstat (symbolic links not followed). */
  readonly lstat: (path: string) => Result<FileFacts, FsProblem>;
  /** stat (links followed). */
  readonly stat: (path: string) => Result<FileFacts, FsProblem>;
  readonly realpath: (path: string) => Result<string, FsProblem>;
  /** PATH, split. */
  readonly pathDirs: readonly string[];
}

export type ScriptVerdict =
  | {
      readonly ok: true;
      /** argv with the program resolved through PATH when it was a bare name. */
      readonly argv: readonly string[];
      readonly user: string;
      readonly uid: number;
      readonly gid: number;
      /** Why the script is unsafe (it runs anyway: no enable_script_security). */
      readonly insecure?: string;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const S_IXUSR = 0o100;
const S_IXGRP = 0o010;
const S_IWGRP = 0o020;
const S_IWOTH = 0o002;
const S_IXANY = 0o111;

/** The user a script runs as (see the file comment); never throws. */
export function scriptUser(run: ScriptRun, policy: ScriptPolicy | undefined, deps: ScriptCheckDeps): Result<{ user: string; uid: number; gid: number }, FsProblem> {
  const named = run.user !== undefined ? { user: run.user, group: run.group } : policy?.user !== undefined ? { user: policy.user, group: policy.group } : undefined;
  if (named === undefined) {
    const ks = deps.lookupUser('keepalived_script');
    return { ok: true, value: ks.ok ? { user: ks.value.name, uid: ks.value.uid, gid: ks.value.gid } : { user: 'root', uid: 0, gid: 0 } };
  }
  const u = deps.lookupUser(named.user);
  if (!u.ok) return { ok: false, error: { code: u.error.code, message: `script user: ${u.error.message}` } };
  if (named.group === undefined) return { ok: true, value: { user: u.value.name, uid: u.value.uid, gid: u.value.gid } };
  const g = deps.lookupGroup(named.group);
  if (!g.ok) return { ok: false, error: { code: g.error.code, message: `script group: ${g.error.message}` } };
  return { ok: true, value: { user: u.value.name, uid: u.value.uid, gid: g.value } };
}

/** Decides whether `run` may run and as whom; `policy` is Config.scripts. */
export function judgeScript(run: ScriptRun, policy: ScriptPolicy | undefined, deps: ScriptCheckDeps = systemScriptDeps()): ScriptVerdict {
  const [program, ...args] = run.argv;
  if (program === undefined || program === '') return { ok: false, code: 'EINVAL', message: 'empty script command' };
  const who = scriptUser(run, policy, deps);
  if (!who.ok) return { ok: false, ...who.error };
  const path = program.includes('/') ? program : findInPath(program, deps);
  if (path === undefined) return { ok: false, code: 'ENOENT', message: `cannot find script ${program} in PATH (${deps.pathDirs.join(':')})` };
  const real = deps.realpath(path);
  if (!real.ok) return { ok: false, code: real.error.code, message: `script ${path} cannot be accessed: ${real.error.message}` };
  const file = deps.stat(real.value);
  if (!file.ok) return { ok: false, code: file.error.code, message: `script ${path} cannot be accessed: ${file.error.message}` };
  const base = { ok: true as const, argv: [path, ...args], ...who.value };
  if (!runsAsRoot(who.value, file.value)) return base;
  const unsafe = unsafeComponent(checkedPaths(path, real.value, deps), deps);
  if (unsafe === undefined) return base;
  if (policy?.security === true) return { ok: false, code: 'EPERM', message: `script ${path} runs as root and ${unsafe}: not run (enable_script_security)` };
  return { ...base, insecure: unsafe };
}

function runsAsRoot(who: { uid: number; gid: number }, f: FileFacts): boolean {
  if (who.uid === 0 || who.gid === 0) return true;
  const suidRoot = f.uid === 0 && (f.mode & S_IXUSR) !== 0 && (f.mode & S_ISUID) !== 0;
  const sgidRoot = f.gid === 0 && (f.mode & S_IXGRP) !== 0 && (f.mode & S_ISGID) !== 0;
  return suidRoot || sgidRoot;
}

/**
 * keepalived checks the path with its directories resolved but the file name kept (programs
 * may behave by the name they are called by), and the fully resolved file when that differs.
 */
function checkedPaths(path: string, real: string, deps: ScriptCheckDeps): string[] {
  const dir = deps.realpath(dirname(path));
  const named = dir.ok ? join(dir.value, basename(path)) : real;
  return named === real ? [real] : [named, real];
}

/** The first unsafe component of the paths, as text, or undefined when all are safe. */
function unsafeComponent(paths: readonly string[], deps: ScriptCheckDeps): string | undefined {
  for (const p of paths) {
    const parts = p.split('/').filter((x) => x !== '');
    for (let i = 0; i <= parts.length; i++) {
      const comp = `/${parts.slice(0, i).join('/')}`;
      const last = i === parts.length;
      const st = deps.lstat(comp);
      if (!st.ok) return `${comp} cannot be checked (${st.error.code})`;
      const f = st.value;
      if (!last && f.kind !== 'dir') return `${comp} is not a directory`;
      if (last && f.kind !== 'file' && f.kind !== 'link') return `${comp} is not a regular file`;
      if (f.uid !== 0) return `${comp} is owned by uid ${f.uid}, not root`;
      const guarded = (f.kind === 'dir' && (f.mode & S_ISVTX) === 0) || f.kind === 'file';
      if (guarded && f.gid !== 0 && (f.mode & S_IWGRP) !== 0) return `${comp} is writable by group ${f.gid}`;
      if (guarded && (f.mode & S_IWOTH) !== 0) return `${comp} is writable by others`;
    }
  }
  return undefined;
}

function findInPath(program: string, deps: ScriptCheckDeps): string | undefined {
  for (const dir of deps.pathDirs) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    const st = deps.stat(candidate);
    if (st.ok && st.value.kind === 'file' && (st.value.mode & S_IXANY) !== 0) return candidate;
  }
  return undefined;
}

function facts(s: Stats): FileFacts {
  const kind = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  return { uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, kind };
}

function fsResult<T>(f: () => T): Result<T, FsProblem> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: { code: err.code ?? 'EIO', message: err.message } };
  }
}

/** The real passwd/group files and file system; PATH from lvsd's environment. */
export function systemScriptDeps(env: NodeJS.ProcessEnv = process.env): ScriptCheckDeps {
  return {
    lookupUser: (u) => lookupUser(u),
    lookupGroup: (g) => lookupGroup(g),
    lstat: (p) => fsResult(() => facts(lstatSync(p))),
    stat: (p) => fsResult(() => facts(statSync(p))),
    realpath: (p) => fsResult(() => realpathSync(p)),
    pathDirs: (env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':'),
  };
}
