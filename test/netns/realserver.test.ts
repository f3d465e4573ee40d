/** `lvsd realserver` in a fresh namespace: sysctls + VIP on lo, idempotent, and undone exactly. */
import test from 'ava';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { LVSD, tempDir } from './lvsd-harness.js';

const sysctl = (ns: string, key: string): string => nsExec(ns, 'sysctl', ['-n', key]).trim();

test('realserver sets arp_ignore/arp_announce and the VIP on lo; a second run changes nothing; --undo restores', (t) => {
  const lan = makeLan(t, ['rs']);
  const ns = lan.ns.rs!;
  const state = join(tempDir(t), 'rs.json');
  nsExec(ns, 'sysctl', ['-qw', 'net.ipv4.conf.all.arp_announce=1']); // a non-default value to restore
  const run = (...extra: string[]): string =>
    nsExec(ns, process.execPath, [LVSD, 'realserver', '--vip', '192.0.2.10,2001:db8::10', '--state', state, ...extra]);

  const first = run();
  t.regex(first, /arp_ignore: 0 -> 1/);
  t.is(sysctl(ns, 'net.ipv4.conf.all.arp_ignore'), '1');
  t.is(sysctl(ns, 'net.ipv4.conf.all.arp_announce'), '2');
  t.is(sysctl(ns, 'net.ipv4.conf.lo.arp_ignore'), '1');
  t.true(addresses(ns, 'lo').includes('192.0.2.10'));
  t.true(addresses(ns, 'lo').includes('2001:db8::10'));
  t.regex(nsExec(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'lo']), /192\.0\.2\.10\/32 .*lo:0/);

  t.regex(run(), /nothing to change/);

  run('--undo');
  t.is(sysctl(ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.is(sysctl(ns, 'net.ipv4.conf.all.arp_announce'), '1');
  t.false(addresses(ns, 'lo').includes('192.0.2.10'));
  t.false(addresses(ns, 'lo').includes('2001:db8::10'));
});
