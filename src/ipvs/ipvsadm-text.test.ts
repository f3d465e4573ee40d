import test from 'ava';
import fc from 'fast-check';
import { canonicalAddr } from './address.js';
import { errnoNameOfMessage, mergeListings, parseDaemons, parseInfo, parseListing, parseTimeouts } from './ipvsadm-listing.js';
import { opArgs, parseSave } from './ipvsadm-text.js';
import type { IpvsDest, IpvsService, IpvsServiceWithDests } from './types.js';

/** `ipvsadm -S -n` printed by ipvsadm 1.31 in the lab after the smoke test's table was programmed. */
const SAVE = `-A -t 192.0.2.10:80 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port
-a -t 192.0.2.10:80 -r 127.0.0.2:80 -g -w 5
-a -t 192.0.2.10:80 -r 127.0.0.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-A -u [2001:db8::100]:53 -s mh -o -b mh-fallback
-A -f 100 -6 -s rr -p 60 -M 64
`;
/** `ipvsadm -L -n --thresholds` for the same table (lab). */
const THRESHOLDS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
  -> RemoteAddress:Port
TCP  192.0.2.10:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0
  -> 127.0.0.2:80                 100        10         3          4         
  -> 127.0.0.3:80                 0          0          0          0         
UDP  [2001:db8::100]:53 mh (mh-fallback) ops
FWM  100 IPv6 rr persistent 60 mask 64
`;

const base = { af: 2 as const, fwd: 3, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 };

test('parseSave reads ipvsadm -S -n', (t) => {
  const r = parseSave(SAVE);
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(r.value, [
    {
      service: { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'sh', flags: 0x19, timeout: 300, netmask: 0xffffff00 },
      dests: [
        { ...base, addr: '127.0.0.2', port: 80, weight: 5 },
        { ...base, addr: '127.0.0.3', port: 80, fwd: 2, tunType: 1, tunPort: 6080, tunFlags: 1 },
      ],
    },
    { service: { af: 10, protocol: 17, addr: '2001:db8::100', port: 53, fwmark: 0, sched: 'mh', flags: 0x0c, timeout: 0, netmask: 128 }, dests: [] },
    { service: { af: 10, protocol: 0, addr: '', port: 0, fwmark: 100, sched: 'rr', flags: 0x01, timeout: 60, netmask: 64 }, dests: [] },
  ]);
});

test('mergeListings takes thresholds and connection counts from --thresholds', (t) => {
  const r = parseSave(SAVE);
  if (!r.ok) return t.fail(r.error);
  const empty = new Map<string, string[]>();
  const merged = mergeListings(r.value, { thresholds: parseListing(THRESHOLDS), persistent: empty, stats: empty, rates: empty });
  const d = merged[0]?.dests[0];
  t.like(d, { uThresh: 100, lThresh: 10, activeConns: 3, inactConns: 4 });
  t.like(merged[0]?.dests[1], { uThresh: 0, lThresh: 0 });
});

test('other listings: timeouts, daemons, info, error messages', (t) => {
  t.deepEqual(parseTimeouts('Timeout (tcp tcpfin udp): 900 120 300\n'), { tcp: 900, tcpFin: 120, udp: 300 });
  t.deepEqual(parseDaemons('master sync daemon (mcast=lo, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\nbackup sync daemon (mcast=eth1, syncid=0)\n'), [
    { state: 'master', mcastIfn: 'lo', syncId: 7, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 },
    { state: 'backup', mcastIfn: 'eth1', syncId: 0 },
  ]);
  t.deepEqual(parseInfo('IP Virtual Server version 1.2.1 (size=4096)\n'), { version: 0x010201, connTabSize: 4096 });
  t.is(errnoNameOfMessage('Service not defined'), 'ESRCH');
  t.is(errnoNameOfMessage('Invalid operation.  Possibly wrong module version, address not unicast, ...'), 'EINVAL');
  t.is(errnoNameOfMessage('something else'), undefined);
});

const arbService: fc.Arbitrary<IpvsService> = fc.record({
  af: fc.constantFrom<2 | 10>(2, 10), fw: fc.boolean(), mark: fc.integer({ min: 1, max: 0x7fffffff }),
  protocol: fc.constantFrom(6, 17, 132), port: fc.integer({ min: 1, max: 65535 }), a: fc.integer({ min: 1, max: 250 }),
  sched: fc.constantFrom('rr', 'wlc', 'sh', 'mh', 'lblc'), persistent: fc.boolean(), timeout: fc.integer({ min: 1, max: 100000 }),
  prefix: fc.integer({ min: 1, max: 128 }), m4: fc.integer({ min: 1, max: 32 }), ops: fc.boolean(), sf: fc.integer({ min: 0, max: 7 }),
}).map((r) => {
  const addr = r.af === 2 ? `10.1.2.${r.a}` : canonicalAddr(10, `2001:db8::${r.a.toString(16)}`) ?? '';
  const netmask = r.persistent ? (r.af === 2 ? (0xffffffff << (32 - r.m4)) >>> 0 : r.prefix) : r.af === 2 ? 0xffffffff : 128;
  const id = r.fw ? { protocol: 0, addr: '', port: 0, fwmark: r.mark } : { protocol: r.protocol, addr, port: r.port, fwmark: 0 };
  return {
    af: r.af, ...id, sched: r.sched, timeout: r.persistent ? r.timeout : 0, netmask,
    flags: (r.persistent ? 1 : 0) | (r.ops ? 4 : 0) | (r.sf << 3),
  };
});

test('property: ipvsadm lines built by opArgs parse back (as -R reads what -S writes)', (t) => {
  fc.assert(fc.property(arbService, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 65535 }), (svc, kind, w) => {
    const fwd = [0, 2, 3][kind] ?? 3;
    const dest: IpvsDest = { ...base, af: svc.af, addr: svc.af === 2 ? '127.0.0.9' : '::1', port: svc.fwmark || fwd === 0 ? 8080 : svc.port, fwd, weight: w };
    const a = opArgs({ op: 'add-service', service: svc });
    const b = opArgs({ op: 'add-dest', service: svc, dest });
    if (!a.ok || !b.ok) return false;
    const parsed = parseSave(`${a.value.join(' ')}\n${b.value.join(' ')}\n`);
    const want: IpvsServiceWithDests[] = [{ service: svc, dests: [dest] }];
    t.deepEqual(parsed, { ok: true, value: want });
    return true;
  }), { numRuns: 300 });
});
