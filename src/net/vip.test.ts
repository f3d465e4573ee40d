import test from 'ava';
import { describeVip, vipProblem, type VipSpec } from './vip.js';

const base: VipSpec = { address: '192.0.2.10', family: 4, prefix: 32, dev: 'eth0' };

test('a plain IPv4 or IPv6 VIP, and an IPv4 one with a DEV:N label, are fine', (t) => {
  t.is(vipProblem(base), undefined);
  t.is(vipProblem({ ...base, label: 'eth0:0' }), undefined);
  t.is(vipProblem({ ...base, label: 'eth0' }), undefined);
  t.is(vipProblem({ address: '2001:db8::1', family: 6, prefix: 128, dev: 'eth0' }), undefined);
});

test('each bad field is named', (t) => {
  t.regex(vipProblem({ ...base, address: '2001:db8::1' }) ?? '', /not an IPv4 address/);
  t.regex(vipProblem({ ...base, prefix: 33 }) ?? '', /prefix must be 0-32/);
  t.regex(vipProblem({ ...base, family: 6, address: '::1', prefix: 129 }) ?? '', /prefix must be 0-128/);
  t.regex(vipProblem({ ...base, label: 'eth1:0' }) ?? '', /must be "eth0" or start with "eth0:"/);
  t.regex(vipProblem({ ...base, label: 'eth00' }) ?? '', /must be "eth0"/);
  t.regex(vipProblem({ ...base, label: 'eth0:0123456789a' }) ?? '', /longer than 15 bytes/);
  t.regex(vipProblem({ address: '::1', family: 6, prefix: 128, dev: 'eth0', label: 'eth0:1' }) ?? '', /IPv4 addresses only/);
  t.regex(vipProblem({ ...base, dev: '' }) ?? '', /bad device name/);
});

test('describeVip reads like ip addr arguments', (t) => {
  t.is(describeVip({ ...base, label: 'eth0:1' }), '192.0.2.10/32 dev eth0 label eth0:1');
  t.is(describeVip(base), '192.0.2.10/32 dev eth0');
});
