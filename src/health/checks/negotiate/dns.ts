/**
 * service=dns, as ldirectord 4.12 check_dns (Net::DNS::Resolver): `search(request)` (the
 * request without its leading "/") sent to the real server, over tcp when the virtual service
 * is tcp, else udp; up when an answer is an A record whose address, or a PTR record whose
 * name, matches `receive` (a Perl regex). An empty receive is always down, as in ldirectord.
 * AAAA answers do not count (ldirectord does not look at them).
 * Differs: the name is asked as written; Net::DNS would first try the resolver's search domains
 * (resolv.conf) for a name without a dot.
 */
import { randomInt } from 'node:crypto';
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openDatagram } from '../datagram.js';
import { openStream } from '../connection.js';
import type { Outcome } from '../outcome.js';
import { decodeAnswers, encodeDnsQuery, questionFor } from './dns-answer.js';
import { compileReceive } from './receive.js';

function judge(id: number, msg: Buffer, re: RegExp, out: Outcome): void {
  const d = decodeAnswers(id, msg);
  if (d.kind === 'ignore') return;
  if (d.kind === 'bad') return out.fail('protocol', d.detail);
  const hit = d.answers.find((a) => re.test(a.value));
  if (hit !== undefined) return out.pass(`DNS ${hit.type} ${hit.value}`);
  if (d.rcode !== 0) return out.fail('content', `DNS rcode ${d.rcode}`);
  out.fail('content', d.answers.length === 0 ? 'no A or PTR answer' : `no answer matches: ${d.answers.map((a) => a.value).join(', ')}`);
}

function overTcp(spec: AttemptSpec, query: Buffer, onReply: (m: Buffer) => void, out: Outcome): void {
  let buf = Buffer.alloc(0);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(query.length);
  const sock = openStream(spec, out, {}, (s) => s.write(Buffer.concat([len, query])));
  sock?.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) onReply(buf.subarray(2, 2 + buf.readUInt16BE(0)));
  });
  sock?.on('end', () => out.fail('protocol', 'connection closed before the DNS reply'));
}

export function checkDns(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): void {
  if (p.receive === '') return out.fail('content', 'no receive: ldirectord\'s dns check is always down without one');
  const receive = compileReceive(p.receive);
  if (!receive.ok) return out.fail('error', receive.detail);
  const id = randomInt(0x10000);
  const q = encodeDnsQuery(id, questionFor(p.request.replace(/^\//, '')));
  if (!q.ok) return out.fail('error', q.detail);
  const onReply = (m: Buffer): void => judge(id, m, receive.re, out);
  if (p.transport === 'tcp') overTcp(spec, q.query, onReply, out);
  else openDatagram(spec, out, (d) => d.send(q.query), onReply);
}
