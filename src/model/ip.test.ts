import test from 'ava';
import fc from 'fast-check';
import { bigIntToIp, formatAddress, formatIPv6, ipToBigInt, netmaskToPrefix, parseAddress, parseIp, parseIPv4, parseIPv6 } from './ip.js';

test('IPv6 text is canonicalised as inet_ntop prints it (RFC 5952 vectors)', (t) => {
  const cases: Array<[string, string]> = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:0db8:0000:0000:0001:0000:0000:0000', '2001:db8:0:0:1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single 0 is not compressed
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:0201', '::ffff:192.0.2.1'], // glibc prints IPv4-mapped dotted
    ['::192.0.2.1', '::192.0.2.1'],
    ['fe80::1:2', 'fe80::1:2'],
    // RFC 5952 §4.2.3 (the longest run), §4.1 (leading zeros), and forms without a dotted tail
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::', 'fe80::'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [input, want] of cases) t.deepEqual(parseIp(input), { address: want, family: 6 }, input);
});

test('non-addresses and zone ids are refused', (t) => {
  for (const bad of ['', '1.2.3', '256.1.1.1', '01.2.3.4', '1::2::3', 'fe80::1%eth0', 'example.com', '[::1]', '1.2.3.4/24']) {
    t.is(parseIp(bad), undefined, bad);
  }
});

/** WHATWG URL serialises IPv6 hosts with RFC 5952 compression: an independent oracle. */
function urlCanonical(words: number[]): string {
  return new URL(`http://[${words.map((w) => w.toString(16)).join(':')}]/`).hostname.slice(1, -1);
}

test('IPv6 canonical text agrees with the WHATWG URL serialiser (outside the dotted forms)', (t) => {
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  fc.assert(
    fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
      const text = words.map((w) => w.toString(16)).join(':');
      const got = parseIp(text)?.address ?? '';
      if (got.includes('.')) return; // glibc-only ::a.b.c.d forms
      t.is(got, urlCanonical(words));
      t.is(parseIp(got)?.address, got);
    }),
  );
});

test('addresses round-trip through bigint', (t) => {
  for (const a of ['192.0.2.255', '0.0.0.0', '2001:db8::ff', '::ffff:10.0.0.1']) {
    const ip = parseIp(a);
    if (ip === undefined) return t.fail(a);
    t.deepEqual(bigIntToIp(ipToBigInt(ip), ip.family), ip);
  }
  t.is(ipToBigInt({ address: '10.0.0.1', family: 4 }), 0x0a000001n);
});

test('netmasks must be contiguous', (t) => {
  t.is(netmaskToPrefix('255.255.255.0'), 24);
  t.is(netmaskToPrefix('0.0.0.0'), 0);
  t.is(netmaskToPrefix('255.255.255.255'), 32);
  t.is(netmaskToPrefix('255.0.255.0'), undefined);
  t.is(netmaskToPrefix('24'), undefined);
});

test('IPv4 text ⇄ bytes; bad text is undefined, never a throw', (t) => {
  t.deepEqual(parseIPv4('192.0.2.255'), Uint8Array.from([192, 0, 2, 255]));
  t.is(formatAddress(Uint8Array.from([10, 0, 0, 1])), '10.0.0.1');
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', 'a.b.c.d']) t.is(parseIPv4(bad), undefined, bad);
  for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7::8', '::1.2.3', 'fe80::1%eth0']) {
    t.is(parseIPv6(bad), undefined, bad);
  }
  t.is(parseAddress('192.0.2.1', 6), undefined);
  t.is(parseAddress('::1', 4), undefined);
});

test('format then parse is the identity on 16-byte addresses', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      t.deepEqual(parseIPv6(formatIPv6(bytes)), bytes);
    }),
  );
});

test('parsing arbitrary strings never throws', (t) => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseIp(s);
      parseIPv4(s);
      parseIPv6(s);
    }),
  );
  t.pass();
});
