/**
 * DNS query encoding and reply judging for DNS_CHECK (pure), as keepalived 2.2.7 check_dns.c:
 * the query has a random id, RD set, one question (type, class IN); `name` "" is the root.
 * A datagram counts as the reply when it is at least a header long, carries our id and has QR
 * set (anything else is ignored and the read goes on); the check passes when its RCODE is 0
 * (NOERROR), whatever the answer count: keepalived does not look at ANCOUNT, so a NOERROR
 * reply with no answer (NODATA) passes too. Types: keepalived's table (A NS CNAME SOA MX TXT AAAA).
 */
import { encodeDnsQuery, type Encoded } from './negotiate/dns-answer.js';

/** RFC 1035 §3.2.2 / RFC 3596 type codes of keepalived's DNS_TYPE table. */
export const DNS_TYPES: Readonly<Record<string, number>> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };

const RCODE_NAMES: Readonly<Record<number, string>> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export type QueryResult = Encoded;

/** RFC 1035 §4.1: header (id, flags RD, qdcount 1) + question. */
export function encodeQuery(id: number, name: string, type: string): QueryResult {
  const code = DNS_TYPES[type.toUpperCase()];
  if (code === undefined) return { ok: false, detail: `unknown DNS type ${JSON.stringify(type)}` };
  return encodeDnsQuery(id, { name, type: code });
}

export type ReplyVerdict =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'pass'; readonly detail: string }
  | { readonly kind: 'fail'; readonly detail: string };

export function judgeReply(id: number, reply: Buffer): ReplyVerdict {
  if (reply.length < 12 || reply.readUInt16BE(0) !== (id & 0xffff)) return { kind: 'ignore' };
  const flags = reply.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { kind: 'ignore' };
  const rcode = flags & 0x000f;
  if (rcode !== 0) return { kind: 'fail', detail: `DNS rcode ${rcode}${RCODE_NAMES[rcode] ? ` (${RCODE_NAMES[rcode]})` : ''}` };
  const answers = reply.readUInt16BE(6);
  return { kind: 'pass', detail: `DNS NOERROR, ${answers} answer${answers === 1 ? '' : 's'}` };
}
