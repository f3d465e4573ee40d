/**
 * Tracking drives VRRP between two real directors in namespaces: vrrp_script and
 * vrrp_track_process on the master lower its priority (the backup takes the VIP) or put it
 * in FAULT (weight 0). The tracking comes from model values built in code
 * (test/fixtures/track-director.ts) until the keepalived front-end reads vrrp_script;
 * track-keepalived.test.ts has the same scenario in keepalived.conf syntax.
 */
import test, { type ExecutionContext } from 'ava';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { TrackRef, Tracking } from '../../src/model/types.js';
import { keepalivedInstance, LVSCTL, REPO, roleOf, tempDir, vrrpStatus, type Director } from './lvsd-harness.js';
import { addresses, makeLan, nsExec, startIn } from './topology.js';
import { STARTUP_MS, waitUntil } from '../fixtures/wait.js';

const FIXTURE = join(REPO, 'dist/test/fixtures/track-director.js');
const at = { file: 'track.test.ts', line: 1, col: 1 };
const VIP = '192.0.2.10';

const conf = (priority: number): string =>
  'global_defs {\n    vrrp_version 3\n}\n' + keepalivedInstance({ vrid: 81, priority, advertInt: '0.1', vips: [`${VIP}/24`] });

function startTracked(t: ExecutionContext, o: { ns: string; name: string; dir: string; priority: number; tracking?: Tracking; tracks?: TrackRef[] }): Director {
  const config = join(o.dir, `${o.name}.conf`);
  const json = join(o.dir, `${o.name}.tracking.json`);
  const socket = join(o.dir, `${o.name}.sock`);
  writeFileSync(config, conf(o.priority));
  writeFileSync(json, JSON.stringify({ tracking: o.tracking ?? { scripts: [], files: [], processes: [] }, tracks: { VI_1: o.tracks ?? [] } }));
  const p = startIn(t, o.ns, process.execPath, [FIXTURE, config, json, socket]);
  return Object.assign(p, { name: o.name, socket, config });
}

// timeoutMs is generous: with fall 1 a `test` spawn that is slow on a loaded machine would count as
// the failure under test (CI saw a FAULT before the VIP was up); the failure path exits 1 at once.
const scriptOn = (flag: string, weight: number): Tracking => ({
  scripts: [{ name: 'chk', at, argv: ['/usr/bin/test', '-e', flag], intervalMs: 200, timeoutMs: 5000, weight, reverse: false, rise: 1, fall: 1, initFail: false }],
  files: [], processes: [],
});

async function lanWithMaster(t: ExecutionContext, tracking: Tracking, tracks: TrackRef[]) {
  const lan = makeLan(t, ['a', 'b']);
  const dir = tempDir(t);
  const a = startTracked(t, { ns: lan.ns.a!, name: 'a', dir, priority: 150, tracking, tracks });
  const b = startTracked(t, { ns: lan.ns.b!, name: 'b', dir, priority: 100 });
  // set-up waits, not what is measured: generous for a loaded CI machine
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER', 'a MASTER', STARTUP_MS);
  await waitUntil(() => roleOf(b, 'VI_1') === 'BACKUP', 'b BACKUP', STARTUP_MS);
  await waitUntil(() => addresses(lan.ns.a!).includes(VIP), 'VIP on a', STARTUP_MS);
  return { lan, dir, a, b };
}

test('vrrp_script failing on the master: its priority drops below the backup, which takes the VIP; it comes back', async (t) => {
  const dir0 = tempDir(t);
  const flag = join(dir0, 'healthy');
  writeFileSync(flag, '');
  const { lan, a, b } = await lanWithMaster(t, scriptOn(flag, -60), [{ kind: 'script', name: 'chk', at }]);
  rmSync(flag);
  const ms = await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER', 'b MASTER', 5000);
  t.log(`script failed → backup MASTER in ${ms} ms`);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP) && !addresses(lan.ns.a!).includes(VIP), 'VIP moved to b', 3000);
  const sa = vrrpStatus(a, lan.ns.a!)[0] as unknown as { state: string; priority: { configured: number; effective: number }; tracks: Array<{ name: string; state: string; delta: number }> };
  t.is(sa.state, 'BACKUP');
  t.deepEqual(sa.priority, { configured: 150, effective: 90 });
  t.like(sa.tracks[0], { name: 'chk', state: 'down', delta: -60 });
  t.true(a.lines.some((l) => l.event === 'vrrp.track' && l.priority === 90), 'the priority change is logged');
  writeFileSync(flag, '');
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER', 'a MASTER again (preempt)', 5000);
  await waitUntil(() => addresses(lan.ns.a!).includes(VIP), 'VIP back on a', 3000);
});

test('vrrp_script with weight 0 failing on the master puts it in FAULT; the backup takes over', async (t) => {
  const dir0 = tempDir(t);
  const flag = join(dir0, 'healthy');
  writeFileSync(flag, '');
  const { lan, a, b } = await lanWithMaster(t, scriptOn(flag, 0), [{ kind: 'script', name: 'chk', at }]);
  rmSync(flag);
  await waitUntil(() => roleOf(a, 'VI_1') === 'FAULT', 'a FAULT', 3000);
  await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER', 'b MASTER', 3000);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP) && !addresses(lan.ns.a!).includes(VIP), 'VIP moved to b', 3000);
  const sa = vrrpStatus(a, lan.ns.a!)[0] as unknown as { state: string; faultReason: string };
  t.is(sa.state, 'FAULT');
  t.is(sa.faultReason, 'script chk down');
  writeFileSync(flag, '');
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER', 'a leaves FAULT and preempts', 5000);
});

test('vrrp_track_process: the tracked process dies, the master priority drops, the VIP moves (/proc polled in a namespace)', async (t) => {
  const dir0 = tempDir(t);
  const name = `lvtrk${process.pid % 100000}`;
  const bin = join(dir0, name);
  copyFileSync('/bin/sleep', bin);
  const tracked = spawn(bin, ['600'], { stdio: 'ignore' });
  t.teardown(() => tracked.kill('SIGKILL'));
  const tracking: Tracking = {
    scripts: [], files: [],
    processes: [{ name: 'svc', at, process: name, fullCommand: false, quorum: 1, quorumMax: 65535, weight: -60, reverse: false, terminateDelayMs: 0, forkDelayMs: 0 }],
  };
  const { lan, a, b } = await lanWithMaster(t, tracking, [{ kind: 'process', name: 'svc', at }]);
  const polling = a.lines.filter((l) => l.event === 'track.process.polling');
  t.is(polling.length, 1, 'the refused connector is said once');
  t.is(polling[0]?.code, 'ECONNREFUSED');
  t.like(vrrpStatus(a, lan.ns.a!)[0], { priority: { configured: 150, effective: 150 } });
  const director = nsExec(lan.ns.a!, process.execPath, [LVSCTL, '--socket', a.socket, 'director']);
  t.true(director.includes('tracking 0 script(s), 0 file(s), 1 process(es), processes by polling /proc'), director);
  tracked.kill('SIGKILL');
  const ms = await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER', 'b MASTER', 5000);
  t.log(`process killed → backup MASTER in ${ms} ms (poll 1 s + master down)`);
  await waitUntil(() => addresses(lan.ns.b!).includes(VIP) && !addresses(lan.ns.a!).includes(VIP), 'VIP moved to b', 3000);
  t.like(vrrpStatus(a, lan.ns.a!)[0], { state: 'BACKUP', priority: { configured: 150, effective: 90 } });
  t.true(a.lines.some((l) => l.event === 'track.process' && l.name === 'svc' && l.up === false));
});
