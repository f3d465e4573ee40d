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

const STATICS = [
  'static_ipaddress {',
  '    198.51.100.77/32 dev eth0 scope link',
  '}',
  'static_routes {',
  '    203.0.113.0/26 via 198.51.100.254 dev eth0 table 200',
  '    blackhole 203.0.113.64/26 table 200 no_track',
  '}',
  'static_rules {',
  '    from 192.0.2.128/25 table 200 priority 200',
  '}',
].join('\n');

/** The static entries installed: the address 198.51.100.77, table 200's routes, the rule at 200. */
function installedStatics(ns: string): string[] {
  const addrs = nsExec(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']).split('\n').filter((l) => l.includes('198.51.100.77')).map((l) => l.replace(/^\d+:\s+/, ''));
  const routes = nsExec(ns, 'ip', ['route', 'show', 'table', 'all']).split('\n').filter((l) => /table 200/.test(l));
  const rules = nsExec(ns, 'ip', ['rule', 'show']).split('\n').filter((l) => /^200:/.test(l));
  return [...addrs, ...routes, ...rules].map((l) => l.trim()).filter((l) => l !== '');
}

test('static_ipaddress / static_routes / static_rules: lvsd installs on start whatever its state, and removes on TERM, what keepalived installs', async (t) => {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const [nsM, nsB] = [lan.ns['m']!, lan.ns['b']!];
  // lvsd is the BACKUP here: static entries do not depend on the VRRP state.
  const config = (priority: number): string => `${STATICS}\n${keepalivedInstance({ vrid: 63, priority, advertInt: '1', vips: ['192.0.2.11/24'] })}`;
  const ka = startKeepalived(t, { ns: nsB, name: 'b', dir, config: config(150) });
  await waitUntil(() => keepalivedRole(ka) === 'MASTER' && installedStatics(nsB).length === 4, 'keepalived MASTER with its static entries', 8000, 20);
  const theirs = installedStatics(nsB);
  t.log(theirs.join('\n'));
  const lvsd = startLvsd(t, { ns: nsM, name: 'm', dir, config: config(100) });
  await waitUntil(() => roleOf(lvsd, 'VI_1') === 'BACKUP', 'lvsd BACKUP', 10_000, 20);
  await waitUntil(() => installedStatics(nsM).length === 4, 'lvsd\'s static address, 2 routes and rule', 3000, 20).catch((e: unknown) => {
    t.log(installedStatics(nsM), JSON.stringify(lvsd.lines.filter((l) => l.event === 'static.error')));
    throw e;
  });
  t.deepEqual(installedStatics(nsM), theirs, 'lvsd installed the same entries for the same lines');
  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0);
  t.deepEqual(installedStatics(nsM), [], 'lvsd removed its static entries on TERM');
});
