/** vrrp_sync_group: a tracked link going down faults the whole group; the peer takes every VIP. */
import test from 'ava';
import { addresses, makeLan, nsExec } from './topology.js';
import { STARTUP_MS, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir } from './lvsd-harness.js';

const conf = (priority: number, track: boolean): string =>
  'global_defs {\n    vrrp_version 3\n}\n' +
  'vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n' +
  keepalivedInstance({ name: 'VI_1', vrid: 71, priority, advertInt: '0.05', vips: ['192.0.2.10/24'],
    extra: track ? ['track_interface {', '    eth1', '}'] : [] }) +
  keepalivedInstance({ name: 'VI_2', vrid: 72, priority, advertInt: '0.05', vips: ['192.0.2.20/24'] });

test('a tracked interface down on the master faults both members; the backup takes both VIPs', async (t) => {
  const lan = makeLan(t, ['a', 'b']);
  const dir = tempDir(t);
  nsExec(lan.ns.a!, 'ip', ['link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p']);
  nsExec(lan.ns.a!, 'ip', ['link', 'set', 'eth1p', 'up']);
  nsExec(lan.ns.a!, 'ip', ['link', 'set', 'eth1', 'up']);
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: conf(150, true) });
  const b = startLvsd(t, { ns: lan.ns.b!, name: 'b', dir, config: conf(100, false) });
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(a, 'VI_2') === 'MASTER', 'a MASTER of both', STARTUP_MS);
  await waitUntil(() => a.lines.some((l) => l.event === 'vrrp.group' && l.state === 'MASTER'), 'group MASTER logged', 2000);
  nsExec(lan.ns.a!, 'ip', ['link', 'set', 'eth1', 'down']);
  await waitUntil(() => roleOf(a, 'VI_1') === 'FAULT' && roleOf(a, 'VI_2') === 'FAULT', 'both FAULT', 3000);
  await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER' && roleOf(b, 'VI_2') === 'MASTER', 'b MASTER of both', 3000);
  await waitUntil(() => addresses(lan.ns.b!).includes('192.0.2.10') && addresses(lan.ns.b!).includes('192.0.2.20'), 'VIPs on b', 5000);
  t.false(addresses(lan.ns.a!).includes('192.0.2.20'), 'the untracked member released its VIP too');
  nsExec(lan.ns.a!, 'ip', ['link', 'set', 'eth1', 'up']);
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(a, 'VI_2') === 'MASTER', 'a MASTER of both again', 5000);
  t.pass();
});
