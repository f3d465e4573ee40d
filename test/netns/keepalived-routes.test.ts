/**
 * virtual_routes and virtual_rules against the real kernel, with keepalived 2.2.7 as the
 * oracle of what the same lines mean: lvsd master installs them (and keepalived, backup, does
 * not); on TERM lvsd removes them and keepalived, now master, installs its own. `ip route` /
 * `ip rule` on the two hosts must then print the same entries.
 */
import test from 'ava';
import { makeLan, nsExec } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir } from './lvsd-harness.js';
import { keepalivedRole, startKeepalived } from './kp-peers.js';

const ROUTES = [
  'virtual_routes {',
  '    src 192.0.2.10 to 203.0.113.0/25 via 198.51.100.254 dev eth0',
  '    blackhole 203.0.113.128/25 table 100 no_track',
  '    default via 198.51.100.254 dev eth0 table 100 metric 10',
  '}',
  'virtual_rules {',
  '    from 192.0.2.0/24 table 100 priority 100',
  '    to 203.0.113.0/24 lookup 100 preference 101 no_track',
  '}',
];

/** What lvsd or keepalived installed: the routes to 203.0.113.0/24 or in table 100, and the rules at 100/101. */
function installed(ns: string): string[] {
  // `ip route show table 100` fails while the table does not exist: read every table instead
  const routes = nsExec(ns, 'ip', ['route', 'show', 'table', 'all']).split('\n').filter((l) => /203\.0\.113|table 100/.test(l));
  const rules = nsExec(ns, 'ip', ['rule', 'show']).split('\n').filter((l) => /^10[01]:/.test(l));
  return [...routes, ...rules].map((l) => l.trim()).filter((l) => l !== '');
}

test('virtual_routes / virtual_rules: lvsd installs on MASTER and removes on TERM exactly what keepalived installs for the same lines', async (t) => {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const [nsM, nsB] = [lan.ns['m']!, lan.ns['b']!];
  const config = (priority: number): string => keepalivedInstance({ vrid: 62, priority, advertInt: '1', vips: ['192.0.2.10/24'], extra: ROUTES });
  const lvsd = startLvsd(t, { ns: nsM, name: 'm', dir, config: config(150) });
  await waitUntil(() => roleOf(lvsd, 'VI_1') === 'MASTER', 'lvsd MASTER', 10_000, 20);
  await waitUntil(() => installed(nsM).length === 5, 'lvsd\'s 3 routes and 2 rules', 3000, 20).catch((e: unknown) => {
    t.log(installed(nsM), JSON.stringify(lvsd.lines.filter((l) => l.event === 'vrrp.error')));
    throw e;
  });
  const ours = installed(nsM);
  t.log(ours.join('\n'));
  t.true(ours.some((l) => l.includes('proto keepalived')), 'tracked entries carry protocol 18 (keepalived), as keepalived\'s');
  const ka = startKeepalived(t, { ns: nsB, name: 'b', dir, config: config(100) });
  await waitUntil(() => keepalivedRole(ka) === 'BACKUP', 'keepalived BACKUP', 5000, 20);
  t.deepEqual(installed(nsB), [], 'a backup installs nothing');

  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0);
  t.deepEqual(installed(nsM), [], 'lvsd removed its routes and rules');
  await waitUntil(() => keepalivedRole(ka) === 'MASTER' && installed(nsB).length === 5, 'keepalived MASTER with its routes and rules', 5000, 20);
  t.deepEqual(installed(nsB), ours, 'keepalived installed the same entries for the same lines');
});
