/**
 * ICMP / ICMPv6 echo messages for PING_CHECK (pure). RFC 792 (echo 8, reply 0, internet
 * checksum over the message) and RFC 4443 §4.1-4.2 (echo 128, reply 129; the checksum covers a
 * pseudo-header, so the kernel fills it on ICMPv6 sockets and we leave 0).
 */

export const ECHO_REQUEST: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 128 };
export const ECHO_REPLY: Readonly<Record<4 | 6, number>> = { 4: 0, 6: 129 };

/** RFC 1071 internet checksum. */
export function inetChecksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2 === 1) sum += (b[b.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encodeEcho(family: 4 | 6, id: number, seq: number, payload: Buffer): Buffer {
  const m = Buffer.alloc(8 + payload.length);
  m[0] = ECHO_REQUEST[family];
  m.writeUInt16BE(id & 0xffff, 4);
  m.writeUInt16BE(seq & 0xffff, 6);
  payload.copy(m, 8);
  if (family === 4) m.writeUInt16BE(inetChecksum(m), 2);
  return m;
}

/**
 * An echo reply's id and seq, or undefined for anything else (other ICMP types, truncation).
 * `withIpHeader`: IPv4 raw sockets deliver the IP header first (raw(7)); its length is IHL × 4.
 */
export function decodeEchoReply(family: 4 | 6, data: Buffer, withIpHeader: boolean): { id: number; seq: number } | undefined {
  let m = data;
  if (withIpHeader) {
    if (data.length < 20 || (data[0] ?? 0) >> 4 !== 4) return undefined;
    m = data.subarray(((data[0] ?? 0) & 0x0f) * 4);
  }
  if (m.length < 8 || m[0] !== ECHO_REPLY[family] || m[1] !== 0) return undefined;
  return { id: m.readUInt16BE(4), seq: m.readUInt16BE(6) };
}
