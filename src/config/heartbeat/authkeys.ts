/**
 * heartbeat's authkeys (heartbeat/auth.c): `auth N` names the key heartbeat signs with;
 * `N crc`, `N md5 KEY` or `N sha1 KEY` define keys 0-15 (several may exist for key rotation).
 * crc with a key, or md5/sha1 without one, is an error; so is a missing or undefined `auth`.
 * The file mode (heartbeat refuses a group- or world-readable authkeys) is checked by the
 * caller, which knows it (readHaDir's authkeysMode).
 */
import type { Diagnostic, Loc } from '../../model/index.js';

export interface AuthKey {
  readonly at: Loc;
  readonly method: 'crc' | 'md5' | 'sha1';
  readonly key?: string;
}

export function readAuthkeys(file: string, text: string): { key?: AuthKey; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const keys = new Map<number, AuthKey>();
  const refused = new Set<number>();
  let auth: { index: number; at: Loc } | undefined;
  text.split('\n').forEach((raw, i) => {
    const words = raw.replace(/\r$/, '').trim().split(/\s+/).filter((w) => w !== '');
    const at = { file, line: i + 1, col: 1 };
    const [first, second, third, ...more] = words;
    if (first === undefined || first.startsWith('#')) return;
    const index = second === undefined || !/^\d+$/.test(second) ? NaN : Number(second);
    if (first === 'auth') {
      if (auth !== undefined) errors.push({ at, message: `expected one "auth N" line, got another (first at line ${auth.at.line})` });
      else if (!(index >= 0 && index <= 15) || third !== undefined) errors.push({ at, message: `expected "auth N" with N from 0 to 15, got "${raw.trim()}"` });
      else auth = { index, at };
      return;
    }
    const n = /^\d+$/.test(first) ? Number(first) : NaN;
    const method = second;
    if (!(n >= 0 && n <= 15) || (method !== 'crc' && method !== 'md5' && method !== 'sha1') || more.length > 0) {
      errors.push({ at, message: `expected "auth N" or "N crc|md5 KEY|sha1 KEY" (N from 0 to 15), got "${raw.trim()}"` });
      return;
    }
    const problem = method === 'crc' && third !== undefined ? 'expected no key after crc, got one'
      : method !== 'crc' && third === undefined ? `expected a key after ${method}, got none` : undefined;
    if (problem !== undefined) { errors.push({ at, message: problem }); refused.add(n); }
    else keys.set(n, { at, method, ...(third !== undefined ? { key: third } : {}) });
  });
  if (auth === undefined) {
    if (errors.length === 0) errors.push({ at: { file, line: 1, col: 1 }, message: 'expected an "auth N" line naming the key to use, got none (heartbeat: No authentication specified)' });
    return { errors };
  }
  const key = keys.get(auth.index);
  if (key === undefined && !refused.has(auth.index)) errors.push({ at: auth.at, message: `expected a key line for "auth ${auth.index}", got none` });
  return key === undefined ? { errors } : { key, errors };
}
