/**
 * What a running lvsd puts on the wire, read back by an independent decoder: a third host
 * captures with tcpdump, tshark dissects. Adverts of every form (v2, v3/IPv4 in keepalived's
 * pseudo-header form, v3/IPv4 in the RFC 9568 form via `v3_checksum_as_v2` and via the native
 * format's default, v3/IPv6): no malformed packet, a good checksum, the fields as configured.
 * Gratuitous ARPs on takeover: sender IP = target IP = VIP, from the new master's MAC, 5 at
 * takeover and 5 more after garp_master_delay (keepalived's defaults: repeat 5, delay 5 s).
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus, type Director } from './lvsd-harness.js';
import { startCapture, tsharkFields, tsharkVerbose } from './kp-capture.js';
import { killNamespace } from './kp-peers.js';

/** Adverts (or gratuitous ARPs) each instance of `d` has sent so far, by name (lvsctl vrrp --json). */
const sent = (d: Director, ns: string, what: 'advertsSent' | 'garpsSent'): Map<string, number> =>
  new Map(vrrpStatus(d, ns).map((i) => [i.name, i[what]]));
const RFC9568 = 'vrrp.v3_checksum_as_in_v2:TRUE';
const FIELDS = ['vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.checksum.status',
  'vrrp.auth_type', 'vrrp.adver_int', 'vrrp.short_adver_int', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'vrrp.auth_string', 'ip.ttl', 'ipv6.hlim', '_ws.malformed'];

interface Expect { vrid: number; version: string; fields: Record<string, string>; prefs: readonly string[] }

/** Checks every captured advert of `e.vrid`: tshark's fields as expected, no malformed marker, good checksum. */
function checkAdverts(t: ExecutionContext, file: string, e: Expect, label: string): void {
  const rows = tsharkFields(file, `vrrp.virt_rtr_id == ${e.vrid}`, FIELDS, e.prefs);
  t.true(rows.length >= 2, `${label}: captured ${rows.length} adverts`);
  for (const r of rows) {
    t.like(r, { 'vrrp.version': e.version, 'vrrp.type': '1', 'vrrp.checksum.status': '1', '_ws.malformed': '', ...e.fields }, label);
  }
  const verbose = tsharkVerbose(file, `vrrp.virt_rtr_id == ${e.vrid}`, e.prefs);
  t.false(/Malformed Packet/.test(verbose), `${label}: no [Malformed Packet]`);
  t.false(/\[?[Ii]ncorrect|Bad checksum|\[Checksum Status: Bad\]/.test(verbose), `${label}: no incorrect checksum`);
  t.true(/\[Checksum Status: Good\]/.test(verbose), `${label}: tshark verified the checksum`);
}

test('tshark decodes every advert form a running lvsd sends: no malformed packet, good checksums, fields as configured', async (t) => {
  const lan = makeLan(t, ['a', 'n', 'c']);
  const dir = tempDir(t);
  const inst = (name: string, vrid: number, o: { v: 2 | 3; int: string; vip: string; extra?: string[] }): string =>
    keepalivedInstance({ name, state: 'MASTER', vrid, priority: 150 + (vrid % 10), advertInt: o.int, vips: [o.vip], version: o.v, extra: o.extra });
  const conf = [
    inst('V2', 81, { v: 2, int: '1', vip: '192.0.2.81/24', extra: ['authentication {', '    auth_type PASS', '    auth_pass tshark42', '}'] }),
    inst('V3P', 82, { v: 3, int: '0.25', vip: '192.0.2.82/24' }),
    inst('V3R', 83, { v: 3, int: '0.25', vip: '192.0.2.83/24', extra: ['v3_checksum_as_v2'] }),
    inst('V36', 84, { v: 3, int: '0.25', vip: '2001:db8::84/64' }),
  ].join('');
  const native = ['vrrp N1 {', '    interface eth0', '    vrid 85', '    priority 200', '    state master', '    vip 192.0.2.85/24', '}', ''].join('\n');
  const file = join(dir, 'adverts.pcap');
  const cap = await startCapture(t, lan.ns.c!, file, ['ip proto 112 or ip6 proto 112']);
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: conf });
  const n = startLvsd(t, { ns: lan.ns.n!, name: 'n', dir, config: native });
  await waitUntil(() => ['V2', 'V3P', 'V3R', 'V36'].every((i) => roleOf(a, i) === 'MASTER') && roleOf(n, 'N1') === 'MASTER', 'all MASTER', 10_000, 50);
  // Capture until every instance has sent 3 more adverts (the 1 s v2 one needs ~3 s).
  const from = [sent(a, lan.ns.a!, 'advertsSent'), sent(n, lan.ns.n!, 'advertsSent')];
  const more = (d: Director, ns: string, before: Map<string, number>): boolean =>
    [...sent(d, ns, 'advertsSent')].every(([i, k]) => k >= (before.get(i) ?? 0) + 3);
  await waitUntil(() => more(a, lan.ns.a!, from[0]!) && more(n, lan.ns.n!, from[1]!), 'three more adverts from every instance', 10_000, 200);
  await cap.stop();
  const ll = (ns: string): string => addresses(ns).find((x) => x.startsWith('fe80:')) ?? '?';
  t.log(`lvsd at ${lan.ip4.a} / ${ll(lan.ns.a!)}`);
  const ttl = { 'ip.ttl': '255' };
  checkAdverts(t, file, { vrid: 81, version: '2', prefs: [], fields: { ...ttl, 'vrrp.prio': '151', 'vrrp.addr_count': '1', 'vrrp.ip_addr': '192.0.2.81', 'vrrp.adver_int': '1', 'vrrp.auth_type': '1', 'vrrp.auth_string': 'tshark42' } }, 'v2 PASS');
  checkAdverts(t, file, { vrid: 82, version: '3', prefs: [], fields: { ...ttl, 'vrrp.prio': '152', 'vrrp.ip_addr': '192.0.2.82', 'vrrp.short_adver_int': '25' } }, 'v3/IPv4 pseudo-header form');
  checkAdverts(t, file, { vrid: 83, version: '3', prefs: [RFC9568], fields: { ...ttl, 'vrrp.prio': '153', 'vrrp.ip_addr': '192.0.2.83', 'vrrp.short_adver_int': '25' } }, 'v3/IPv4 RFC 9568 form (v3_checksum_as_v2)');
  checkAdverts(t, file, { vrid: 84, version: '3', prefs: [], fields: { 'ipv6.hlim': '255', 'vrrp.prio': '154', 'vrrp.ipv6_addr': '2001:db8::84', 'vrrp.short_adver_int': '25' } }, 'v3/IPv6');
  checkAdverts(t, file, { vrid: 85, version: '3', prefs: [RFC9568], fields: { ...ttl, 'vrrp.prio': '200', 'vrrp.ip_addr': '192.0.2.85', 'vrrp.short_adver_int': '5' } }, 'native defaults (v3, 50 ms, RFC 9568)');
  // The oracle can fail: the RFC 9568 form read with tshark's default (pseudo-header) is "bad".
  const asPseudo = tsharkFields(file, 'vrrp.virt_rtr_id == 83', ['vrrp.checksum.status']);
  t.true(asPseudo.length > 0 && asPseudo.every((r) => r['vrrp.checksum.status'] === '0'), 'RFC 9568 form fails the pseudo-header check');
});

function macOf(ns: string): string {
  const j = JSON.parse(nsExec(ns, 'ip', ['-j', 'link', 'show', 'eth0'])) as Array<{ address: string }>;
  return j[0]?.address ?? '';
}

test('takeover: 5 gratuitous ARPs for the VIP from the new master, 5 more after garp_master_delay', async (t) => {
  const lan = makeLan(t, ['a', 'b', 'c']);
  const dir = tempDir(t);
  const VIP = '192.0.2.10';
  const conf = (prio: number): string => `global_defs {\n    vrrp_version 3\n}\n${keepalivedInstance({ vrid: 86, priority: prio, advertInt: '0.05', vips: [`${VIP}/24`] })}`;
  const a: Director = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: conf(150) });
  const b: Director = startLvsd(t, { ns: lan.ns.b!, name: 'b', dir, config: conf(100) });
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(b, 'VI_1') === 'BACKUP', 'a MASTER, b BACKUP', 5000, 20);
  const garps = (d: Director, ns: string): number => sent(d, ns, 'garpsSent').get('VI_1') ?? 0;
  await waitUntil(() => garps(a, lan.ns.a!) >= 10, 'a\'s own takeover and delayed GARP bursts (5 + 5)', 8000, 200);
  // b may have been master for a moment at startup (a started later) and announced then
  const before = garps(b, lan.ns.b!);
  const file = join(dir, 'garp.pcap');
  const cap = await startCapture(t, lan.ns.c!, file, ['arp']);
  const t0 = Date.now();
  killNamespace(lan.ns.a!);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP), 'VIP on b', 3000, 5);
  // the takeover burst, then the one after garp_master_delay (5 s); then no more (no refresh configured)
  await waitUntil(() => garps(b, lan.ns.b!) - before >= 10, 'b\'s takeover and delayed GARP bursts', 8000 - (Date.now() - t0), 200);
  await stillTrue(() => garps(b, lan.ns.b!) - before === 10, 'b at 10 gratuitous ARPs since the kill', 1000, 200);
  await cap.stop();
  const rows = tsharkFields(file, 'arp', ['frame.time_relative', 'eth.src', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'arp.isgratuitous']);
  const mac = macOf(lan.ns.b!);
  const seen = rows.filter((r) => r['arp.src.proto_ipv4'] === VIP && r['arp.dst.proto_ipv4'] === VIP);
  t.log(`b ${mac}: ${seen.length} gratuitous ARPs at ${seen.map((r) => Number(r['frame.time_relative']).toFixed(3)).join(', ')} s`);
  t.true(seen.every((r) => r['eth.src'] === mac && r['arp.src.hw_mac'] === mac), 'from the new master\'s MAC');
  t.true(seen.every((r) => r['arp.isgratuitous'] === '1' || r['arp.isgratuitous'] === 'True'), 'tshark calls them gratuitous');
  t.is(seen.length, 10, '5 at takeover + 5 after garp_master_delay');
  const times = seen.map((r) => Number(r['frame.time_relative']));
  const first = times[0] ?? 0;
  t.is(times.filter((x) => x - first < 2).length, 5, '5 in the takeover burst');
  t.is(times.filter((x) => x - first >= 4.5).length, 5, '5 about 5 s later');
});
