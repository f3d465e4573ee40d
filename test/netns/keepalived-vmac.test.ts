/**
 * use_vmac with keepalived 2.2.7 in one virtual router: lvsd, master, creates the macvlan
 * vrrp.VRID (mode private, MAC 00:00:5e:00:01:VRID), puts the VIP on it and sends its adverts
 * and gratuitous ARPs from that MAC; keepalived, backup with the same lines, accepts them and
 * stays BACKUP. On TERM lvsd removes the interface and keepalived takes over with its own.
 * The same with vmac_xmit_base: the adverts then leave from eth0's own MAC, the GARPs still
 * from the virtual MAC.
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { startCapture, tsharkFields } from './kp-capture.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus } from './lvsd-harness.js';
import { keepalivedComplaints, keepalivedRole, startKeepalived } from './kp-peers.js';

const VIP = '192.0.2.10';
let vrid = 63;

const linkExists = (ns: string, dev: string): boolean => nsExec(ns, 'ip', ['-o', 'link', 'show']).includes(`: ${dev}@`);
const macOf = (ns: string, dev: string): string => /link\/ether ([0-9a-f:]+)/.exec(nsExec(ns, 'ip', ['link', 'show', dev]))?.[1] ?? '';

async function vmac(t: ExecutionContext, xmitBase: boolean): Promise<void> {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const id = ++vrid;
  const dev = `vrrp.${id}`;
  const mac = `00:00:5e:00:01:${id.toString(16).padStart(2, '0')}`;
  const [nsM, nsB] = [lan.ns['m']!, lan.ns['b']!];
  const config = (priority: number): string => keepalivedInstance({ vrid: id, priority, advertInt: '1', vips: [`${VIP}/24`], extra: ['use_vmac', ...(xmitBase ? ['vmac_xmit_base'] : [])] });
  const capture = await startCapture(t, nsB, join(dir, 'vmac.pcap'), ['vrrp', 'or', 'arp']);
  const lvsd = startLvsd(t, { ns: nsM, name: 'm', dir, config: config(150) });
  await waitUntil(() => roleOf(lvsd, 'VI_1') === 'MASTER' && addresses(nsM, dev).includes(VIP), `lvsd MASTER with the VIP on ${dev}`, 10_000, 20);
  t.is(macOf(nsM, dev), mac, 'the VRRP MAC of the VRID');
  t.regex(nsExec(nsM, 'ip', ['-d', 'link', 'show', dev]), /macvlan mode private/);
  t.false(addresses(nsM).includes(VIP), 'the VIP is not on eth0');
  const ka = startKeepalived(t, { ns: nsB, name: 'b', dir, config: config(100) });
  await waitUntil(() => keepalivedRole(ka) === 'BACKUP', 'keepalived BACKUP', 5000, 20);
  await t.notThrowsAsync(stillTrue(() => keepalivedRole(ka) === 'BACKUP' && roleOf(lvsd, 'VI_1') === 'MASTER', 'keepalived BACKUP, lvsd MASTER', 4500, 50));
  t.deepEqual(keepalivedComplaints(ka), [], 'keepalived accepted lvsd\'s adverts');
  const [st] = vrrpStatus(lvsd, nsM);
  t.true((st?.advertsSent ?? 0) > 3);

  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0);
  t.false(linkExists(nsM, dev), `lvsd removed ${dev}`);
  await waitUntil(() => keepalivedRole(ka) === 'MASTER' && addresses(nsB, dev).includes(VIP), `keepalived MASTER with the VIP on its ${dev}`, 5000, 20);
  await capture.stop();
  const eth0 = macOf(nsM, 'eth0');
  const adverts = tsharkFields(capture.file, `vrrp && ip.src == ${lan.ip4['m']}`, ['eth.src']).map((r) => r['eth.src']);
  t.true(adverts.length > 3);
  t.deepEqual([...new Set(adverts)], [xmitBase ? eth0 : mac], `lvsd's adverts came from ${xmitBase ? 'eth0\'s own MAC' : 'the virtual MAC'}`);
  const garps = tsharkFields(capture.file, `arp && arp.src.proto_ipv4 == ${VIP} && eth.src == ${mac}`, ['frame.time_relative']);
  t.true(garps.length >= 2, 'gratuitous ARPs for the VIP from the virtual MAC');
}

test('use_vmac: lvsd and keepalived 2.2.7 agree; adverts and GARPs from the virtual MAC; removed on TERM', vmac, false);
test('use_vmac with vmac_xmit_base: adverts from the base interface, GARPs from the virtual MAC', vmac, true);
