/**
 * Resolving a script user (keepalived `user` / `script_user`) to uid and gid from /etc/passwd
 * without a shell or NSS: keepalived calls getpwnam(3); lvsd reads the file itself, so users
 * that only exist in LDAP/SSSD are not found (the error says so).
 */
import { readFileSync } from 'node:fs';
import type { Result } from '../errors.js';

export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface UserLookupError {
  readonly code: 'ENOENT' | 'EINVAL' | 'EIO';
  readonly message: string;
}

/**
 * The entry for `user` (a name, or a numeric uid as keepalived accepts) in passwd(5) text.
 * Pure; malformed lines are skipped.
 */
export function findUser(passwdText: string, user: string): Result<UserIds, UserLookupError> {
  const byUid = /^\d+$/.test(user) ? Number(user) : undefined;
  for (const line of passwdText.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const [name, , uidText, gidText] = f;
    const uid = Number(uidText);
    const gid = Number(gidText);
    if (name === undefined || !Number.isInteger(uid) || !Number.isInteger(gid) || uidText === '' || gidText === '') continue;
    if (name === user || uid === byUid) return { ok: true, value: { name, uid, gid } };
  }
  return { ok: false, error: { code: 'ENOENT', message: `no user "${user}" in /etc/passwd` } };
}

/** Reads /etc/passwd (or `path`) and looks `user` up; never throws. */
export function lookupUser(user: string, path = '/etc/passwd', read: (p: string) => string = (p) => readFileSync(p, 'utf8')): Result<UserIds, UserLookupError> {
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: { code: 'EIO', message: `cannot read ${path} to look up user "${user}": ${err.code ?? err.message}` } };
  }
  return findUser(text, user);
}

/** The gid of `group` (a name, or a numeric gid) in group(5) text. Pure; malformed lines are skipped. */
export function findGroup(groupText: string, group: string): Result<number, UserLookupError> {
  const byGid = /^\d+$/.test(group) ? Number(group) : undefined;
  for (const line of groupText.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , gidText] = line.split(':');
    const gid = Number(gidText);
    if (name === undefined || gidText === undefined || gidText === '' || !Number.isInteger(gid)) continue;
    if (name === group || gid === byGid) return { ok: true, value: gid };
  }
  return { ok: false, error: { code: 'ENOENT', message: `no group "${group}" in /etc/group` } };
}

/** Reads /etc/group (or `path`) and looks `group` up; never throws (keepalived: getgrnam_r). */
export function lookupGroup(group: string, path = '/etc/group', read: (p: string) => string = (p) => readFileSync(p, 'utf8')): Result<number, UserLookupError> {
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: { code: 'EIO', message: `cannot read ${path} to look up group "${group}": ${err.code ?? err.message}` } };
  }
  return findGroup(text, group);
}
