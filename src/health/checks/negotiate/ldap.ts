/**
 * service=ldap and ldaps, as ldirectord 4.12 check_ldap (Net::LDAP), with ldapts: connect
 * (ldaps: TLS, certificate not checked), bind (simple, with `login` and `passwd` when both are
 * given, else anonymous), then a base-scope search of `request` without its leading "/" (""
 * is the root DSE) with filter `(objectClass=*)`. Up when exactly one entry comes back and
 * `receive` is empty or matches its DN. ldirectord limits the whole check by checktimeout and
 * each step by negotiatetimeout; here the attempt's deadline (negotiatetimeout) limits it all,
 * and checktimeout too when it is shorter. ldapts loads on the first LDAP check.
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { hostPort } from '../../plan.js';
import { describeError, type Outcome } from '../outcome.js';
import { compileReceive } from './receive.js';

export async function checkLdap(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const receive = p.receive === '' ? undefined : compileReceive(p.receive);
  if (receive !== undefined && !receive.ok) return out.fail('error', receive.detail);
  const timeoutMs = Math.min(spec.timeoutMs, p.connectTimeoutMs);
  const loaded = await import('ldapts').then((m) => m, (e: unknown) => describeError(e));
  if (!('Client' in loaded)) return out.fail('error', `LDAP: cannot load ldapts: ${loaded.detail}`);
  if (out.done) return;
  const { Client } = loaded;
  const client = new Client({
    url: `${p.service === 'ldaps' ? 'ldaps' : 'ldap'}://${hostPort(spec.address, spec.port)}`,
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
    strictDN: false,
    // ldapts speaks TLS whenever tlsOptions are given, so only ldaps gets them.
    ...(p.service === 'ldaps' ? { tlsOptions: { rejectUnauthorized: false } } : {}),
  });
  // The attempt ended (deadline or cancel): close the connection; an error while closing has no one left to tell.
  out.release(() => void client.unbind().catch((e: unknown) => e));
  let step = 'bind';
  try {
    await (p.login !== '' && p.passwd !== '' ? client.bind(p.login, p.passwd) : client.bind('', ''));
    step = 'search';
    const base = p.request.replace(/^\//, '');
    const { searchEntries } = await client.search(base, { scope: 'base', filter: '(objectClass=*)' });
    const first = searchEntries[0];
    if (searchEntries.length !== 1 || first === undefined) return out.fail('content', `LDAP search of ${JSON.stringify(base)}: ${searchEntries.length} entries, expected 1`);
    if (receive?.ok === true && !receive.re.test(first.dn)) return out.fail('content', `LDAP DN ${JSON.stringify(first.dn)} does not match ${JSON.stringify(p.receive)}`);
    out.pass(`LDAP entry ${JSON.stringify(first.dn)}`);
  } catch (e) {
    const d = describeError(e);
    // ldapts rejects a connect or an operation past its timeout with a plain Error and no code.
    const timedOut = d.reason === 'error' && /timeout|timed out/i.test(d.detail);
    out.fail(timedOut ? 'timeout' : d.reason === 'error' ? 'status' : d.reason, `LDAP ${step}: ${d.detail}`, d.errno);
  } finally {
    if (!out.done) out.fail('error', 'LDAP check ended without a verdict');
  }
}
