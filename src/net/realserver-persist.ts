/**
 * `lvsd realserver --persist`: the sysctl.d file and the systemd unit (realserver-files.ts)
 * written, enabled and removed. Enabling is what `systemctl enable` does for
 * `WantedBy=multi-user.target`: a symlink in multi-user.target.wants beside the unit, so the
 * unit runs at the next boot without systemd being asked now (it may not run at all here).
 * Files without lvsd's marker are refused by name, never overwritten or removed.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LvsdError } from '../errors.js';
import { ownedByLvsd } from './realserver-files.js';

export interface PersistPaths {
  readonly sysctlFile: string;
  readonly unitFile: string;
}

/** The enablement symlink of `unitFile`. */
export function wantsLink(unitFile: string): string {
  return join(dirname(unitFile), 'multi-user.target.wants', basename(unitFile));
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Throws when a file at one of the paths is not lvsd's; returns which of them exist. */
export function checkOwnership(p: PersistPaths): { sysctl: boolean; unit: boolean } {
  const found = { sysctl: false, unit: false };
  for (const [key, path] of [['sysctl', p.sysctlFile], ['unit', p.unitFile]] as const) {
    const text = readIfExists(path);
    if (text === undefined) continue;
    if (!ownedByLvsd(text)) {
      throw new LvsdError('EFOREIGN', `${path} exists and was not written by lvsd realserver --persist: left untouched; move it away or choose another path`);
    }
    found[key] = true;
  }
  return found;
}

export interface FileChange {
  readonly path: string;
  readonly action: 'written' | 'removed';
}

/** Writes `text` unless the file already holds it; true when written. */
function writeIfChanged(path: string, text: string): boolean {
  if (readIfExists(path) === text) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
  return true;
}

/** Writes both files and enables the unit; returns what changed (nothing on a repeated run). */
export function writePersist(p: PersistPaths, text: { sysctl: string; unit: string }): FileChange[] {
  checkOwnership(p);
  const out: FileChange[] = [];
  if (writeIfChanged(p.sysctlFile, text.sysctl)) out.push({ path: p.sysctlFile, action: 'written' });
  if (writeIfChanged(p.unitFile, text.unit)) out.push({ path: p.unitFile, action: 'written' });
  const link = wantsLink(p.unitFile);
  if (linkTarget(link) !== p.unitFile) {
    mkdirSync(dirname(link), { recursive: true, mode: 0o755 });
    rmSync(link, { force: true });
    symlinkSync(p.unitFile, link);
    out.push({ path: link, action: 'written' });
  }
  return out;
}

function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Removes lvsd's files (a foreign one is refused before anything is removed); returns what was removed. */
export function removePersist(p: PersistPaths): FileChange[] {
  const found = checkOwnership(p);
  const link = wantsLink(p.unitFile);
  const remove = [
    ...(linkTarget(link) === p.unitFile ? [link] : []),
    ...(found.unit ? [p.unitFile] : []),
    ...(found.sysctl ? [p.sysctlFile] : []),
  ];
  for (const path of remove) rmSync(path);
  return remove.map((path) => ({ path, action: 'removed' }));
}

/** lvsd's persist files that exist (for the --undo without --persist reminder). */
export function persistPresent(p: PersistPaths): string[] {
  return [p.sysctlFile, p.unitFile].filter((f) => {
    const text = readIfExists(f);
    return text !== undefined && ownedByLvsd(text);
  });
}
