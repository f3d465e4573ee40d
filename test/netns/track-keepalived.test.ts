/**
 * The tracking scenarios of track.test.ts written in keepalived.conf syntax, run by `lvsd`
 * through the keepalived front-end (vrrp_script / track_script / vrrp_track_process /
 * track_process). vrrp_script intervals are whole seconds in keepalived 2.2.7.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepalivedInstance, roleOf, startLvsd, tempDir, type Director } from './lvsd-harness.js';
import { addresses, makeLan } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';

const VIP = '192.0.2.10';

async function upAndRunning(d: Director, what: string): Promise<void> {
  await waitUntil(() => roleOf(d, 'VI_1') === 'MASTER' || d.child.exitCode !== null, what, 8000);
  if (d.child.exitCode !== null) throw new Error(`lvsd ${d.name} exited: ${d.stderr.join('')}`);
}

async function twoDirectors(t: ExecutionContext, trackBlock: string, extra: string[]) {
  const lan = makeLan(t, ['a', 'b']);
  const dir = tempDir(t);
  const head = 'global_defs {\n    vrrp_version 3\n}\n';
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: head + trackBlock + keepalivedInstance({ vrid: 82, priority: 150, advertInt: '0.1', vips: [`${VIP}/24`], extra }) });
  const b = startLvsd(t, { ns: lan.ns.b!, name: 'b', dir, config: head + keepalivedInstance({ vrid: 82, priority: 100, advertInt: '0.1', vips: [`${VIP}/24`] }) });
  await upAndRunning(a, 'a MASTER');
  await waitUntil(() => addresses(lan.ns.a!).includes(VIP), 'VIP on a', 3000);
  return { lan, a, b };
}

test('keepalived.conf vrrp_script: the script fails, the backup takes the VIP', async (t) => {
  const flag = join(tempDir(t), 'healthy');
  writeFileSync(flag, '');
  const script = `vrrp_script chk {\n    script "/usr/bin/test -e ${flag}"\n    interval 1\n    weight -60\n}\n`;
  const { lan, b } = await twoDirectors(t, script, ['track_script {', '    chk', '}']);
  rmSync(flag);
  await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER', 'b MASTER', 5000);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP), 'VIP on b', 3000);
  t.pass();
});

test('keepalived.conf vrrp_track_process: the process dies, the backup takes the VIP', async (t) => {
  const dir = tempDir(t);
  const name = `lvtkp${process.pid % 100000}`;
  copyFileSync('/bin/sleep', join(dir, name));
  const tracked = spawn(join(dir, name), ['600'], { stdio: 'ignore' });
  t.teardown(() => tracked.kill('SIGKILL'));
  const block = `vrrp_track_process svc {\n    process ${name}\n    weight -60\n}\n`;
  const { lan, b } = await twoDirectors(t, block, ['track_process {', '    svc', '}']);
  tracked.kill('SIGKILL');
  await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER', 'b MASTER', 5000);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP), 'VIP on b', 3000);
  t.pass();
});
