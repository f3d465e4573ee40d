/**
 * track_process through the kernel's process events connector, in the initial network
 * namespace (root): exec, comm change and exit are seen as events, without polling. Inside a
 * namespace the connector is refused (track.test.ts covers the /proc polling there).
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicClock } from '../../src/clock.js';
import type { TrackProcess } from '../../src/model/types.js';
import { ProcessWatch, type ProcessNotice } from '../../src/health/track/process-watch.js';
import { openProcConnector } from '../../src/health/track/proc-connector.js';
import { nodeTimers } from '../../src/health/timers.js';
import { REPO, tempDir } from './lvsd-harness.js';
import { waitUntil } from '../fixtures/wait.js';

const at = { file: 'track-connector.test.ts', line: 1, col: 1 };
const def = (name: string, process: string): TrackProcess =>
  ({ name, at, process, fullCommand: false, quorum: 1, quorumMax: 65535, weight: 0, reverse: false, terminateDelayMs: 0, forkDelayMs: 0 });

function watch(defs: TrackProcess[]) {
  const changes: Array<{ name: string; up: boolean; count: number }> = [];
  const notices: ProcessNotice[] = [];
  const w = new ProcessWatch({ defs, clock: monotonicClock, timers: nodeTimers, pollMs: 60_000,
    onChange: (name, up, count) => changes.push({ name, up, count }), onNotice: (n) => notices.push(n) });
  return { w, changes, notices };
}

test('exec, comm change and exit arrive as events', async (t) => {
  const dir = tempDir(t);
  const byExec = `lvce${process.pid % 100000}`;
  const byComm = `lvcc${process.pid % 100000}`;
  const bin = join(dir, byExec);
  copyFileSync('/bin/sleep', bin);
  const { w, changes, notices } = watch([def('exec', byExec), def('comm', byComm)]);
  t.teardown(() => w.close());
  await w.start();
  t.is(w.mode, 'events', JSON.stringify(notices));
  t.deepEqual([w.state('exec'), w.state('comm')], [{ up: false, count: 0 }, { up: false, count: 0 }]);
  const sleeper = spawn(bin, ['600'], { stdio: 'ignore' });
  t.teardown(() => sleeper.kill('SIGKILL'));
  await waitUntil(() => w.state('exec')?.up === true, 'exec seen', 3000);
  const renamer = spawn(process.execPath, ['-e', `process.title = ${JSON.stringify(byComm)}; setInterval(() => {}, 1000)`], { stdio: 'ignore' });
  t.teardown(() => renamer.kill('SIGKILL'));
  await waitUntil(() => w.state('comm')?.up === true, 'comm change seen', 5000);
  sleeper.kill('SIGKILL');
  await waitUntil(() => w.state('exec')?.up === false, 'exit seen', 3000);
  renamer.kill('SIGKILL');
  await waitUntil(() => w.state('comm')?.up === false, 'exit seen', 3000);
  t.deepEqual(changes.map((c) => `${c.name} ${c.up}`), ['exec true', 'comm true', 'exec false', 'comm false']);
});

test('the LISTEN request is refused inside a network namespace', async (t) => {
  // This process is in the initial namespace; ask a child in a fresh one.
  const ns = `lvt-cn-${process.pid % 100000}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  const code = `import('${join(REPO, 'dist/src/health/track/proc-connector.js')}').then(async (m) => {
    const r = await m.openProcConnector({ onEvent() {}, onLost() {}, onError() {} });
    process.stdout.write(JSON.stringify(r.ok ? 'ok' : r.error.code));
    if (r.ok) r.value.close();
  })`;
  const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { encoding: 'utf8' });
  t.is(JSON.parse(out), 'ECONNREFUSED');
  const here = await openProcConnector({ onEvent: () => undefined, onLost: () => undefined, onError: () => undefined });
  t.true(here.ok, 'and accepted in the initial namespace');
  if (here.ok) here.value.close();
});
