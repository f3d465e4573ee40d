import test from 'ava';
import fc from 'fast-check';
import { bigIntToIp, ipToBigInt, netmaskToPrefix, parseIp } from './address.js';

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
