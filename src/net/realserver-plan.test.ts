/** What a real server needs, per address family, and the VIPs it must refuse. */
import test from 'ava';
import { familiesOf, parseVipList, sysctlChanges, vipConflicts, wantedSysctls } from './realserver-plan.js';

test('IPv4 VIPs need the ARP sysctls on all and the device; IPv6 VIPs only IPv6 enabled on the device', (t) => {
  t.deepEqual(wantedSysctls('lo', new Set([4])), {
    'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2',
    'net.ipv4.conf.lo.arp_ignore': '1', 'net.ipv4.conf.lo.arp_announce': '2',
  });
  t.deepEqual(wantedSysctls('lo', new Set([6])), { 'net.ipv6.conf.lo.disable_ipv6': '0' });
  t.is(Object.keys(wantedSysctls('lo', new Set([4, 6]))).length, 5);
  t.deepEqual(familiesOf(['192.0.2.1', '2001:db8::1', 'junk']), new Set([4, 6]));
});

test('only keys that exist and differ change', (t) => {
  t.deepEqual(sysctlChanges({ a: '0', b: '1' }, { a: '1', b: '1', c: '1' }), [{ key: 'a', from: '0', to: '1' }]);
});

test('a VIP that is a real address on another interface is refused; on the VIP device it is fine', (t) => {
  const present = [{ address: '198.51.100.4', dev: 'eth0' }, { address: '192.0.2.10', dev: 'lo' }, { address: '2001:db8::4', dev: 'eth0' }];
  t.deepEqual(vipConflicts(['192.0.2.10', '198.51.100.4', '2001:db8::4'], present, 'lo'), [
    '198.51.100.4 is already an address of this host on eth0; a real server holds its VIPs on lo only',
    '2001:db8::4 is already an address of this host on eth0; a real server holds its VIPs on lo only',
  ]);
});

test('--vip list: canonical addresses, bad entries named', (t) => {
  t.deepEqual(parseVipList('192.0.2.10, 2001:DB8:0::10'), { vips: [{ address: '192.0.2.10', family: 4 }, { address: '2001:db8::10', family: 6 }], problems: [] });
  t.deepEqual(parseVipList('192.0.2.300').problems, ['--vip: expected an IPv4 or IPv6 address, got "192.0.2.300"']);
  t.deepEqual(parseVipList('').problems, ['--vip: expected at least one address']);
});
