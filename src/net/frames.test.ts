import test from 'ava';
import fc from 'fast-check';
import { garpFrame, icmpv6Checksum, unsolicitedNa } from './frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const vmac = hex('00005e000133');

test('GARP matches the hand-built frame (VMAC 00:00:5e:00:01:33, VIP 192.0.2.100), padded to 60 bytes', (t) => {
  // Built byte by byte from RFC 826 and keepalived 2.2.7 keepalived/vrrp/vrrp_arp.c; tcpdump 4.99.3 decodes it.
  const ex5 = hex(`ff ff ff ff ff ff 00 00 5e 00 01 33 08 06 00 01 08 00 06 04 00 01 00 00 5e 00 01 33
                   c0 00 02 64 ff ff ff ff ff ff c0 00 02 64`);
  const f = garpFrame({ srcMac: vmac, ip: '192.0.2.100' });
  t.is(f.length, 60);
  t.deepEqual(f.subarray(0, 42), ex5);
  t.deepEqual(f.subarray(42), Buffer.alloc(18));
});

test('GARP fields sit at the RFC 826 offsets for another MAC and VIP', (t) => {
  const mac = hex('02aabbccddee');
  const f = garpFrame({ srcMac: mac, ip: '10.1.2.3' });
  t.deepEqual(f.subarray(6, 12), mac, 'Ethernet source');
  t.is(f.readUInt16BE(20), 1, 'op = request');
  t.deepEqual(f.subarray(22, 28), mac, 'sender hardware address');
  t.deepEqual(f.subarray(28, 32), hex('0a010203'), 'sender protocol address');
  t.deepEqual(f.subarray(38, 42), hex('0a010203'), 'target protocol address');
});

// Unsolicited NA for 2001:db8::1 from 00:00:5e:00:02:0a, written field by field from RFC 2464 §7,
// RFC 8200 §3 and RFC 4861 §4.4; checksum 0x9b21 (R=0) / 0x1b21 (R=1) computed by an independent
// Python script (struct + ipaddress) and accepted by tshark in test/netns/transport.test.ts.
const naVector = (flagsAndSum: string): Buffer => hex(`
  33 33 00 00 00 01   00 00 5e 00 02 0a   86 dd
  60 00 00 00   00 20   3a   ff
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01
  88 00 ${flagsAndSum} 00 00 00
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  02 01 00 00 5e 00 02 0a`);

test('unsolicited NA (R=0 S=0 O=1) equals the hand-laid RFC 4861 vector', (t) => {
  const f = unsolicitedNa({ srcMac: hex('00005e00020a'), target: '2001:db8::1' });
  t.deepEqual(f, naVector('9b 21 20'));
});

test('unsolicited NA with router=true sets only the R flag and re-checksums', (t) => {
  const f = unsolicitedNa({ srcMac: hex('00005e00020a'), target: '2001:db8::1', router: true });
  t.deepEqual(f, naVector('1b 21 a0'));
});

test('ICMPv6 checksum of a built NA verifies to zero over the pseudo-header', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (mac, tgt) => {
      const target = [...Array(8).keys()].map((i) => Buffer.from(tgt).readUInt16BE(i * 2).toString(16)).join(':');
      const f = unsolicitedNa({ srcMac: Buffer.from(mac), target });
      // Summing a packet including its own checksum gives 0xffff; inverted that is 0.
      return icmpv6Checksum(f.subarray(22, 38), f.subarray(38, 54), f.subarray(54)) === 0;
    }),
  );
  t.pass();
});

test('bad MACs and addresses are rejected as caller bugs', (t) => {
  t.throws(() => garpFrame({ srcMac: Buffer.alloc(5), ip: '10.0.0.1' }), { instanceOf: TypeError });
  t.throws(() => garpFrame({ srcMac: vmac, ip: '10.0.0.256' }), { instanceOf: TypeError });
  t.throws(() => unsolicitedNa({ srcMac: vmac, target: '10.0.0.1' }), { instanceOf: TypeError });
});
