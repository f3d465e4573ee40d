import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyScripts } from '../model/index.js';
import { NotifyRunner, notifyArgv, type NotifyResult } from './notify.js';

/** For waits and job deadlines that are not under test: node takes seconds to start on a loaded machine. */
const GENEROUS_MS = 30_000;

function tempDir(t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-notify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** argv of a node script that appends `NAME start|end TIME` to LOG, sleeps SLEEPMS, exits CODE. */
function recorder(log: string, name: string, o: { sleepMs?: number; code?: number } = {}): string[] {
  const script = `
    const fs = require('fs');
    const [log, name, sleepMs, code] = process.argv.slice(1);
    fs.appendFileSync(log, name + ' start ' + performance.timeOrigin + performance.now() + '\\n');
    setTimeout(() => { fs.appendFileSync(log, name + ' end\\n'); process.exit(Number(code)); }, Number(sleepMs));`;
  return [process.execPath, '-e', script, log, name, String(o.sleepMs ?? 0), String(o.code ?? 0)];
}

function collect(): { results: NotifyResult[]; onResult: (r: NotifyResult) => void } {
  const results: NotifyResult[] = [];
  return { results, onResult: (r) => results.push(r) };
}

test('jobs run one at a time in the order queued, even when the first is the slowest', async (t) => {
  const log = join(tempDir(t), 'log');
  const c = collect();
  const runner = new NotifyRunner({ onResult: c.onResult });
  runner.enqueue({ argv: recorder(log, 'A', { sleepMs: 300 }), timeoutMs: GENEROUS_MS, label: 'A' });
  runner.enqueue({ argv: recorder(log, 'B', { sleepMs: 0 }), timeoutMs: GENEROUS_MS, label: 'B' });
  runner.enqueue({ argv: recorder(log, 'C', { sleepMs: 50, code: 3 }), timeoutMs: GENEROUS_MS, label: 'C' });
  t.is(runner.pending, 3);
  t.true(await runner.idle(GENEROUS_MS));
  const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
  t.deepEqual(events, ['A start', 'A end', 'B start', 'B end', 'C start', 'C end']);
  t.deepEqual(c.results.map((r) => [r.label, r.exitCode, r.timedOut]), [['A', 0, false], ['B', 0, false], ['C', 3, false]]);
  t.true((c.results[0]?.ms ?? 0) >= 290, 'ms covers the 300 ms sleep');
  t.is(runner.pending, 0);
});

test('a job past its timeout is killed (SIGTERM, then SIGKILL if ignored) and the next one runs', async (t) => {
  const log = join(tempDir(t), 'log');
  const c = collect();
  const runner = new NotifyRunner({ onResult: c.onResult, killGraceMs: 200 });
  const stubborn = `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`;
  // 5 s so that node has surely installed its SIGTERM handler before the timeout, even on a heavily loaded
  // machine (1.5 s was not enough with a load average of 10 on 2 cores).
  runner.enqueue({ argv: [process.execPath, '-e', stubborn], timeoutMs: 5000, label: 'stuck' });
  runner.enqueue({ argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], timeoutMs: 200, label: 'polite' });
  runner.enqueue({ argv: recorder(log, 'after'), timeoutMs: GENEROUS_MS, label: 'after' });
  t.true(await runner.idle(GENEROUS_MS));
  t.like(c.results[0], { label: 'stuck', timedOut: true, exitCode: null, signal: 'SIGKILL' });
  t.true((c.results[0]?.ms ?? 0) >= 5190, 'SIGKILL came only after the grace period');
  t.like(c.results[1], { label: 'polite', timedOut: true, exitCode: null, signal: 'SIGTERM' });
  t.like(c.results[2], { label: 'after', exitCode: 0, timedOut: false });
  t.true(existsSync(log));
});

test('argv is passed as is, never through a shell', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'argv.json');
  const marker = join(dir, 'pwned');
  const c = collect();
  const runner = new NotifyRunner({ onResult: c.onResult });
  const script = `require('fs').writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))`;
  const tricky = [`$(touch ${marker})`, `; touch ${marker}`, 'a b', '*'];
  runner.enqueue({ argv: [process.execPath, '-e', script, out, ...tricky], timeoutMs: GENEROUS_MS });
  t.true(await runner.idle(GENEROUS_MS));
  t.deepEqual(JSON.parse(readFileSync(out, 'utf8')), tricky);
  t.false(existsSync(marker));
});

test('a program that does not exist is reported with its errno and the queue goes on', async (t) => {
  const log = join(tempDir(t), 'log');
  const c = collect();
  const runner = new NotifyRunner({ onResult: c.onResult });
  runner.enqueue({ argv: ['/nonexistent/notify-script', 'x'], timeoutMs: 1000, label: 'missing' });
  runner.enqueue({ argv: recorder(log, 'next'), timeoutMs: GENEROUS_MS, label: 'next' });
  t.true(await runner.idle(GENEROUS_MS));
  t.like(c.results[0], { label: 'missing', exitCode: null, error: { code: 'ENOENT' } });
  t.like(c.results[1], { label: 'next', exitCode: 0 });
});

test('idle() gives up after its timeout while a job still runs', async (t) => {
  const runner = new NotifyRunner({ onResult: () => undefined });
  runner.enqueue({ argv: [process.execPath, '-e', 'setTimeout(() => {}, 400)'], timeoutMs: GENEROUS_MS });
  t.false(await runner.idle(50));
  t.true(await runner.idle(GENEROUS_MS));
});

const scripts: NotifyScripts = { master: ['/etc/m.sh', 'up'], backup: ['/etc/b.sh'], any: ['/etc/n.sh', '--x'], timeoutMs: 1000 };

test('notifyArgv: the state script first, then notify with INSTANCE NAME STATE PRIORITY', (t) => {
  const inst = { name: 'VI_1', notify: scripts };
  t.deepEqual(notifyArgv(inst, 'MASTER', 150), [['/etc/m.sh', 'up'], ['/etc/n.sh', '--x', 'INSTANCE', 'VI_1', 'MASTER', '150']]);
  t.deepEqual(notifyArgv(inst, 'BACKUP', 100), [['/etc/b.sh'], ['/etc/n.sh', '--x', 'INSTANCE', 'VI_1', 'BACKUP', '100']]);
  t.deepEqual(notifyArgv(inst, 'FAULT', 0), [['/etc/n.sh', '--x', 'INSTANCE', 'VI_1', 'FAULT', '0']]);
  t.deepEqual(notifyArgv(inst, 'INIT', 100), []);
});

test('notifyArgv: a sync group says GROUP and priority 0, as keepalived does', (t) => {
  const group = { name: 'G1', members: ['VI_1'], notify: scripts };
  t.deepEqual(notifyArgv(group, 'MASTER', 150)[1], ['/etc/n.sh', '--x', 'GROUP', 'G1', 'MASTER', '0']);
});

test('uid and gid reach the child (here lvsd\'s own ids: setting them needs no privilege)', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'ids');
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const c = collect();
  const runner = new NotifyRunner({ onResult: c.onResult });
  const script = `require('fs').writeFileSync(process.argv[1], process.getuid() + ':' + process.getgid())`;
  runner.enqueue({ argv: [process.execPath, '-e', script, out], timeoutMs: GENEROUS_MS, uid, gid });
  t.true(await runner.idle(GENEROUS_MS));
  const [u, g] = readFileSync(out, 'utf8').split(':');
  t.is(Number(u), uid);
  t.is(Number(g), gid);
  t.deepEqual(c.results.map((r) => r.exitCode), [0]);
});
