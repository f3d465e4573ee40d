/**
 * service=simpletcp, as ldirectord 4.12 check_simpletcp: over the virtual service's protocol
 * (tcp, or udp), send `request` without its leading "/" and with each literal `\n` turned into
 * a newline, shut the sending side (tcp), then read lines; up as soon as one matches `receive`
 * (a Perl regex; the line keeps its newline, as Perl's readline does). tcp: the server closing
 * without a matching line is a failure. udp: every datagram is read as lines until the deadline.
 * An empty receive (Perl would reuse its last successful pattern) matches any line.
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openDatagram } from '../datagram.js';
import { excerpt, type Outcome } from '../outcome.js';
import { compileReceive, perlText } from './receive.js';
import { openSession } from './session.js';

/** ldirectord: substr($request, 1), then s/\\n/\n/g. */
export function simpletcpPayload(request: string): string {
  return request.slice(1).replace(/\\n/g, '\n');
}

/** Lines of `text` with their newline kept; a last line without one included as it is. */
export function perlLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export async function checkSimpletcp(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const receive = p.receive === '' ? { ok: true as const, re: /(?:)/ } : compileReceive(p.receive);
  if (!receive.ok) return out.fail('error', receive.detail);
  const payload = Buffer.from(simpletcpPayload(p.request), 'latin1');
  const matches = (line: string): boolean => receive.re.test(line);
  if (p.transport === 'udp') {
    return openDatagram(spec, out, (d) => d.send(payload), (m) => {
      const hit = perlLines(perlText(m)).find(matches);
      if (hit !== undefined) out.pass(`line ${excerpt(hit.trimEnd())} matches`);
    });
  }
  const s = await openSession(spec, out);
  if (s === undefined) return;
  s.write(payload.toString('latin1'));
  s.sock.end();
  let seen = 0;
  for (let l = await s.line(); l !== undefined; l = await s.line()) {
    seen++;
    if (matches(`${l}\n`)) return out.pass(`line ${excerpt(l)} matches`);
  }
  const last = s.rest();
  if (last !== '' && matches(last)) return out.pass(`line ${excerpt(last)} matches`);
  if (!out.done) out.fail('content', `${seen + (last === '' ? 0 : 1)} line(s), none matches ${JSON.stringify(p.receive)}`);
}
