import test from 'ava';
import { formatDiagnostic } from '../model/index.js';
import { loadConfig } from './load.js';

const noInclude = (): string => { throw Object.assign(new Error('no'), { code: 'ENOENT' }); };
const errorsOf = (text: string, path = 'k.conf'): string[] => {
  const r = loadConfig({ path, text, readFile: noInclude, hostname: 'lb1' });
  return r.ok ? [] : r.error.map(formatDiagnostic);
};

const KEEPALIVED = `vrrp_instance A {
  interface eth0
  virtual_router_id 51
  priorty 100
  virtual_ipaddress {
    10.0.0.1
  }
}
vrrp_instance B {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.2
  }
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_kind DR
  real_server 10.0.1.1 80 {
  }
  real_server 10.0.1.1 80 {
  }
}
`;

test('keepalived.conf: a keyword error and the model\'s errors come out in one pass', (t) => {
  t.deepEqual(errorsOf(KEEPALIVED), [
    'k.conf:4:3: unknown keyword "priorty" in vrrp_instance A (did you mean "priority"?)',
    'k.conf:9:1: expected a unique virtual_router_id per interface and family, got 51 on eth0 (IPv4) again (first in A at k.conf:1:1)',
    'k.conf:21:3: expected each real server once in TCP 10.0.0.1:80, got 10.0.1.1:80 again (first at k.conf:19:3)',
  ]);
  // Fixed keyword: the model's errors remain, nothing else.
  t.deepEqual(errorsOf(KEEPALIVED.replace('priorty', 'priority')).length, 2);
});

test('what validation says at the header of a block with its own error is left out (it may be the echo)', (t) => {
  const native = `vrrp v1 {
  interface eth0
  vrid 7
  version 2
  advert-interval 50ms
  bogus 1
  vip 10.0.0.1/24
}
`;
  const errors = errorsOf(native, 'lvsd.conf');
  t.true(errors.some((e) => e.startsWith('lvsd.conf:6:3: ')), errors.join('\n'));
  t.false(errors.some((e) => e.startsWith('lvsd.conf:1:1: ')), errors.join('\n'));
  // Without the keyword error, the same block's own problem is reported at its header.
  t.true(errorsOf(native.replace('  bogus 1\n', ''), 'lvsd.conf').some((e) => e.startsWith('lvsd.conf:1:1: expected a VRRPv2 advert interval')));
});
