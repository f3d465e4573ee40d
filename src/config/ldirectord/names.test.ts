import test from 'ava';
import { inetAton, nameServiceFromFiles, resolveHost, resolvePort } from './names.js';

const ns = nameServiceFromFiles({
  hosts: '# comment\n10.0.0.11 sql01 SQL-One\n10.0.0.12 sql01\n2001:db8::1 sql01 v6only\nbad-line\n',
  services: 'http 80/tcp www\ndomain 53/tcp\ndomain 53/udp\nradius 1812/udp\n',
});

test('numeric IPv4 text is read the inet_aton way, as glibc getaddrinfo reads it for ldirectord', (t) => {
  t.is(inetAton('5060'), '0.0.19.196'); // ldirectord's own SIP sample real=192.168.6.2::5060 ends up here
  t.is(inetAton('10.1'), '10.0.0.1');
  t.is(inetAton('10.1.2'), '10.1.0.2');
  t.is(inetAton('010.0.0.1'), '8.0.0.1');
  t.is(inetAton('0x7f.1'), '127.0.0.1');
  t.is(inetAton('4294967295'), '255.255.255.255');
  t.is(inetAton('4294967296'), undefined);
  t.is(inetAton('1.2.3.400'), undefined);
  t.is(inetAton('1.2.3.4.5'), undefined);
  t.is(inetAton('08'), undefined);
  t.is(inetAton('1..2'), undefined);
  t.is(inetAton('sql01'), undefined);
});

test('host names resolve in the block family, first address wins, brackets are stripped', (t) => {
  t.is(resolveHost(ns, 'sql01', 4), '10.0.0.11');
  t.is(resolveHost(ns, 'sql-one', 4), '10.0.0.11');
  t.is(resolveHost(ns, 'sql01', 6), '2001:db8::1');
  t.is(resolveHost(ns, 'v6only', 4), undefined);
  t.is(resolveHost(ns, '[2001:DB8:0::1]', 6), '2001:db8::1');
  t.is(resolveHost(ns, '10.0.0.1', 6), undefined);
  t.is(resolveHost(ns, '::1', 4), undefined);
  t.is(resolveHost(ns, 'nosuch', 4), undefined);
});

test('ports: digits up to 65535 as they are, names per protocol ("" = any)', (t) => {
  t.is(resolvePort(ns, '0', 'tcp'), 0);
  t.is(resolvePort(ns, '65535', 'tcp'), 65535);
  t.is(resolvePort(ns, '65536', 'tcp'), undefined);
  t.is(resolvePort(ns, 'www', 'tcp'), 80);
  t.is(resolvePort(ns, 'http', 'udp'), undefined);
  t.is(resolvePort(ns, 'radius', ''), 1812);
  t.is(resolvePort(ns, 'domain', 'udp'), 53);
  t.is(resolvePort(ns, 'http', 'fwm'), undefined);
  t.is(resolvePort(ns, 'HTTP', 'tcp'), undefined);
});
