/**
 * IPVS codec tests: ipvsadm-captured vectors (family.vectors.ts), round trips, fast-check.
 * Expected objects are written by hand from the ipvsadm command lines, not from our decoder.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  CmdAttr, decodeDaemon, decodeDest, decodeInfo, decodeRequest, decodeService, decodeTimeouts, encodeRequest,
  NLA_F_NESTED, topNest, type IpvsRequest,
} from './family.js';
import { canonicalAddr } from './address.js';
import { describeOp, ipvsError } from './errno.js';
import { vector, VECTORS } from './family.vectors.js';
import type { IpvsDest, IpvsService, IpvsStats, ServiceId } from './types.js';

const genl = (name: string): { cmd: number; attrs: Buffer } => {
  const b = Buffer.from(vector(name).hex, 'hex');
  return { cmd: b[0] ?? 0, attrs: b.subarray(4) };
};
const svcId = (s: ServiceId): ServiceId => ({ af: s.af, protocol: s.protocol, addr: s.addr, port: s.port, fwmark: s.fwmark });

const WEB: IpvsService = { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff };
const SH: IpvsService = { af: 2, protocol: 6, addr: '192.0.2.10', port: 443, fwmark: 0, sched: 'sh', flags: 0x01 | 0x08 | 0x10, timeout: 300, netmask: 0xffffff00 };
const MH: IpvsService = { af: 10, protocol: 17, addr: '2001:db8::100', port: 53, fwmark: 0, sched: 'mh', flags: 0x04 | 0x08 | 0x10, timeout: 0, netmask: 128 };
const FWM: IpvsService = { af: 10, protocol: 0, addr: '', port: 0, fwmark: 100, sched: 'rr', flags: 0x01, timeout: 60, netmask: 64, pe: 'sip' };
const SCTP: IpvsService = { af: 2, protocol: 132, addr: '192.0.2.11', port: 9, fwmark: 0, sched: 'lc', flags: 0, timeout: 0, netmask: 0xffffffff };
const dest = (d: Partial<IpvsDest> & Pick<IpvsDest, 'addr' | 'port'>): IpvsDest => ({
  af: 2, fwd: 3, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, ...d,
});
const RS2 = dest({ addr: '127.0.0.2', port: 80, fwd: 3, weight: 5, uThresh: 100, lThresh: 10 });
const RS3 = dest({ addr: '127.0.0.3', port: 8080, fwd: 0, weight: 2 });
const RS4 = dest({ addr: '127.0.0.4', port: 80, fwd: 2, weight: 1, tunType: 1, tunPort: 6080, tunFlags: 1 });
const RS6 = dest({ af: 10, addr: '::1', port: 0, fwd: 2, weight: 3, tunType: 2, tunFlags: 0 });

/** Requests we encode byte-for-byte as ipvsadm 1.31 does. */
const EXACT: ReadonlyArray<[string, IpvsRequest]> = [
  ['request_NEW_SERVICE', { cmd: 'NEW_SERVICE', service: WEB }],
  ['request_NEW_SERVICE_2', { cmd: 'NEW_SERVICE', service: SH }],
  ['request_NEW_SERVICE_3', { cmd: 'NEW_SERVICE', service: MH }],
  ['request_NEW_SERVICE_4', { cmd: 'NEW_SERVICE', service: FWM }],
  ['request_NEW_SERVICE_5', { cmd: 'NEW_SERVICE', service: SCTP }],
  ['request_SET_CONFIG', { cmd: 'SET_CONFIG', timeouts: { tcp: 1000, tcpFin: 0, udp: 200 } }],
  ['request_NEW_DAEMON', { cmd: 'NEW_DAEMON', daemon: { state: 'master', mcastIfn: 'lo', syncId: 7 } }],
  ['request_NEW_DAEMON_2', { cmd: 'NEW_DAEMON', daemon: { state: 'backup', mcastIfn: 'lo', syncId: 9, maxLen: 1400, mcastGroup: '224.0.0.99', mcastPort: 8849, mcastTtl: 2 } }],
  ['request_GET_SERVICE', { cmd: 'GET_SERVICE' }],
  ['request_GET_DEST', { cmd: 'GET_DEST', service: svcId(WEB) }],
  ['request_GET_DEST_2', { cmd: 'GET_DEST', service: svcId(SH) }],
  ['request_GET_DEST_3', { cmd: 'GET_DEST', service: svcId(MH) }],
  ['request_GET_DEST_4', { cmd: 'GET_DEST', service: svcId(FWM) }],
  ['request_GET_DAEMON', { cmd: 'GET_DAEMON' }],
  ['request_GET_CONFIG', { cmd: 'GET_CONFIG' }],
  ['request_GET_INFO', { cmd: 'GET_INFO' }],
  ['request_ZERO', { cmd: 'ZERO' }],
  ['request_FLUSH', { cmd: 'FLUSH' }],
];

for (const [name, req] of EXACT) {
  test(`vector ${name}: decodes to the command line's request and re-encodes to ipvsadm's bytes`, (t) => {
    const v = genl(name);
    const dec = decodeRequest(v.cmd, v.attrs);
    t.deepEqual(dec, { ok: true, value: req });
    const enc = encodeRequest(req);
    if (!enc.ok) return t.fail(enc.error.detail);
    t.is(enc.value.cmd, v.cmd);
    t.is(enc.value.attrs.toString('hex'), v.attrs.toString('hex'));
    t.is(enc.value.dump, vector(name).nlmsgFlags.includes('0x300'));
  });
}

/** ipvsadm sends the whole service (and for DEL_DEST the whole dest) where the kernel reads only the identity. */
const IDENTITY_ONLY: ReadonlyArray<[string, IpvsRequest]> = [
  ['request_NEW_DEST', { cmd: 'NEW_DEST', service: svcId(WEB), dest: RS2 }],
  ['request_NEW_DEST_2', { cmd: 'NEW_DEST', service: svcId(WEB), dest: RS3 }],
  ['request_NEW_DEST_3', { cmd: 'NEW_DEST', service: svcId(WEB), dest: RS4 }],
  ['request_NEW_DEST_4', { cmd: 'NEW_DEST', service: svcId(FWM), dest: RS6 }],
  ['request_SET_DEST', { cmd: 'SET_DEST', service: svcId(WEB), dest: { ...RS3, weight: 7 } }],
  ['request_DEL_DEST', { cmd: 'DEL_DEST', service: svcId(WEB), dest: { af: 2, addr: '127.0.0.3', port: 8080 } }],
  ['request_DEL_SERVICE', { cmd: 'DEL_SERVICE', service: svcId(SCTP) }],
  ['request_DEL_DAEMON', { cmd: 'DEL_DAEMON', state: 'master' }],
];

for (const [name, req] of IDENTITY_ONLY) {
  test(`vector ${name}: decodes to the command line's request; our DEST nest equals ipvsadm's`, (t) => {
    const v = genl(name);
    t.deepEqual(decodeRequest(v.cmd, v.attrs), { ok: true, value: req });
    const enc = encodeRequest(req);
    if (!enc.ok) return t.fail(enc.error.detail);
    t.is(enc.value.cmd, v.cmd);
    if (req.cmd === 'NEW_DEST' || req.cmd === 'SET_DEST') {
      const ours = topNest(enc.value.attrs, CmdAttr.DEST);
      const theirs = topNest(v.attrs, CmdAttr.DEST);
      t.true(ours.ok && theirs.ok);
      if (ours.ok && theirs.ok) t.is(ours.value.toString('hex'), theirs.value.toString('hex'));
    }
    // and our shorter form decodes to the same request
    t.deepEqual(decodeRequest(enc.value.cmd, enc.value.attrs), { ok: true, value: req });
  });
}

test('attributes the codec does not know are kept: decode → encode gives back the same bytes', (t) => {
  const s = genl('request_NEW_SERVICE_unknown');
  const dec = decodeRequest(s.cmd, s.attrs);
  t.deepEqual(dec, { ok: true, value: {
    cmd: 'NEW_SERVICE', service: { ...WEB, unknownAttrs: [{ type: 13, hex: '01020304' }] },
    unknownAttrs: [{ type: 7 | NLA_F_NESTED, hex: '080001002a000000' }],
  } }, 'in the SERVICE nest and at the top level, NLA_F_NESTED kept');
  const enc = dec.ok ? encodeRequest(dec.value) : undefined;
  t.is(enc?.ok ? enc.value.attrs.toString('hex') : '', s.attrs.toString('hex'));

  const d = genl('request_NEW_DAEMON_unknown');
  const dd = decodeRequest(d.cmd, d.attrs);
  t.like(dd, { ok: true, value: { cmd: 'NEW_DAEMON', daemon: { state: 'master', mcastIfn: 'lo', syncId: 7, unknownAttrs: [{ type: 9, hex: '07' }] } } });
  const de = dd.ok ? encodeRequest(dd.value) : undefined;
  t.is(de?.ok ? de.value.attrs.toString('hex') : '', d.attrs.toString('hex'));

  // ipvsadm sends the whole service with NEW_DEST (the kernel reads its identity): compare the DEST nest
  const r = genl('request_NEW_DEST_unknown');
  const rd = decodeRequest(r.cmd, r.attrs);
  t.like(rd, { ok: true, value: { cmd: 'NEW_DEST', dest: { ...RS2, unknownAttrs: [{ type: 16, hex: 'beef' }] } } });
  const re = rd.ok ? encodeRequest(rd.value) : undefined;
  const ours = re?.ok ? topNest(re.value.attrs, CmdAttr.DEST) : undefined;
  const theirs = topNest(r.attrs, CmdAttr.DEST);
  t.is(ours?.ok ? ours.value.toString('hex') : 'none', theirs.ok ? theirs.value.toString('hex') : 'theirs');
});

const ZERO_STATS: IpvsStats = { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };

test('kernel replies: info, timeouts, daemons', (t) => {
  t.deepEqual(decodeInfo(genl('reply_SET_INFO').attrs), { ok: true, value: { version: 0x010201, connTabSize: 4096 } });
  t.deepEqual(decodeTimeouts(genl('reply_SET_CONFIG').attrs), { ok: true, value: { tcp: 1000, tcpFin: 120, udp: 200 } });
  const d = (n: string): unknown => {
    const nest = topNest(genl(n).attrs, CmdAttr.DAEMON);
    return nest.ok ? decodeDaemon(nest.value) : nest;
  };
  t.deepEqual(d('reply_NEW_DAEMON'), { ok: true, value: { state: 'master', mcastIfn: 'lo', syncId: 7, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 } });
  t.deepEqual(d('reply_NEW_DAEMON_2'), { ok: true, value: { state: 'backup', mcastIfn: 'lo', syncId: 9, maxLen: 1400, mcastGroup: '224.0.0.99', mcastPort: 8849, mcastTtl: 2 } });
});

test('kernel replies: service dump (HASHED masked, STATS64, fwmark without address)', (t) => {
  const got = ['reply_NEW_SERVICE', 'reply_NEW_SERVICE_2', 'reply_NEW_SERVICE_3', 'reply_NEW_SERVICE_4'].map((n) => {
    const v = genl(n);
    t.is(v.cmd, 1);
    const nest = topNest(v.attrs, CmdAttr.SERVICE);
    const s = nest.ok ? decodeService(nest.value) : nest;
    if (!s.ok) throw new Error(s.error.reason);
    return s.value;
  });
  const key = (s: IpvsService): string => `${s.af}/${s.fwmark}/${s.protocol}/${s.addr}/${s.port}`;
  const sorted = got.sort((a, b) => key(a).localeCompare(key(b)));
  const want = [WEB, SH, MH, FWM].map((s) => ({ ...s, stats: ZERO_STATS })).sort((a, b) => key(a).localeCompare(key(b)));
  t.deepEqual(sorted, want);
  // the raw flags do carry HASHED (0x2): the decoder masked it
  t.true(vector('reply_NEW_SERVICE').hex.includes('0c00070002000000ffffffff'));
});

test('kernel replies: dest dump (ADDR_FAMILY, counters, tunnel attributes)', (t) => {
  const got = ['reply_NEW_DEST', 'reply_NEW_DEST_2', 'reply_NEW_DEST_3'].map((n) => {
    const nest = topNest(genl(n).attrs, CmdAttr.DEST);
    const d = nest.ok ? decodeDest(nest.value, 2) : nest;
    if (!d.ok) throw new Error(d.error.reason);
    return d.value;
  });
  const conns = { activeConns: 0, inactConns: 0, persistConns: 0, stats: ZERO_STATS };
  t.deepEqual(got.map((d) => d.addr).sort(), ['127.0.0.2', '127.0.0.4', '::1']);
  t.deepEqual(got.find((d) => d.addr === '127.0.0.2'), { ...RS2, ...conns });
  t.deepEqual(got.find((d) => d.addr === '127.0.0.4'), { ...RS4, ...conns });
  t.deepEqual(got.find((d) => d.addr === '::1'), { ...RS6, ...conns });
});

test('nests carry NLA_F_NESTED and are padded, as libnl builds them', (t) => {
  const enc = encodeRequest({ cmd: 'DEL_SERVICE', service: svcId(WEB) });
  if (!enc.ok) return t.fail();
  t.is(enc.value.attrs.readUInt16LE(2), CmdAttr.SERVICE | NLA_F_NESTED);
  t.is(enc.value.attrs.length % 4, 0);
  t.is(enc.value.attrs.readUInt16LE(0), enc.value.attrs.length);
});

test('encode errors are values: bad address, long scheduler name', (t) => {
  t.deepEqual(encodeRequest({ cmd: 'NEW_SERVICE', service: { ...WEB, addr: '192.0.2.300' } }), { ok: false, error: { reason: 'bad-address', detail: '192.0.2.300' } });
  t.deepEqual(encodeRequest({ cmd: 'NEW_SERVICE', service: { ...WEB, sched: 'x'.repeat(16) } }), { ok: false, error: { reason: 'name-too-long', detail: 'x'.repeat(16) } });
  t.deepEqual(encodeRequest({ cmd: 'NEW_DEST', service: WEB, dest: { ...RS2, addr: '::1' } }), { ok: false, error: { reason: 'bad-address', detail: '::1' } });
});

test('addresses print as glibc inet_ntop does', (t) => {
  const cases: Array<[2 | 10, string, string]> = [
    [10, '2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
    [10, '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    [10, '0:0:0:0:0:0:0:1', '::1'],
    [10, '::', '::'],
    [10, '::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    [10, '::1.2.3.4', '::1.2.3.4'],
    [10, '64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    [10, '2001:db8::', '2001:db8::'],
    [10, '1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    [2, '10.0.0.1', '10.0.0.1'],
  ];
  for (const [af, input, want] of cases) t.is(canonicalAddr(af, input), want, input);
  for (const bad of ['1::2::3', '1.2.3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', '1.2.3.256']) t.is(canonicalAddr(10, bad), undefined, bad);
});

test('KernelError messages name the object', (t) => {
  const op = { op: 'add-dest', service: svcId(WEB), dest: dest({ addr: '10.0.0.2', port: 80 }) } as const;
  const d = describeOp({ ...op, service: { ...svcId(WEB), addr: '192.0.2.10' } });
  const e = ipvsError({ cmd: d.cmd, errno: 3, op: d.op, target: d.target });
  t.is(e.message, 'add real server 10.0.0.2:80 to TCP 192.0.2.10:80: no such virtual service (ESRCH)');
  t.is(e.errno, 3);
  t.is(e.code, 'ESRCH');
  const f = describeOp({ op: 'add-service', service: { ...FWM, sched: 'nope' } });
  t.is(ipvsError({ cmd: f.cmd, errno: 2, op: f.op, target: f.target }).message,
    'add virtual service FWM 100 IPv6: scheduler or persistence engine not found (ENOENT)');
});

// ---------------------------------------------------------------- properties ---------

const arbAf = fc.constantFrom<2 | 10>(2, 10);
const arbAddr = (af: 2 | 10): fc.Arbitrary<string> =>
  af === 2
    ? fc.ipV4().map((a) => canonicalAddr(2, a) ?? '0.0.0.0')
    : fc.ipV6().map((a) => canonicalAddr(10, a) ?? '::');
const arbService: fc.Arbitrary<IpvsService> = arbAf.chain((af) => fc.record({
  af: fc.constant(af),
  fwmark: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
  protocol: fc.constantFrom(6, 17, 132),
  addr: arbAddr(af),
  port: fc.integer({ min: 0, max: 65535 }),
  sched: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'),
  flags: fc.integer({ min: 0, max: 0x3d }).map((f) => f & ~2),
  timeout: fc.nat(),
  netmask: af === 2 ? fc.integer({ min: 0, max: 0xffffffff }) : fc.integer({ min: 1, max: 128 }),
  pe: fc.option(fc.constant('sip'), { nil: undefined }),
})).map((s) => {
  const { pe, ...rest } = s;
  const id = s.fwmark ? { protocol: 0, addr: '', port: 0 } : {};
  return { ...rest, ...id, ...(pe ? { pe } : {}) };
});
const arbDest = (svcAf: 2 | 10): fc.Arbitrary<IpvsDest> => fc.constantFrom<2 | 10>(svcAf, 2, 10).chain((af) => fc.record({
  af: fc.constant(af), addr: arbAddr(af), port: fc.integer({ min: 0, max: 65535 }),
  fwd: fc.integer({ min: 0, max: 4 }), weight: fc.integer({ min: 0, max: 0x7fffffff }),
  uThresh: fc.nat(), lThresh: fc.nat(), tunType: fc.integer({ min: 0, max: 2 }),
  tunPort: fc.integer({ min: 0, max: 65535 }), tunFlags: fc.integer({ min: 0, max: 2 }),
}));

test('property: decode(encode(request)) is the request', (t) => {
  fc.assert(fc.property(arbService, fc.boolean(), (svc, set) => {
    const req: IpvsRequest = { cmd: set ? 'SET_SERVICE' : 'NEW_SERVICE', service: svc };
    const enc = encodeRequest(req);
    if (!enc.ok) return false;
    t.deepEqual(decodeRequest(enc.value.cmd, enc.value.attrs), { ok: true, value: req });
    return true;
  }), { numRuns: 300 });
  fc.assert(fc.property(arbService.chain((s) => fc.tuple(fc.constant(s), arbDest(s.af))), ([svc, d]) => {
    const req: IpvsRequest = { cmd: 'NEW_DEST', service: svcId(svc), dest: d };
    const enc = encodeRequest(req);
    if (!enc.ok) return false;
    t.deepEqual(decodeRequest(enc.value.cmd, enc.value.attrs), { ok: true, value: req });
    return true;
  }), { numRuns: 300 });
});

test('property: decoders never throw, on random bytes or mutated vectors', (t) => {
  const all = (b: Buffer): void => {
    decodeService(b); decodeDest(b, 2); decodeDest(b, 10); decodeDaemon(b); decodeInfo(b); decodeTimeouts(b);
    for (let cmd = 0; cmd < 20; cmd++) decodeRequest(cmd, b);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (u) => { all(Buffer.from(u)); }), { numRuns: 2000 });
  const vs = VECTORS.map((v) => Buffer.from(v.hex, 'hex').subarray(4));
  fc.assert(fc.property(fc.integer({ min: 0, max: vs.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (i, flips, cut) => {
    const b = Buffer.from(vs[i] ?? Buffer.alloc(0));
    for (const [pos, val] of flips) if (b.length) b[pos % b.length] = val;
    const m = b.subarray(0, b.length ? cut % (b.length + 1) : 0);
    all(m);
    const inner = topNest(m, CmdAttr.SERVICE);
    if (inner.ok) all(inner.value);
  }), { numRuns: 3000 });
  t.pass();
});

test('stats: STATS64 preferred, the 32-bit STATS nest as fallback, PAD skipped', async (t) => {
  const { AttrWriter } = await import('./family-writer.js');
  const w = new AttrWriter();
  w.u16(11, 2); // ADDR_FAMILY
  w.bytes(1, Buffer.from([10, 0, 0, 1, ...new Array<number>(12).fill(0)]));
  w.u16be(2, 80);
  w.nest(10, () => { // STATS: conns/pkts/rates u32, bytes u64
    w.u32(1, 7); w.u32(2, 8); w.u32(3, 9);
    w.bytes(11, Buffer.alloc(0)); // PAD
    w.bytes(4, Buffer.from([1, 0, 0, 0, 1, 0, 0, 0])); w.bytes(5, Buffer.alloc(8));
    w.u32(6, 1); w.u32(7, 2); w.u32(8, 3); w.u32(9, 4); w.u32(10, 5);
  });
  const only32 = decodeDest(w.finish(), 2);
  t.like(only32, { ok: true, value: { addr: '10.0.0.1', port: 80, stats: { conns: 7n, inPkts: 8n, outPkts: 9n, inBytes: 0x100000001n, cps: 1n, outBps: 5n } } });
  w.nest(12, () => { w.bytes(1, Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])); }); // STATS64 wins
  const both = decodeDest(w.finish(), 2);
  t.like(both, { ok: true, value: { stats: { conns: 0x100000000n, inPkts: 0n } } });
});
