import test from 'ava';
import { desiredTable } from './desired.js';
import { reconcile } from './reconcile.js';
import {
  AF_INET, AF_INET6, FWD_DROUTE, FWD_MASQ, FWD_TUNNEL, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED1,
  SVC_F_SCHED2, TUN_F_REMCSUM, TUN_TYPE_GUE,
} from './types.js';
import type { RealServer, VirtualService } from '../model/index.js';

const at = { file: 't.conf', line: 1 };
function rs(address: string, p: Partial<RealServer> = {}): RealServer {
  return { at, family: address.includes(':') ? 6 : 4, address, port: 8080, forward: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...p };
}
function vs(p: Partial<VirtualService>): VirtualService {
  return { at, key: { kind: 'addr', family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 }, scheduler: 'wlc', schedFlags: [], onePacket: false, reals: [], ...p };
}

test('route/tunnel dests take the service port; masq keeps its own; fwmark keeps the given port', (t) => {
  const [a, f] = desiredTable([
    vs({ reals: [rs('10.0.0.1'), rs('10.0.0.2', { forward: 'masq' }), rs('10.0.0.3', { forward: 'tunnel', tunnel: { type: 'ipip' } })] }),
    vs({ key: { kind: 'fwmark', family: 4, fwmark: 9 }, reals: [rs('10.0.0.1', { port: 0 })] }),
  ]);
  t.deepEqual(a?.dests.map((d) => `${d.addr}:${d.port}/${d.fwd}`), [`10.0.0.1:80/${FWD_DROUTE}`, `10.0.0.2:8080/${FWD_MASQ}`, `10.0.0.3:80/${FWD_TUNNEL}`]);
  t.deepEqual(f?.service, { af: AF_INET, protocol: 0, addr: '', port: 0, fwmark: 9, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff });
  t.is(f?.dests[0]?.port, 0);
});

test('flags, persistence netmask encoding, pe, one-packet', (t) => {
  const [v4, v6] = desiredTable([
    vs({ key: { kind: 'addr', family: 4, protocol: 'udp', address: '192.0.2.10', port: 53 }, scheduler: 'mh', schedFlags: ['mh-fallback', 'mh-port'], onePacket: true, persistence: { timeoutS: 300, netmask: '255.255.255.0' }, pe: 'sip' }),
    vs({ key: { kind: 'addr', family: 6, protocol: 'tcp', address: '2001:DB8:0::10', port: 80 }, persistence: { timeoutS: 60, netmask: 64 } }),
  ]);
  t.is(v4?.service.protocol, IPPROTO_UDP);
  t.is(v4?.service.flags, SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_PERSISTENT | SVC_F_ONEPACKET);
  t.is(v4?.service.netmask, 0xffffff00);
  t.is(v4?.service.pe, 'sip');
  t.is(v6?.service.af, AF_INET6);
  t.is(v6?.service.addr, '2001:db8::10');
  t.is(v6?.service.netmask, 64);
  t.is(v6?.service.timeout, 60);
});

test('tunnel settings map to type, port and checksum flags', (t) => {
  const [s] = desiredTable([vs({ reals: [rs('10.0.0.1', { forward: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } })] })]);
  const d = s?.dests[0];
  t.deepEqual([d?.tunType, d?.tunPort, d?.tunFlags], [TUN_TYPE_GUE, 6080, TUN_F_REMCSUM]);
});

test('dests come out in canonical order (family, address bytes, port), duplicates collapse', (t) => {
  const [s] = desiredTable([vs({ reals: [rs('10.0.0.10', { forward: 'masq' }), rs('10.0.0.9', { forward: 'masq' }), rs('2001:db8::1', { forward: 'tunnel', tunnel: { type: 'ipip' } }), rs('10.0.0.9', { forward: 'masq', port: 8000 }), rs('10.0.0.10', { forward: 'masq', weight: 7 })] })]);
  t.deepEqual(s?.dests.map((d) => `${d.addr}:${d.port}`), ['10.0.0.9:8000', '10.0.0.9:8080', '10.0.0.10:8080', '2001:db8::1:80']);
  t.is(s?.dests[2]?.weight, 1);
});

test('desired table programmed from empty, then reconciled against itself, needs nothing', (t) => {
  const want = desiredTable([vs({ reals: [rs('10.0.0.1'), rs('10.0.0.2')] })]);
  t.is(reconcile(want, []).length, 3);
  t.deepEqual(reconcile(want, want), []);
});
