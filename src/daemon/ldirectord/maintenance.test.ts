import test from 'ava';
import { hostNames, maintained, maintenanceNames } from './maintenance.js';
import { ldConfig } from '../../../test/fixtures/ldirectord-runtime.js';

test('the file names ldirectord looks for, in its order; IPv6 with and without brackets; SHORT only for a name starting with a letter', (t) => {
  t.deepEqual(maintenanceNames('172.16.1.2', 4444, ['realserver2.example.com']), [
    '172.16.1.2:4444', '172.16.1.2', 'realserver2.example.com:4444', 'realserver2.example.com', 'realserver2:4444', 'realserver2',
  ]);
  t.deepEqual(maintenanceNames('2001:db8::2', 80), ['2001:db8::2:80', '2001:db8::2', '[2001:db8::2]:80', '[2001:db8::2]']);
  t.deepEqual(maintenanceNames('10.0.0.1', 80, ['1st.example.com']), ['10.0.0.1:80', '10.0.0.1', '1st.example.com:80', '1st.example.com']);
});

test('/etc/hosts: every name of an address, comments and blank lines skipped', (t) => {
  t.deepEqual([...hostNames('# c\n10.0.0.1 a.example.com a # x\n\n10.0.0.1 b\n::1 localhost\n')], [['10.0.0.1', ['a.example.com', 'a', 'b']], ['::1', ['localhost']]]);
});

test('a file without the port takes the server out of every service; with the port, of that port only', (t) => {
  const c = ldConfig('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 masq\n\tchecktype=on\nvirtual=192.0.2.1:443\n\treal=10.0.0.1:443 masq\n\tchecktype=on\n');
  t.deepEqual([...maintained(c.services, new Set(['10.0.0.1']))], ['TCP 192.0.2.1:80|10.0.0.1:80', 'TCP 192.0.2.1:443|10.0.0.1:443']);
  t.deepEqual([...maintained(c.services, new Set(['10.0.0.1:443', 'unrelated']))], ['TCP 192.0.2.1:443|10.0.0.1:443']);
});
