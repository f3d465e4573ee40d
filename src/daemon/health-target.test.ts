import test from 'ava';
import { findReal, parseHostPort } from './health-target.js';
import { real, service } from '../../test/fixtures/health-model.js';
import type { VirtualService } from '../model/index.js';

const v6: VirtualService = { ...service(443, [real('2001:db8::2', { port: 443 })]), key: { kind: 'addr', family: 6, protocol: 'tcp', address: '2001:db8::1', port: 443 } };
const udp: VirtualService = { ...service(80, [real('10.0.0.5')]), key: { kind: 'addr', family: 4, protocol: 'udp', address: '192.0.2.10', port: 80 } };
const fwm: VirtualService = { ...service(0, [real('10.0.0.7', { port: 0 })]), key: { kind: 'fwmark', family: 4, fwmark: 7 } };
const tcp = service(80, [real('10.0.0.1'), real('10.0.0.1', { port: 8080 }), real('10.0.0.2')], { sorry: { server: real('10.0.0.99'), inhibit: false } });
const ALL = [tcp, udp, v6, fwm];

test('host:port forms: IPv4, bracketed IPv6 (canonicalised), bare addresses', (t) => {
  t.deepEqual(parseHostPort('10.0.0.1:80'), { address: '10.0.0.1', family: 4, port: 80 });
  t.deepEqual(parseHostPort('[2001:db8:0::2]:443'), { address: '2001:db8::2', family: 6, port: 443 });
  t.deepEqual(parseHostPort('2001:db8::2'), { address: '2001:db8::2', family: 6 });
  t.deepEqual(parseHostPort('10.0.0.1'), { address: '10.0.0.1', family: 4 });
  t.is(parseHostPort('10.0.0.1:99999'), undefined);
  t.is(parseHostPort('web1:80'), undefined);
});

test('services by VIP:PORT, "TCP VIP:PORT", [V6]:PORT and FWM N; real servers by RIP:PORT or a unique address', (t) => {
  t.like(findReal(ALL, 'TCP 192.0.2.10:80', '10.0.0.2:80'), { ok: true, value: { service: 'TCP 192.0.2.10:80', real: '10.0.0.2:80', key: 'TCP 192.0.2.10:80|10.0.0.2:80' } });
  t.like(findReal(ALL, 'udp:192.0.2.10:80', '10.0.0.5'), { ok: true, value: { service: 'UDP 192.0.2.10:80', real: '10.0.0.5:80' } });
  t.like(findReal(ALL, '[2001:db8::1]:443', '[2001:db8::2]:443'), { ok: true, value: { service: 'TCP [2001:db8::1]:443', real: '[2001:db8::2]:443' } });
  t.like(findReal(ALL, 'FWM 7', '10.0.0.7'), { ok: true, value: { service: 'FWM 7', real: '10.0.0.7:0' } });
  t.like(findReal(ALL, 'fwm:7', '10.0.0.7:0'), { ok: true, value: { service: 'FWM 7' } });
  t.like(findReal(ALL, 'TCP 192.0.2.10:80', '10.0.0.99:80'), { ok: true, value: { sorry: true } });
});

test('errors name what is missing or ambiguous', (t) => {
  t.deepEqual(findReal(ALL, '192.0.2.10:80', '10.0.0.2:80'), { ok: false, error: { code: 'EINVAL', message: '192.0.2.10:80 names 2 virtual services (TCP 192.0.2.10:80, UDP 192.0.2.10:80): give the protocol, e.g. "TCP 192.0.2.10:80"' } });
  t.deepEqual(findReal(ALL, 'TCP 192.0.2.10:80', '10.0.0.9:80'), { ok: false, error: { code: 'ENOENT', message: 'no real server 10.0.0.9:80 in TCP 192.0.2.10:80' } });
  t.deepEqual(findReal(ALL, 'TCP 192.0.2.10:80', '10.0.0.1'), { ok: false, error: { code: 'EINVAL', message: '10.0.0.1 names 2 real servers of TCP 192.0.2.10:80 (10.0.0.1:80, 10.0.0.1:8080): give the port' } });
  t.deepEqual(findReal(ALL, '192.0.2.11:80', '10.0.0.1:80'), { ok: false, error: { code: 'ENOENT', message: 'no virtual service 192.0.2.11:80 in the running configuration' } });
  t.like(findReal(ALL, 'FWM 8', '10.0.0.7'), { ok: false, error: { code: 'ENOENT' } });
  t.like(findReal(ALL, 'www:80', '10.0.0.1:80'), { ok: false, error: { code: 'EINVAL' } });
  t.like(findReal(ALL, 'TCP 192.0.2.10:80', 'rs1'), { ok: false, error: { code: 'EINVAL' } });
});
