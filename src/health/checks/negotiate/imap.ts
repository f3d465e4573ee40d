/**
 * service=imap and imaps, as ldirectord 4.12 check_imap / check_imaps (Net::IMAP::Simple
 * 1.2211): connect (TLS from the first byte for imaps, certificate not checked), the greeting
 * must be `* OK` or `* PREAUTH`; with a login, `LOGIN user "passwd"` (the password quoted and
 * escaped as Net::IMAP::Simple does, the user as written) must end with a tagged OK; then
 * LOGOUT, whose answer is not waited for.
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { excerpt, type Outcome } from '../outcome.js';
import { openSession, type LineSession } from './session.js';

/** Net::IMAP::Simple _escape: backslash and double quote escaped, then quoted. */
export function imapQuote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Reads untagged lines until the tagged response; its status word (OK, NO, BAD) or undefined. */
async function tagged(s: LineSession, tag: string): Promise<{ status: string; text: string } | undefined> {
  for (;;) {
    const l = await s.line();
    if (l === undefined) return undefined;
    if (l.startsWith(`${tag} `)) return { status: (l.split(' ')[1] ?? '').toUpperCase(), text: l };
  }
}

export async function checkImap(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const s = await openSession(spec, out, { tls: p.service === 'imaps' });
  if (s === undefined) return;
  const greeting = await s.line();
  if (greeting === undefined) return out.fail('protocol', 'connection closed before the IMAP greeting');
  if (!/^\*\s+(?:OK|PREAUTH)/i.test(greeting)) return out.fail('status', `IMAP greeting ${excerpt(greeting, 60)}`);
  if (p.login !== '') {
    s.write(`a1 LOGIN ${p.login} ${imapQuote(p.passwd)}\r\n`);
    const r = await tagged(s, 'a1');
    if (r === undefined) return out.fail('protocol', 'connection closed during the IMAP login');
    if (r.status !== 'OK') return out.fail('status', `IMAP login refused: ${excerpt(r.text, 60)}`);
  }
  await s.finish('a2 LOGOUT\r\n');
  out.pass(p.login !== '' ? 'IMAP OK, logged in' : 'IMAP OK');
}
