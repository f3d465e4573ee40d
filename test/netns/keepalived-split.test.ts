/**
 * A split brain healed, with keepalived 2.2.7 as the lower-priority side (unicast, VRRPv3 at
 * 100 ms). On keepalived's host, strict reverse-path filtering with lvsd's address routed to another
 * interface drops lvsd's adverts there, so keepalived becomes a second MASTER while lvsd
 * still hears it. lvsd
 * (garp_lower_prio_repeat 1, garp_lower_prio_delay 0, lower_prio_no_advert) stays MASTER,
 * re-announces its VIP once per lower-priority advert and sends no extra adverts in answer.
 * When the route goes, keepalived hears the higher priority and goes back to BACKUP.
 */
import test from 'ava';
import { addresses, makeLan, nsExec } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus } from './lvsd-harness.js';
import { keepalivedRole, startKeepalived } from './kp-peers.js';

const VIP = '192.0.2.10';

function config(o: { priority: number; src: string; peer: string; extra?: string[] }): string {
  const extra = [`unicast_src_ip ${o.src}`, 'unicast_peer {', `    ${o.peer}`, '}', ...(o.extra ?? [])];
  return `global_defs {\n    vrrp_version 3\n}\n${keepalivedInstance({ vrid: 61, priority: o.priority, advertInt: '0.1', vips: [`${VIP}/24`], extra })}`;
}

test('split brain: lvsd re-announces once per lower-priority advert, does not answer it (lower_prio_no_advert), and wins when it heals', async (t) => {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const [m, b] = [lan.ip4['m']!, lan.ip4['b']!];
  const [nsM, nsB] = [lan.ns['m']!, lan.ns['b']!];
  const lvsd = startLvsd(t, { ns: nsM, name: 'm', dir, config: config({ priority: 150, src: m, peer: b,
    extra: ['garp_lower_prio_repeat 1', 'garp_lower_prio_delay 0', 'lower_prio_no_advert'] }) });
  await waitUntil(() => roleOf(lvsd, 'VI_1') === 'MASTER', 'lvsd MASTER', 5000, 20);
  const ka = startKeepalived(t, { ns: nsB, name: 'b', dir, config: config({ priority: 100, src: b, peer: m }) });
  await waitUntil(() => keepalivedRole(ka) === 'BACKUP', 'keepalived BACKUP', 5000, 20);

  nsExec(nsB, 'ip', ['link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'dummy1']); // this kernel has no dummy driver
  nsExec(nsB, 'ip', ['link', 'set', 'dummy1', 'up']);
  nsExec(nsB, 'ip', ['link', 'set', 'dummy0', 'up']);
  nsExec(nsB, 'sysctl', ['-qw', 'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.eth0.rp_filter=1']);
  nsExec(nsB, 'ip', ['route', 'add', `${m}/32`, 'dev', 'dummy0']);
  await waitUntil(() => keepalivedRole(ka) === 'MASTER', 'keepalived MASTER (it no longer hears lvsd)', 3000, 10);
  const [before] = vrrpStatus(lvsd, nsM);
  await t.notThrowsAsync(stillTrue(() => roleOf(lvsd, 'VI_1') === 'MASTER' && keepalivedRole(ka) === 'MASTER', 'two masters', 1000, 20));
  const [after] = vrrpStatus(lvsd, nsM);
  if (!before || !after) return t.fail('lvsctl vrrp lists no instance');
  const heard = after.advertsReceived - before.advertsReceived;
  const garps = after.garpsSent - before.garpsSent;
  const sent = after.advertsSent - before.advertsSent;
  t.log(`in the split: ${heard} lower-priority adverts heard, ${garps} GARPs, ${sent} adverts sent`);
  t.true(heard >= 5, 'lvsd heard keepalived\'s lower-priority adverts');
  t.true(Math.abs(garps - heard) <= 2, `one GARP per lower-priority advert (${garps} for ${heard})`);
  // Both send every 100 ms: lvsd's timer adverts are about as many as it heard; answering each
  // lower-priority advert (the default, RFC 9568 §6.4.3) would double them.
  t.true(sent < heard * 1.5, `only the timer's adverts, none in answer (${sent} sent, ${heard} heard)`);

  nsExec(nsB, 'ip', ['route', 'del', `${m}/32`, 'dev', 'dummy0']);
  await waitUntil(() => keepalivedRole(ka) === 'BACKUP', 'keepalived back to BACKUP once it hears lvsd', 3000, 10);
  t.is(roleOf(lvsd, 'VI_1'), 'MASTER');
  await waitUntil(() => !addresses(nsB).includes(VIP), 'the VIP gone from keepalived', 2000, 10);
  t.true(addresses(nsM).includes(VIP));
});
