/**
 * service=pop and pops, as ldirectord 4.12 check_pop (Mail::POP3Client): connect (TLS from
 * the first byte for pops, certificate not checked), the greeting must start `+OK`; with a
 * login, `USER` and `PASS` must both be answered `+OK`; then QUIT.
 *
 * Differs from ldirectord: with Mail::POP3Client 2.21 the constructor never fails, so
 * ldirectord's pop check WITHOUT a login reports up even when nothing listens. lvsd requires the
 * greeting (the behaviour ldirectord's documentation describes). Login is USER/PASS only:
 * Mail::POP3Client would try APOP or CRAM-MD5 first when the server offers them.
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { excerpt, type Outcome } from '../outcome.js';
import { openSession, type LineSession } from './session.js';

async function command(s: LineSession, line: string): Promise<string | undefined> {
  s.write(`${line}\r\n`);
  return s.line();
}

export async function checkPop(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const s = await openSession(spec, out, { tls: p.service === 'pops' });
  if (s === undefined) return;
  const greeting = await s.line();
  if (greeting === undefined) return out.fail('protocol', 'connection closed before the POP3 greeting');
  if (!/^\+OK/i.test(greeting)) return out.fail('status', `POP3 greeting ${excerpt(greeting, 60)}`);
  if (p.login !== '') {
    const user = await command(s, `USER ${p.login}`);
    const pass = user !== undefined && /^\+OK/i.test(user) ? await command(s, `PASS ${p.passwd}`) : user;
    if (pass === undefined) return out.fail('protocol', 'connection closed during the POP3 login');
    if (!/^\+OK/i.test(pass)) return out.fail('status', `POP3 login refused: ${excerpt(pass, 60)}`);
  }
  await s.finish('QUIT\r\n');
  out.pass(p.login !== '' ? 'POP3 +OK, logged in' : 'POP3 +OK');
}
