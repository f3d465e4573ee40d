import test from 'ava';
import fc from 'fast-check';
import { authDataFromPassword, decodeAdvert, encodeAdvert, v2IntervalS, type Advert, type WireContext } from './codec.js';
import { internetChecksum } from './checksum.js';
import { canonicalAddress, compareAddresses, formatIPv6, parseIPv4, parseIPv6 } from '../model/index.js';
import { vectors, type Vector } from './codec.vectors.js';

const ctxOf = (v: Vector): WireContext & { ttl: number } => ({ family: v.family, src: v.src, dst: v.dst, ttl: v.ttl });

for (const v of vectors) {
  test(`vector ${v.name}: decodes to what tcpdump or the RFC layout says`, (t) => {
    const r = decodeAdvert(Buffer.from(v.hex, 'hex'), ctxOf(v));
    if (!r.ok) return t.fail(`${r.reason}: ${r.detail}`);
    const { value } = r;
    t.is(r.checksumForm, v.expect.checksumForm);
    t.is(value.version, v.expect.version);
    t.is(value.vrid, v.expect.vrid);
    t.is(value.priority, v.expect.priority);
    t.is(value.intervalCs, v.expect.intervalCs);
    t.deepEqual(value.addrs, v.expect.addrs);
    t.is(value.authType, v.expect.authType);
    if (v.expect.password !== undefined) t.is(value.authData?.toString('latin1').replace(/\0+$/, ''), v.expect.password);
  });

  test(`vector ${v.name}: re-encodes to identical bytes`, (t) => {
    const r = decodeAdvert(Buffer.from(v.hex, 'hex'), ctxOf(v));
    if (!r.ok) return t.fail(r.detail);
    const form = r.checksumForm === 'rfc9568' ? 'rfc9568' : 'pseudo';
    t.is(encodeAdvert(r.value, { ...ctxOf(v), v3Checksum: form }).toString('hex'), v.hex);
  });
}

test('keepalived PASS vector: the auth bytes are the NUL-padded password, and the checksum covers them', (t) => {
  const v = vectors.find((x) => x.name === 'keepalived-2.2.7-v2-pass');
  if (!v) return t.fail('vector missing');
  const buf = Buffer.from(v.hex, 'hex');
  t.deepEqual(buf.subarray(buf.length - 8), authDataFromPassword('secret'));
  t.is(internetChecksum(buf), 0);
  t.is(internetChecksum(buf.subarray(0, buf.length - 8)) === 0, false);
});

test('authDataFromPassword keeps at most 8 bytes, NUL padded', (t) => {
  t.is(authDataFromPassword('longpassword').toString('latin1'), 'longpass');
  t.is(authDataFromPassword('ab').toString('hex'), '6162000000000000');
});

test('v2 interval: keepalived rounds sub-second up to 1 s; whole seconds kept', (t) => {
  t.is(v2IntervalS(1), 1);
  t.is(v2IntervalS(50), 1);
  t.is(v2IntervalS(100), 1);
  t.is(v2IntervalS(101), 2);
  t.is(v2IntervalS(300), 3);
  const buf = encodeAdvert(
    { version: 2, vrid: 1, priority: 100, intervalCs: 20, addrs: ['10.0.0.1'], authType: 0 },
    { family: 4, src: '10.0.0.2', dst: '224.0.0.18', v3Checksum: 'pseudo' },
  );
  t.is(buf[5], 1);
});

test('v3/IPv4 sends the chosen checksum form and the receiver reports it', (t) => {
  const a: Advert = { version: 3, vrid: 51, priority: 200, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0 };
  const ctx = { family: 4 as const, src: '198.51.100.10', dst: '224.0.0.18' };
  const rfc = encodeAdvert(a, { ...ctx, v3Checksum: 'rfc9568' });
  const pseudo = encodeAdvert(a, { ...ctx, v3Checksum: 'pseudo' });
  t.is(rfc.toString('hex'), '3133c80100644402c0000264');
  t.is(pseudo.toString('hex'), '3133c80100643935c0000264');
  const r1 = decodeAdvert(rfc, { ...ctx, ttl: 255 });
  const r2 = decodeAdvert(pseudo, { ...ctx, ttl: 255 });
  t.true(r1.ok && r1.checksumForm === 'rfc9568');
  t.true(r2.ok && r2.checksumForm === 'pseudo');
  // The pseudo-header binds the source address: the same bytes from another sender match no form.
  const r3 = decodeAdvert(pseudo, { ...ctx, src: '198.51.100.11', ttl: 255 });
  t.deepEqual(r3.ok ? 'ok' : r3.reason, 'checksum');
});

// ------------------------------------------------------------------ negative vectors (ref-ex1 / ref-ex2 spoiled)

const EX1 = '213364010001b865c00002640000000000000000';
const EX2 = '3133c80100644402c0000264';
const v4ctx = { family: 4 as const, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255 };

/** Rewrite the checksum of a message-only form (v2 / v3 RFC 9568) after editing bytes. */
function refix(hex: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  b.writeUInt16BE(0, 6);
  b.writeUInt16BE(internetChecksum(b), 6);
  return b;
}

const reasonOf = (buf: Buffer, ctx: WireContext & { ttl: number }): string => {
  const r = decodeAdvert(buf, ctx);
  return r.ok ? 'ok' : r.reason;
};

test('negative: TTL 254 is dropped as ttl', (t) => {
  t.is(reasonOf(Buffer.from(EX1, 'hex'), { ...v4ctx, ttl: 254 }), 'ttl');
});

test('negative: one flipped payload bit is dropped as checksum', (t) => {
  const b = Buffer.from(EX1, 'hex');
  b[10] = (b[10] ?? 0) ^ 0x01;
  t.is(reasonOf(b, v4ctx), 'checksum');
});

test('negative: count 2 with one address is truncated; short header too; an extra byte too', (t) => {
  t.is(reasonOf(refix('213364020001' + '0000' + 'c0000264' + '0000000000000000'), v4ctx), 'truncated');
  t.is(reasonOf(Buffer.from('2133640100', 'hex'), v4ctx), 'truncated');
  t.is(reasonOf(Buffer.concat([Buffer.from(EX1, 'hex'), Buffer.alloc(1)]), v4ctx), 'truncated');
});

test('negative: v3 interval 0 (erratum 8301), count 0 (erratum 8299), VRID 0', (t) => {
  t.is(reasonOf(refix('3133c8010000' + '0000' + 'c0000264'), v4ctx), 'interval');
  t.is(reasonOf(refix('3133c8000064' + '0000'), v4ctx), 'count');
  t.is(reasonOf(refix('3100c8010064' + '0000' + 'c0000264'), v4ctx), 'vrid');
});

test('negative: version 4, type 2, v2 over IPv6', (t) => {
  t.is(reasonOf(refix('4133c8010064' + '0000' + 'c0000264'), v4ctx), 'version');
  t.is(reasonOf(refix('3233c8010064' + '0000' + 'c0000264'), v4ctx), 'type');
  t.is(reasonOf(Buffer.from(EX1, 'hex'), { family: 6, src: 'fe80::1', dst: 'ff02::12', ttl: 255 }), 'family');
  t.is(reasonOf(Buffer.from(EX2, 'hex'), { ...v4ctx, src: 'fe80::1' }), 'family');
});

// ------------------------------------------------------------------ properties

const v4addr = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const v6addr = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(b));

const advertArb = fc.oneof(
  fc.record({
    version: fc.constant(2 as const), vrid: fc.integer({ min: 1, max: 255 }), priority: fc.nat(255),
    intervalCs: fc.integer({ min: 1, max: 255 }).map((s) => s * 100), addrs: fc.array(v4addr, { maxLength: 20 }),
    authType: fc.nat(255), authData: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((u) => Buffer.from(u)),
  }).map((a) => ({ advert: a as Advert, family: 4 as const })),
  fc.tuple(fc.constantFrom(4 as const, 6 as const), fc.integer({ min: 1, max: 255 }), fc.nat(255), fc.integer({ min: 1, max: 4095 }))
    .chain(([family, vrid, priority, intervalCs]) =>
      fc.array(family === 4 ? v4addr : v6addr, { minLength: 1, maxLength: 20 }).map((addrs) => ({
        advert: { version: 3 as const, vrid, priority, intervalCs, addrs, authType: 0 } as Advert, family,
      }))),
);

test('property: decode(encode(x)) = x for every form', (t) => {
  fc.assert(fc.property(advertArb, fc.constantFrom('pseudo' as const, 'rfc9568' as const), ({ advert, family }, form) => {
    const ctx = family === 4 ? { family, src: '10.1.2.3', dst: '224.0.0.18' } : { family, src: 'fe80::1:2', dst: 'ff02::12' };
    const r = decodeAdvert(encodeAdvert(advert, { ...ctx, v3Checksum: form }), { ...ctx, ttl: 255 });
    if (!r.ok) return false;
    const expectForm = advert.version === 2 ? 'v2' : family === 6 ? 'ipv6' : form;
    return r.checksumForm === expectForm && JSON.stringify(r.value) === JSON.stringify(advert);
  }), { numRuns: 500 });
  t.pass();
});

test('property: decodeAdvert never throws on random bytes or contexts', (t) => {
  const ctxArb = fc.record({
    family: fc.constantFrom(4 as const, 6 as const), src: fc.oneof(v4addr, v6addr, fc.string()),
    dst: fc.oneof(v4addr, v6addr, fc.string()), ttl: fc.integer({ min: -1, max: 300 }),
  });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), ctxArb, (bytes, ctx) => {
    const r = decodeAdvert(Buffer.from(bytes), ctx);
    return typeof r.ok === 'boolean';
  }), { numRuns: 2000 });
  // Mostly-valid headers reach the deeper checks.
  fc.assert(fc.property(fc.constantFrom(0x21, 0x31), fc.uint8Array({ maxLength: 80 }), (b0, rest) => {
    const r = decodeAdvert(Buffer.from([b0, ...rest]), v4ctx);
    return typeof r.ok === 'boolean';
  }), { numRuns: 2000 });
  t.pass();
});

// ------------------------------------------------------------------ addresses

test('IPv6 formatting matches the WHATWG URL serializer (an independent RFC 5952 implementation)', (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7), (b, zeroFrom) => {
    for (let i = zeroFrom * 2; i < Math.min(16, zeroFrom * 2 + 6); i++) b[i] = 0; // make zero runs common
    const ours = formatIPv6(b);
    if (ours.includes('.')) return true; // dotted IPv4 tail: inet_ntop-only form
    const theirs = new URL(`http://[${ours}]/`).hostname.slice(1, -1);
    return theirs === ours && Buffer.from(parseIPv6(ours) ?? []).equals(Buffer.from(b));
  }), { numRuns: 2000 });
  t.pass();
});

test('addresses: inet_ntop forms, rejects, and network-order comparison', (t) => {
  t.is(canonicalAddress('FE80:0:0:0:0:FF:FE00:A', 6), 'fe80::ff:fe00:a');
  t.is(canonicalAddress('::ffff:192.0.2.1', 6), '::ffff:192.0.2.1');
  t.is(canonicalAddress('2001:db8:0:0:1:0:0:1', 6), '2001:db8::1:0:0:1');
  t.is(canonicalAddress('fe80::1%veth0', 6), undefined); // no zone ids: inet_pton takes none, and nothing lvsd reads has one
  t.is(parseIPv6('1::2::3'), undefined);
  t.is(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
  t.is(parseIPv4('192.0.2.01'), undefined);
  t.is(parseIPv4('256.0.0.1'), undefined);
  t.is(compareAddresses('10.0.0.2', '10.0.0.10'), -1);
  t.is(compareAddresses('192.0.2.200', '192.0.2.3'), 1);
  t.is(compareAddresses('fe80::a', 'fe80::1:0'), -1);
  t.is(compareAddresses('fe80::ff', 'fe80::ff'), 0);
});
