import test from 'ava';
import fc from 'fast-check';
import { formatIp, parseIp, parseIpv4, parseIpv6 } from './ip-bytes.js';

// Canonical forms from RFC 5952 §4 (examples in §4.2.1–4.2.3, §4.3) and §5.
const canonical: ReadonlyArray<[string, string]> = [
  ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed (§4.2.2)
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run (§4.2.3)
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs (§4.2.3)
  ['2001:DB8::AB', '2001:db8::ab'], // lower case (§4.3)
  ['::', '::'],
  ['::1', '::1'],
  ['fe80::', 'fe80::'],
  ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // §5
  ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
];

for (const [input, expected] of canonical) {
  test(`IPv6 ${input} prints as ${expected}`, (t) => {
    const b = parseIpv6(input);
    t.truthy(b);
    t.is(formatIp(b ?? Buffer.alloc(0)), expected);
  });
}

test('IPv4 text ⇄ bytes', (t) => {
  t.deepEqual(parseIpv4('192.0.2.255'), Buffer.from([192, 0, 2, 255]));
  t.is(formatIp(Buffer.from([10, 0, 0, 1])), '10.0.0.1');
});

test('bad text is undefined, never a throw', (t) => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', 'a.b.c.d']) t.is(parseIpv4(bad), undefined, bad);
  for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7::8', '::1.2.3']) {
    t.is(parseIpv6(bad), undefined, bad);
  }
  t.is(parseIp('192.0.2.1', 6), undefined);
  t.is(parseIp('::1', 4), undefined);
  t.is(formatIp(Buffer.alloc(5)), undefined);
});

test('format then parse is the identity on 16-byte addresses', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const text = formatIp(bytes);
      return text !== undefined && Buffer.compare(parseIpv6(text) ?? Buffer.alloc(0), Buffer.from(bytes)) === 0;
    }),
  );
  t.pass();
});

test('parsing arbitrary strings never throws', (t) => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseIpv4(s);
      parseIpv6(s);
      return true;
    }),
  );
  t.pass();
});
