/**
 * lvsd and keepalived 2.2.7 (Debian) in the same virtual router on a bridged LAN, with the
 * same keepalived.conf but the priority: each side as master and as backup, VRRPv2 (with and
 * without PASS auth), VRRPv3 at 100 ms and 1 s (keepalived's pseudo-header checksum form,
 * which lvsd's keepalived.conf front-end also sends), and VRRPv3 over IPv6.
 * Each run: the master starts first; the backup joins and must stay BACKUP for more than a
 * master-down interval (so it accepts the master's adverts); one master, the VIP only on it;
 * lvsd counts no drops and shows the checksum form keepalived sent; keepalived logs no
 * complaint about an advert; kill -9 of the master's namespace → the backup takes the VIP.
 */
import test, { type ExecutionContext } from 'ava';
import { addresses, makeLan } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus, type Director } from './lvsd-harness.js';
import { keepalivedComplaints, keepalivedRole, keepalivedTransitions, killNamespace, startKeepalived, type Keepalived } from './kp-peers.js';

interface Variant {
  readonly name: string;
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly vip: string;
  readonly prefix: number;
  readonly auth?: string;
  /** What lvsd must count in checksumForms for keepalived's adverts. */
  readonly form: 'v2' | 'pseudo' | 'ipv6';
}

const VARIANTS: readonly Variant[] = [
  { name: 'v2', version: 2, advertInt: '1', vip: '192.0.2.10', prefix: 24, form: 'v2' },
  { name: 'v2 PASS', version: 2, advertInt: '1', vip: '192.0.2.10', prefix: 24, auth: 'Pa55word', form: 'v2' },
  { name: 'v3 100 ms', version: 3, advertInt: '0.1', vip: '192.0.2.10', prefix: 24, form: 'pseudo' },
  { name: 'v3 1 s', version: 3, advertInt: '1', vip: '192.0.2.10', prefix: 24, form: 'pseudo' },
  { name: 'v3 IPv6', version: 3, advertInt: '0.1', vip: '2001:db8::10', prefix: 64, form: 'ipv6' },
];

let vrid = 70;

function config(v: Variant, priority: number, id: number): string {
  // keepalived's default is VRRPv2: say nothing for v2, exactly as a keepalived user would.
  const globals = v.version === 3 ? 'global_defs {\n    vrrp_version 3\n}\n' : '';
  const auth = v.auth ? ['authentication {', `    auth_type PASS`, `    auth_pass ${v.auth}`, '}'] : [];
  return globals + keepalivedInstance({ vrid: id, priority, advertInt: v.advertInt, vips: [`${v.vip}/${v.prefix}`], extra: auth });
}

type Side = { kind: 'lvsd'; d: Director; ns: string } | { kind: 'keepalived'; k: Keepalived; ns: string };
const role = (s: Side): string => (s.kind === 'lvsd' ? roleOf(s.d, 'VI_1') : keepalivedRole(s.k));

async function interop(t: ExecutionContext, v: Variant, lvsdIs: 'master' | 'backup'): Promise<void> {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const id = ++vrid;
  const intervalMs = Number(v.advertInt) * 1000;
  const masterDownMs = 3 * intervalMs + intervalMs; // 3 × interval + skew (< 1 interval)
  const start = (host: 'm' | 'b', kind: 'lvsd' | 'keepalived', priority: number): Side => {
    const ns = lan.ns[host]!;
    const cfg = config(v, priority, id);
    return kind === 'lvsd'
      ? { kind, ns, d: startLvsd(t, { ns, name: host, dir, config: cfg }) }
      : { kind, ns, k: startKeepalived(t, { ns, name: host, dir, config: cfg }) };
  };
  const hasVip = (s: Side): boolean => addresses(s.ns).includes(v.vip);
  const master = start('m', lvsdIs === 'master' ? 'lvsd' : 'keepalived', 150);
  await waitUntil(() => role(master) === 'MASTER' && hasVip(master), `${master.kind} MASTER with the VIP`, masterDownMs + 5000, 20);
  const backup = start('b', lvsdIs === 'master' ? 'keepalived' : 'lvsd', 100);
  await waitUntil(() => role(backup) === 'BACKUP', `${backup.kind} BACKUP`, 5000, 20);
  // Longer than a master-down interval: the backup stays BACKUP only if it accepts the master's adverts.
  await t.notThrowsAsync(stillTrue(() => role(master) === 'MASTER' && role(backup) === 'BACKUP' && hasVip(master) && !hasVip(backup),
    `${master.kind} MASTER with the VIP, ${backup.kind} BACKUP without`, masterDownMs + 500, 50));

  t.is(role(master), 'MASTER', `${master.kind} still MASTER`);
  t.is(role(backup), 'BACKUP', `${backup.kind} still BACKUP: it accepts the ${master.kind} adverts`);
  t.true(hasVip(master), 'VIP on the master');
  t.false(hasVip(backup), 'VIP not on the backup');
  const lvsd = master.kind === 'lvsd' ? master : backup.kind === 'lvsd' ? backup : undefined;
  const ka = master.kind === 'keepalived' ? master : backup.kind === 'keepalived' ? backup : undefined;
  if (!lvsd || lvsd.kind !== 'lvsd' || !ka || ka.kind !== 'keepalived') return t.fail('need one lvsd and one keepalived');
  const [st] = vrrpStatus(lvsd.d, lvsd.ns);
  if (!st) return t.fail('lvsctl vrrp --json lists no instance');
  t.deepEqual(st.drops, {}, 'lvsd dropped nothing keepalived sent');
  if (lvsdIs === 'backup') {
    t.true(st.advertsReceived > 0, 'lvsd received keepalived adverts');
    t.deepEqual(Object.keys(st.checksumForms), [v.form], `keepalived sends the ${v.form} checksum form`);
    t.is(st.checksumForms[v.form], st.advertsReceived);
  } else {
    t.true(st.advertsSent > 0, 'lvsd sent adverts');
    t.is(keepalivedTransitions(ka.k), 1, 'keepalived entered BACKUP once and never left it');
  }
  t.deepEqual(keepalivedComplaints(ka.k), [], 'keepalived logged no invalid/bad advert');

  killNamespace(master.ns);
  const ms = await waitUntil(() => hasVip(backup), `VIP on the ${backup.kind} backup`, masterDownMs + 3000, 5);
  t.log(`${v.name}: kill -9 ${master.kind} master → VIP on ${backup.kind} after ${ms} ms (advert ${intervalMs} ms)`);
  await waitUntil(() => role(backup) === 'MASTER', `${backup.kind} MASTER`, 2000, 10);
  t.deepEqual(keepalivedComplaints(ka.k), [], 'keepalived logged no invalid/bad advert up to the end');
}

for (const v of VARIANTS) {
  test(`keepalived interop ${v.name}: lvsd master, keepalived backup`, interop, v, 'master');
  test(`keepalived interop ${v.name}: keepalived master, lvsd backup`, interop, v, 'backup');
}
