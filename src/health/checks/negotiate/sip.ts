/**
 * service=sip, as ldirectord 4.12 check_sip: over the virtual service's protocol (udp or tcp)
 * send ldirectord's OPTIONS request for `sip:<login>` (Via, Max-Forwards, To, From, Call-ID,
 * CSeq, Contact, Accept, Content-Length as it writes them; Via names our socket's address and
 * port and says UDP even over tcp, as ldirectord's does); up when the first reply line starts
 * `SIP/2.0 200 OK`. Any other first line is a failure; over tcp the headers are read to the
 * blank line (or the close), as ldirectord reads them. `receive` is not used.
 */
import { randomBytes } from 'node:crypto';
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openDatagram } from '../datagram.js';
import { excerpt, type Outcome } from '../outcome.js';
import { perlText } from './receive.js';
import { openSession } from './session.js';

export function sipOptions(login: string, local: { address: string; port: number }, callId: string): string {
  return [
    `OPTIONS sip:${login} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bKhjhs8ass877`,
    'Max-Forwards: 70',
    `To: <sip:${login}>`,
    `From: <sip:${login}>;tag=1928301774`,
    `Call-ID: ${callId}`,
    'CSeq: 63104 OPTIONS',
    `Contact: <sip:${login}>`,
    'Accept: application/sdp',
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

function judge(first: string, out: Outcome): void {
  if (/^SIP\/2\.0 200 OK/.test(first)) out.pass(first);
  else out.fail('status', `SIP ${excerpt(first, 60)}`);
}

export async function checkSip(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const callId = randomBytes(8).toString('hex');
  if (p.transport === 'udp') {
    let local = { address: '', port: 0 };
    return openDatagram(spec, out, (d) => {
      local = d.local();
      d.send(Buffer.from(sipOptions(p.login, local, callId), 'latin1'));
    }, (m) => judge((perlText(m).split('\n')[0] ?? '').replace(/\r$/, ''), out));
  }
  const s = await openSession(spec, out);
  if (s === undefined) return;
  s.write(sipOptions(p.login, { address: s.sock.localAddress ?? '', port: s.sock.localPort ?? 0 }, callId));
  const first = await s.line();
  if (first === undefined) return out.fail('protocol', 'connection closed before the SIP reply');
  if (!/^SIP\/2\.0 200 OK/.test(first)) return judge(first, out);
  for (let l = await s.line(); l !== undefined && l !== ''; l = await s.line());
  judge(first, out);
}
