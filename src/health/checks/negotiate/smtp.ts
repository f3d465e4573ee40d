/**
 * service=smtp and submission, as ldirectord 4.12 check_smtp with Net::SMTP 3.14: connect,
 * the greeting must be 2xx, then `EHLO localhost.localdomain` (Net::SMTP's default domain) must
 * be answered 2xx, or else `HELO localhost.localdomain`; then QUIT, whose answer is not waited
 * for. `request` and `receive` are not used (ldirectord ignores them for smtp).
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { excerpt, type Outcome } from '../outcome.js';
import { openSession, type LineSession, type Reply } from './session.js';

export const SMTP_DOMAIN = 'localhost.localdomain';

const ok = (r: Reply | undefined): boolean => r !== undefined && r.code >= 200 && r.code < 300;

async function hello(s: LineSession): Promise<Reply | undefined> {
  s.write(`EHLO ${SMTP_DOMAIN}\r\n`);
  const ehlo = await s.reply();
  if (ehlo === undefined || ok(ehlo)) return ehlo;
  s.write(`HELO ${SMTP_DOMAIN}\r\n`);
  return s.reply();
}

export async function checkSmtp(spec: AttemptSpec, _p: NegotiateProbe, out: Outcome): Promise<void> {
  const s = await openSession(spec, out);
  if (s === undefined) return;
  const greeting = await s.reply();
  if (greeting === undefined) return out.fail('protocol', 'connection closed before the SMTP greeting');
  if (!ok(greeting)) return out.fail(greeting.code === 0 ? 'protocol' : 'status', `SMTP greeting ${excerpt(greeting.text, 60)}`);
  const h = await hello(s);
  if (h === undefined) return out.fail('protocol', 'connection closed before the EHLO/HELO reply');
  if (!ok(h)) return out.fail(h.code === 0 ? 'protocol' : 'status', `SMTP HELO refused: ${excerpt(h.text, 60)}`);
  await s.finish('QUIT\r\n');
  out.pass(`SMTP ${greeting.code}/${h.code}`);
}
