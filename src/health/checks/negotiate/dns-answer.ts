/**
 * The DNS messages of ldirectord's dns check (pure): the query Net::DNS::Resolver sends for
 * `search(request)` (RD set, type A, or PTR for an address, which Net::DNS turns into its
 * in-addr.arpa / ip6.arpa name), and the A and PTR records of the reply's answer section
 * (RFC 1035 §4.1, names with compression pointers, §4.1.4). A reply that is not ours or is
 * malformed is reported, never thrown.
 */
import net from 'node:net';

export const TYPE_A = 1;
export const TYPE_PTR = 12;

export interface Question {
  readonly name: string;
  readonly type: number;
}

/** Net::DNS: an IPv4 or IPv6 address is looked up as PTR of its reverse name, anything else as A. */
export function questionFor(request: string): Question {
  if (net.isIPv4(request)) return { name: `${request.split('.').reverse().join('.')}.in-addr.arpa`, type: TYPE_PTR };
  if (net.isIPv6(request)) {
    const words = request.split('::');
    const left = (words[0] ?? '').split(':').filter((w) => w !== '');
    const right = words.length > 1 ? (words[1] ?? '').split(':').filter((w) => w !== '') : [];
    const full = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right].map((w) => w.padStart(4, '0')).join('');
    return { name: `${[...full].reverse().join('.')}.ip6.arpa`, type: TYPE_PTR };
  }
  return { name: request, type: TYPE_A };
}

export type Encoded = { readonly ok: true; readonly query: Buffer } | { readonly ok: false; readonly detail: string };

export function encodeDnsQuery(id: number, q: Question): Encoded {
  const parts: Buffer[] = [];
  for (const label of q.name.split('.').filter((l) => l !== '')) {
    const b = Buffer.from(label, 'latin1');
    if (b.length > 63) return { ok: false, detail: `DNS label longer than 63 bytes in ${JSON.stringify(q.name)}` };
    parts.push(Buffer.from([b.length]), b);
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(q.type, 1);
  tail.writeUInt16BE(1, 3); // IN
  return { ok: true, query: Buffer.concat([header, ...parts, tail]) };
}

/** Reads a (possibly compressed) name at `at`; its text and where the name ended in place. */
export function readName(msg: Buffer, at: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let pos = at;
  let end: number | undefined;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg[pos];
    if (len === undefined) return undefined;
    if (len === 0) return { name: labels.join('.'), end: end ?? pos + 1 };
    if ((len & 0xc0) === 0xc0) {
      const low = msg[pos + 1];
      if (low === undefined) return undefined;
      end ??= pos + 2;
      pos = ((len & 0x3f) << 8) | low;
      continue;
    }
    if (pos + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += 1 + len;
  }
  return undefined;
}

export interface Answer {
  readonly type: 'A' | 'PTR';
  /** The address of an A record, the target name of a PTR. */
  readonly value: string;
}

export type Decoded =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'answers'; readonly rcode: number; readonly answers: readonly Answer[] }
  | { readonly kind: 'bad'; readonly detail: string };

/** The A and PTR answers of a reply to query `id` (other types skipped). */
export function decodeAnswers(id: number, msg: Buffer): Decoded {
  if (msg.length < 12 || msg.readUInt16BE(0) !== (id & 0xffff) || (msg.readUInt16BE(2) & 0x8000) === 0) return { kind: 'ignore' };
  const rcode = msg.readUInt16BE(2) & 0x000f;
  let pos = 12;
  for (let i = 0; i < msg.readUInt16BE(4); i++) {
    const n = readName(msg, pos);
    if (n === undefined) return { kind: 'bad', detail: 'malformed question in the DNS reply' };
    pos = n.end + 4;
  }
  const answers: Answer[] = [];
  for (let i = 0; i < msg.readUInt16BE(6); i++) {
    const n = readName(msg, pos);
    if (n === undefined || n.end + 10 > msg.length) return { kind: 'bad', detail: 'malformed answer in the DNS reply' };
    const type = msg.readUInt16BE(n.end);
    const rdlen = msg.readUInt16BE(n.end + 8);
    const rdata = n.end + 10;
    if (rdata + rdlen > msg.length) return { kind: 'bad', detail: 'truncated answer in the DNS reply' };
    if (type === TYPE_A && rdlen === 4) answers.push({ type: 'A', value: [...msg.subarray(rdata, rdata + 4)].join('.') });
    if (type === TYPE_PTR) {
      const target = readName(msg, rdata);
      if (target === undefined) return { kind: 'bad', detail: 'malformed PTR answer in the DNS reply' };
      answers.push({ type: 'PTR', value: target.name });
    }
    pos = rdata + rdlen;
  }
  return { kind: 'answers', rcode, answers };
}
