/**
 * DNS query encoding and reply judging for DNS_CHECK (pure), as keepalived 2.2.7 check_dns.c:
 * the query has a random id, RD set, one question (type, class IN); `name` "" is the root.
 * A datagram counts as the reply when it is at least a header long, carries our id and has QR
 * set (anything else is ignored and the read goes on); the check passes when its RCODE is 0
 * (NOERROR), whatever the answer count: keepalived does not look at ANCOUNT, so a NOERROR
 * reply with no answer (NODATA) passes too. Types: keepalived's table (A NS CNAME SOA MX TXT AAAA).
 */

/** RFC 1035 §3.2.2 / RFC 3596 type codes of keepalived's DNS_TYPE table. */
export const DNS_TYPES: Readonly<Record<string, number>> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };

const RCODE_NAMES: Readonly<Record<number, string>> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export type QueryResult = { readonly ok: true; readonly query: Buffer } | { readonly ok: false; readonly detail: string };

/** RFC 1035 §4.1: header (id, flags RD, qdcount 1) + question. */
export function encodeQuery(id: number, name: string, type: string): QueryResult {
  const code = DNS_TYPES[type.toUpperCase()];
  if (code === undefined) return { ok: false, detail: `unknown DNS type ${JSON.stringify(type)}` };
  const labels = name.split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) return { ok: false, detail: `DNS label longer than 63 bytes in ${JSON.stringify(name)}` };
    parts.push(Buffer.from([b.length]), b);
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(code, 1);
  tail.writeUInt16BE(1, 3); // class IN
  return { ok: true, query: Buffer.concat([header, ...parts, tail]) };
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
