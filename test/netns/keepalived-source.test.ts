/**
 * keepalived.conf advert sources with keepalived 2.2.7 in the same virtual router: each side
 * sends from a secondary address given by `mcast_src_ip` (multicast) or `unicast_src_ip`
 * (unicast, with peers written as keepalived users often do, `ADDR/24`). VRRPv3, so the
 * pseudo-header checksum covers the source: a side that computed it over another address
 * than the one on the wire would see its adverts dropped. Both sides also skip the address
 * check for a known master (`vrrp_skip_check_adv_addr`).
 * Checked: one master with the VIP, the other BACKUP for longer than a master-down interval;
 * every VRRP packet on the wire comes from a configured source (tcpdump + tshark), never from
 * the primary address; lvsd drops nothing and, as backup, names keepalived's source as master;
 * keepalived logs no complaint.
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { startCapture, tsharkFields } from './kp-capture.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus, type Director } from './lvsd-harness.js';
import { keepalivedComplaints, keepalivedRole, startKeepalived, type Keepalived } from './kp-peers.js';

type Mode = 'mcast_src_ip' | 'unicast_src_ip';
const VIP = '192.0.2.10';
const ADVERT_S = 0.1;
const MASTER_DOWN_MS = 4 * ADVERT_S * 1000;
let vrid = 90;

/** The secondary address host `h` sends from (198.51.100.10N). */
const sourceOf = (lanPrefix: string, h: 'm' | 'b'): string => `${lanPrefix}.${h === 'm' ? 101 : 102}`;

function config(o: { mode: Mode; priority: number; id: number; src: string; peer: string }): string {
  const globals = 'global_defs {\n    vrrp_version 3\n    vrrp_skip_check_adv_addr\n}\n';
  const extra = o.mode === 'mcast_src_ip'
    ? [`mcast_src_ip ${o.src}`]
    : [`unicast_src_ip ${o.src}`, 'unicast_peer {', `    ${o.peer}/24`, '}'];
  return globals + keepalivedInstance({ vrid: o.id, priority: o.priority, advertInt: String(ADVERT_S), vips: [`${VIP}/24`], extra });
}

type Side = { kind: 'lvsd'; d: Director; ns: string } | { kind: 'keepalived'; k: Keepalived; ns: string };
const role = (s: Side): string => (s.kind === 'lvsd' ? roleOf(s.d, 'VI_1') : keepalivedRole(s.k));
const hasVip = (s: Side): boolean => addresses(s.ns).includes(VIP);

async function sources(t: ExecutionContext, mode: Mode, lvsdIs: 'master' | 'backup'): Promise<void> {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const id = ++vrid;
  const src = { m: sourceOf(lan.prefix, 'm'), b: sourceOf(lan.prefix, 'b') };
  for (const h of ['m', 'b'] as const) nsExec(lan.ns[h]!, 'ip', ['addr', 'add', `${src[h]}/24`, 'dev', 'eth0']);
  const capture = await startCapture(t, lan.ns['b']!, join(dir, 'vrrp.pcap'), ['ip', 'proto', '112']);
  const start = (h: 'm' | 'b', kind: Side['kind'], priority: number): Side => {
    const ns = lan.ns[h]!;
    const cfg = config({ mode, priority, id, src: src[h], peer: src[h === 'm' ? 'b' : 'm'] });
    return kind === 'lvsd' ? { kind, ns, d: startLvsd(t, { ns, name: h, dir, config: cfg }) } : { kind, ns, k: startKeepalived(t, { ns, name: h, dir, config: cfg }) };
  };
  const master = start('m', lvsdIs === 'master' ? 'lvsd' : 'keepalived', 150);
  await waitUntil(() => role(master) === 'MASTER' && hasVip(master), `${master.kind} MASTER with the VIP`, MASTER_DOWN_MS + 5000, 20);
  const backup = start('b', lvsdIs === 'master' ? 'keepalived' : 'lvsd', 100);
  await waitUntil(() => role(backup) === 'BACKUP', `${backup.kind} BACKUP`, 5000, 20);
  await t.notThrowsAsync(stillTrue(() => role(master) === 'MASTER' && role(backup) === 'BACKUP' && hasVip(master) && !hasVip(backup),
    `${master.kind} MASTER with the VIP, ${backup.kind} BACKUP without`, MASTER_DOWN_MS * 3, 20));
  const lvsd = master.kind === 'lvsd' ? master : backup;
  const ka = master.kind === 'keepalived' ? master : backup;
  if (lvsd.kind !== 'lvsd' || ka.kind !== 'keepalived') return t.fail('need one lvsd and one keepalived');
  const [st] = vrrpStatus(lvsd.d, lvsd.ns);
  if (!st) return t.fail('lvsctl vrrp --json lists no instance');
  t.deepEqual(st.drops, {}, 'lvsd dropped nothing keepalived sent');
  if (lvsdIs === 'backup') {
    t.true(st.advertsReceived > 0, 'lvsd accepted keepalived adverts');
    t.is(st.masterAddress, src.m, "lvsd names keepalived's configured source as the master");
  }
  t.deepEqual(keepalivedComplaints(ka.k), [], 'keepalived logged no complaint about an advert');
  await capture.stop();
  const seen = new Set(tsharkFields(capture.file, 'vrrp', ['ip.src']).map((r) => r['ip.src']));
  t.deepEqual([...seen].sort(), [src.m], 'every advert on the wire came from the master\'s configured source');
}

for (const mode of ['mcast_src_ip', 'unicast_src_ip'] as const) {
  test(`${mode}: lvsd master sends from it, keepalived backup accepts`, sources, mode, 'master');
  test(`${mode}: keepalived master sends from it, lvsd backup accepts`, sources, mode, 'backup');
}
