import test from 'ava';
import type { VrrpInstanceStatus } from '../../control/index.js';
import { formatVrrp } from './vrrp.js';

const base: VrrpInstanceStatus = {
  name: 'VI_1', state: 'BACKUP', priority: { configured: 100, effective: 80 }, masterAddress: '198.51.100.2', advertIntervalCs: 100,
  family: 4, version: 2, interface: 'eth0', vrid: 51, masterAdverIntervalCs: 100, advertsSent: 0, advertsReceived: 7, becameMaster: 0,
  garpsSent: 0, staleTimerDeferrals: 0, drops: {}, checksumForms: {}, lastTransition: null,
};

test('configured vs effective priority, the fault reason and each tracked object', (t) => {
  const text = formatVrrp([{
    ...base, state: 'FAULT', faultReason: 'process nginx down',
    tracks: [
      { kind: 'script', name: 'chk', weight: -20, reverse: false, state: 'down', delta: -20, fault: null },
      { kind: 'file', name: 'prio', weight: 2, reverse: true, state: '-3', delta: 6, fault: null },
      { kind: 'process', name: 'nginx', weight: 0, reverse: false, state: 'down', delta: 0, fault: 'process nginx down' },
    ],
  }]);
  t.is(text, [
    'VI_1: FAULT  vrid 51 on eth0 (VRRPv2, IPv4)',
    '  priority 80 (configured 100)  advert 1000 ms  master 198.51.100.2',
    '  fault: process nginx down',
    '  track script chk: down, weight -20, -20',
    '  track file prio: -3, weight 2 reverse, +6',
    '  track process nginx: down, weight 0, FAULT',
    '  adverts sent 0 received 7  became master 0  gratuitous ARP/NA 0',
    '  drops none',
    '  last transition -',
    '',
  ].join('\n'));
});

test('without tracking nothing extra is shown', (t) => {
  t.false(formatVrrp([{ ...base, priority: { configured: 100, effective: 100 } }]).includes('track'));
});

test('drops are shown by reason, transport-level reasons included', (t) => {
  t.regex(formatVrrp([{ ...base, drops: { ip_header: 2, ttl: 1 } }]), /^ {2}drops ip_header 2, ttl 1$/m);
  t.regex(formatVrrp([base]), /^ {2}drops none$/m);
});
