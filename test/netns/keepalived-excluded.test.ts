/**
 * keepalived virtual_ipaddress_excluded and notify_stop with keepalived 2.2.7 in one virtual
 * router. lvsd is master with one VIP and two excluded addresses (one IPv6 in the IPv4
 * instance); keepalived, backup with the same instance, stays BACKUP without complaint, which
 * it does only if lvsd's adverts list the VIP alone (it drops an advert whose address count
 * differs: vrrp.c vrrp_check_packet). lvsd holds all three addresses. On TERM lvsd releases
 * them, runs notify_stop, and keepalived takes over all three. lvsd's vrrp_notify_fifo gets
 * keepalived's lines (INSTANCE "VI_1" MASTER 150 ... STOP 150), read by its fifo script.
 */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addresses, makeLan } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir } from './lvsd-harness.js';
import { keepalivedComplaints, keepalivedRole, startKeepalived } from './kp-peers.js';

const VIP = '192.0.2.10';
const EXCLUDED = ['192.0.2.11', '2001:db8::11'];

function config(o: { priority: number; stopScript?: string; fifo?: { path: string; script: string } }): string {
  const extra = ['virtual_ipaddress_excluded {', '    192.0.2.11/24', '    2001:db8::11/64', '}',
    ...(o.stopScript ? [`notify_stop "/usr/bin/touch ${o.stopScript}"`] : [])];
  const fifo = o.fifo ? `    vrrp_notify_fifo ${o.fifo.path}\n    vrrp_notify_fifo_script ${o.fifo.script}\n` : '';
  return `global_defs {\n    script_user root\n${fifo}}\n${keepalivedInstance({ vrid: 60, priority: o.priority, advertInt: '1', vips: [`${VIP}/24`], extra })}`;
}

test('virtual_ipaddress_excluded: lvsd holds the excluded addresses but does not advertise them; notify_stop runs on TERM', async (t) => {
  const lan = makeLan(t, ['m', 'b']);
  const dir = tempDir(t);
  const [nsM, nsB] = [lan.ns['m']!, lan.ns['b']!];
  const stopped = join(dir, 'stopped');
  const fifo = { path: join(dir, 'vrrp.fifo'), script: join(dir, 'fifo-reader'), out: join(dir, 'fifo.out') };
  writeFileSync(fifo.script, `#!/bin/sh\nexec cat "$1" > ${fifo.out}\n`, { mode: 0o755 });
  const lvsd = startLvsd(t, { ns: nsM, name: 'm', dir, config: config({ priority: 150, stopScript: stopped, fifo }) });
  const fifoLines = (): string[] => (existsSync(fifo.out) ? readFileSync(fifo.out, 'utf8').split('\n').filter((l) => l !== '') : []);
  const all = [VIP, ...EXCLUDED];
  const holds = (ns: string): boolean => all.every((a) => addresses(ns).includes(a));
  await waitUntil(() => roleOf(lvsd, 'VI_1') === 'MASTER' && holds(nsM), 'lvsd MASTER holding the VIP and the excluded addresses', 10_000, 20);
  const ka = startKeepalived(t, { ns: nsB, name: 'b', dir, config: config({ priority: 100 }) });
  await waitUntil(() => keepalivedRole(ka) === 'BACKUP', 'keepalived BACKUP', 5000, 20);
  await t.notThrowsAsync(stillTrue(() => keepalivedRole(ka) === 'BACKUP' && holds(nsM) && addresses(nsB).every((a) => !all.includes(a)),
    'keepalived BACKUP holding nothing, lvsd holding all', 4500, 50));
  t.deepEqual(keepalivedComplaints(ka), [], 'keepalived accepted every advert: only the VIP is in them');
  t.false(existsSync(stopped), 'notify_stop has not run yet');

  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0, 'lvsd stopped gracefully (the FIFO script does not turn TERM into a kill)');
  t.deepEqual(addresses(nsM).filter((a) => all.includes(a)), [], 'lvsd released the VIP and the excluded addresses');
  t.true(existsSync(stopped), 'notify_stop ran before lvsd exited');
  await waitUntil(() => fifoLines().includes('INSTANCE "VI_1" STOP 150'), 'the STOP line read from the FIFO', 2000);
  t.deepEqual(fifoLines(), ['INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_1" STOP 150'], 'keepalived\'s FIFO lines, in order');
  t.false(existsSync(fifo.path), 'the FIFO lvsd created is removed');
  await waitUntil(() => keepalivedRole(ka) === 'MASTER' && holds(nsB), 'keepalived MASTER with all three addresses', 5000, 20);
});
