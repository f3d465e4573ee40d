/**
 * The I/O edge of the ldirectord runtime: alert mail through the local sendmail and the file
 * system reads it polls. ldirectord mails with Mail::Send (which tries sendmail, then others) or
 * Net::SMTP to `smtp=`; lvsd runs `sendmail -oi -t` (recipients from the To: header) without a
 * shell, the message on its stdin; with smtp= the SMTP client of smtp-client.ts. sendmail is looked up on PATH, then in /usr/sbin and
 * /usr/lib; when there is none, the alert is not sent and the reason is logged.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type { LdirectordFiles, MailResult } from './runtime.js';
import { sendSmtp } from './smtp-client.js';

const MAIL_TIMEOUT_MS = 30_000;

/** The first executable `sendmail` on `path`, then /usr/sbin and /usr/lib. */
export function findSendmail(path: string | undefined = process.env['PATH']): string | undefined {
  const dirs = [...(path ?? '').split(delimiter).filter((d) => d !== ''), '/usr/sbin', '/usr/lib'];
  for (const d of dirs) {
    const f = join(d, 'sendmail');
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch (e) {
      if (!isCode(e, 'ENOENT') && !isCode(e, 'EACCES') && !isCode(e, 'ENOTDIR')) throw e;
    }
  }
  return undefined;
}

/** Sends one message; never rejects. */
export async function sendmail(_to: readonly string[], message: string): Promise<MailResult> {
  const program = findSendmail();
  if (program === undefined) return { ok: false, reason: 'no sendmail on PATH, in /usr/sbin or /usr/lib' };
  const r = await execa(program, ['-oi', '-t'], { input: message, timeout: MAIL_TIMEOUT_MS, reject: false, stdout: 'ignore', stderr: 'pipe' });
  if (r.exitCode === 0) return { ok: true };
  const why = r.timedOut ? `timed out after ${MAIL_TIMEOUT_MS / 1000} s` : r.exitCode !== undefined ? `exit ${r.exitCode}` : `signal ${r.signal ?? '?'}`;
  return { ok: false, reason: `${program} failed (${why})${r.stderr ? `: ${String(r.stderr).trim().slice(0, 200)}` : ''}` };
}

/** The daemon's user name for the SMTP envelope (ldirectord: getpwuid($<)); the uid when it has no name. */
function userName(): string {
  try {
    return userInfo().username;
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
    return String(process.getuid?.() ?? 'root');
  }
}

/** An alert through `smtp` (ldirectord's smtp=) when given, else the local sendmail; never rejects. */
export async function mailAlert(to: readonly string[], message: string, smtp?: string): Promise<MailResult> {
  if (smtp === undefined) return sendmail(to, message);
  const host = hostname();
  return sendSmtp({ server: smtp, helo: host, from: `${userName()}@${host}`, to, message, timeoutMs: MAIL_TIMEOUT_MS });
}

export const nodeLdirectordFiles: LdirectordFiles = {
  readdir: async (dir) => readdir(dir),
  mtimeMs: async (path) => (await stat(path)).mtimeMs,
  digest: async (path) => createHash('sha256').update(await readFile(path)).digest('hex'),
  append: async (path, text) => appendFile(path, text),
  hosts: async () => {
    try {
      return await readFile('/etc/hosts', 'utf8');
    } catch (e) {
      if (isCode(e, 'ENOENT') || isCode(e, 'EACCES')) return '';
      throw e;
    }
  },
};

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}
