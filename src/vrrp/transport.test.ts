import test from 'ava';
import fc from 'fast-check';
import { fromRaw, parseIpv4 } from './transport.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// Vector ref-ex1-v2 of codec.vectors.ts with its hand-built IPv4 header: VRRPv2 from 192.0.2.10 to
// 224.0.0.18, TTL 255, TOS 0xC0, header checksum 0x1889 (tcpdump 4.99.3 decodes the frame).
const ex1Header = hex('45 c0 00 28 00 00 00 00 ff 70 18 89 c0 00 02 0a e0 00 00 12');
const ex1Vrrp = hex('21 33 64 01 00 01 b8 65 c0 00 02 64 00 00 00 00 00 00 00 00');

test('parseIpv4 strips the Ex. 1 header and reads src, dst and TTL from it', (t) => {
  const r = parseIpv4(Buffer.concat([ex1Header, ex1Vrrp]));
  t.deepEqual(r, { ok: true, value: { payload: ex1Vrrp, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255 } });
});

test('parseIpv4 honours IHL (options) and total length (trailing bytes dropped)', (t) => {
  const hdr = Buffer.from(ex1Header);
  hdr[0] = 0x46; // IHL 6: one 4-byte option word
  hdr.writeUInt16BE(24 + 20, 2);
  const r = parseIpv4(Buffer.concat([hdr, hex('94040000'), ex1Vrrp, hex('dead')]));
  t.true(r.ok);
  if (r.ok) t.deepEqual(r.value.payload, ex1Vrrp);
});

test('parseIpv4 names what is wrong with a garbled header', (t) => {
  const pkt = Buffer.concat([ex1Header, ex1Vrrp]);
  const edit = (f: (b: Buffer) => void): Buffer => { const b = Buffer.from(pkt); f(b); return b; };
  t.like(parseIpv4(pkt.subarray(0, 19)), { ok: false, reason: 'short' });
  t.like(parseIpv4(edit((b) => { b[0] = 0x65; })), { ok: false, reason: 'version' });
  t.like(parseIpv4(edit((b) => { b[0] = 0x44; })), { ok: false, reason: 'ihl' });
  t.like(parseIpv4(edit((b) => { b[0] = 0x4f; })), { ok: false, reason: 'ihl' });
  t.like(parseIpv4(edit((b) => { b.writeUInt16BE(41, 2); })), { ok: false, reason: 'total-length' });
  t.like(parseIpv4(edit((b) => { b.writeUInt16BE(19, 2); })), { ok: false, reason: 'total-length' });
});

test('parseIpv4 never throws and never returns a payload outside the datagram', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
    const b = Buffer.from(bytes);
    const r = parseIpv4(b);
    return !r.ok || (r.value.payload.length <= b.length - 20 && r.value.ttl === b[8]);
  }), { numRuns: 5000 });
  t.pass();
});

test('fromRaw: a cut datagram is rx_truncated, a bad IPv4 header ip_header; good ones lose their IP header only', (t) => {
  const raw = { data: Buffer.concat([ex1Header, ex1Vrrp]), src: '192.0.2.10', dst: '224.0.0.18', ifindex: 3, ttl: 255, atUs: 7, truncated: false };
  t.deepEqual(fromRaw(raw, 4), { ok: true, value: { payload: ex1Vrrp, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255, family: 4, ifindex: 3, atUs: 7 } });
  t.like(fromRaw({ ...raw, truncated: true }, 4), { ok: false, error: { reason: 'rx_truncated', from: '192.0.2.10' } });
  t.like(fromRaw({ ...raw, data: ex1Header.subarray(0, 12) }, 4), { ok: false, error: { reason: 'ip_header', from: '192.0.2.10', detail: 'IPv4 header: short' } });
  t.like(fromRaw({ ...raw, data: ex1Vrrp, src: 'fe80::1', dst: 'ff02::12' }, 6), { ok: true, value: { payload: ex1Vrrp, family: 6, src: 'fe80::1' } });
});
