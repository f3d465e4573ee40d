import test from 'ava';
import type { Config, RealServer, VirtualService, VrrpInstance } from './types.js';
import { validateConfig } from './validate.js';

const at = (line: number) => ({ file: 'm', line, col: 1 });

const instance: VrrpInstance = {
  name: 'VI_1', at: at(1), version: 3, family: 4, interface: 'eth0', vrid: 51, priority: 100, advertIntervalCs: 5,
  initialState: 'BACKUP', preempt: true, preemptDelayMs: 0, vips: [{ address: '192.0.2.10', family: 4, prefix: 24, at: at(2) }],
  unicastPeers: [], trackInterfaces: [], notify: { timeoutMs: 10_000 },
  garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, refreshRepeat: 1, intervalMs: 0 }, v3Checksum: 'rfc9568',
};
const real: RealServer = { at: at(11), family: 4, address: '10.0.0.1', port: 80, forward: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 };
const service: VirtualService = {
  at: at(10), key: { kind: 'addr', family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 }, scheduler: 'wlc', schedFlags: [], onePacket: false, reals: [real],
};
const base: Config = {
  path: 'm', format: 'native', routerId: 'a', vrrp: [instance], syncGroups: [], services: [service],
  ipvs: { backend: 'auto', ownWholeTable: false, cleanStop: false },
};

const messages = (c: Config): string[] => validateConfig(c).map((d) => `${d.at.line}: ${d.message}`);

test('a well-formed model has no problems, and neither has one without VRRP', (t) => {
  t.deepEqual(messages(base), []);
  t.deepEqual(messages({ ...base, vrrp: [] }), []);
});

test('ranges are checked on the model too (for front-ends that do not)', (t) => {
  const c: Config = { ...base, vrrp: [{ ...instance, vrid: 0, priority: 256, advertIntervalCs: 4096 }] };
  t.deepEqual(messages(c), [
    '1: expected a virtual_router_id between 1 and 255, got "0"',
    '1: expected a priority between 1 and 255, got "256"',
    '1: expected a VRRPv3 advert interval between 0.01 and 40.95 s, got 40.96 s',
  ]);
});

test('an unknown scheduler or forwarding method and a bad weight are rejected', (t) => {
  const c: Config = { ...base, services: [{ ...service, scheduler: 'fastest', reals: [{ ...real, forward: 'nat' as RealServer['forward'], weight: 65536 }] }] };
  t.deepEqual(messages(c), [
    '10: expected a scheduler (rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos), got "fastest"',
    '11: expected a forwarding method (route masq tunnel), got "nat"',
    '11: expected a weight between 0 and 65535, got 65536',
  ]);
});

test('a fwmark service lets route real servers keep their own port', (t) => {
  const fw: VirtualService = { ...service, key: { kind: 'fwmark', family: 4, fwmark: 1 }, reals: [{ ...real, port: 8080 }] };
  t.deepEqual(messages({ ...base, services: [fw] }), []);
  t.deepEqual(messages({ ...base, services: [{ ...fw, key: { kind: 'fwmark', family: 4, fwmark: 2 ** 32 } }] }), ['10: expected a fwmark between 1 and 4294967295, got 4294967296']);
});

test('the same VRID may be reused on another interface, family or by disjoint unicast pairs', (t) => {
  const other = { ...instance, name: 'VI_2', at: at(5) };
  t.is(messages({ ...base, vrrp: [instance, other] }).length, 1);
  t.deepEqual(messages({ ...base, vrrp: [instance, { ...other, interface: 'eth1' }] }), []);
  const uni = (peer: string, name: string): VrrpInstance => ({ ...instance, name, unicastSrc: '10.0.0.9', unicastPeers: [peer] });
  t.deepEqual(messages({ ...base, vrrp: [uni('10.0.0.1', 'A'), uni('10.0.0.2', 'B')] }), []);
});

test('health checks and tracking are validated on the model: ranges and names defined in Config.tracking', (t) => {
  const timing = { intervalMs: 0, timeoutMs: 1000, retries: -1, retryDelayMs: 0, warmupMs: 0, rise: 1, fall: 0 };
  const checks = [
    { at: at(12), probe: { kind: 'file' as const, track: 'nope', weight: 1, reverse: false }, target: {}, timing: { ...timing, intervalMs: 1, retries: 0, fall: 1 }, startDown: false },
    { at: at(13), probe: { kind: 'http' as const, tls: false, method: 'GET' as const, urls: [{ path: '/', status: [[99, 200]] as Array<[number, number]>, regex: '(?i)x' }], sni: false, httpVersion: '1.0' as const, fastRecovery: false }, target: { port: 0 }, timing, startDown: false },
  ];
  const c: Config = {
    ...base,
    vrrp: [{ ...instance, tracks: [{ kind: 'script', name: 'chk', at: at(3), weight: 300 }] }],
    services: [{ ...service, reals: [{ ...real, health: { checks, inhibitOnFailure: false, startDown: false } }], health: { quorum: -1, hysteresis: 0, omega: false, haSuspend: false } }],
  };
  t.deepEqual(messages(c), [
    '3: expected a tracked script named "chk" for vrrp instance VI_1, got none defined',
    '3: expected a tracking weight between -254 and 254, got 300',
    '10: expected a quorum and hysteresis ≥ 0, got -1 and 0',
    '12: expected a tracked file named "nope" for the file check, got none defined',
    '13: expected a positive check interval and timeout, got 0 ms and 1000 ms',
    '13: expected retries ≥ 0 and non-negative retry delay and warmup, got -1, 0 ms, 0 ms',
    '13: expected rise and fall of at least 1, got 1 and 0',
    '13: expected HTTP status ranges within 100-599 for /, got [[99,200]]',
    '13: expected a JavaScript regular expression for /, got "(?i)x"',
    '13: expected a check port between 1 and 65535, got 0',
  ]);
});
