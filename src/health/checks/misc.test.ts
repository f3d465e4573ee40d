import test from 'ava';
import { FakeTimers } from '../timers.js';
import type { ScriptResult } from '../script.js';
import { createMiscChecker, judgeMiscExit } from './misc.js';
import type { AttemptSpec } from '../checker.js';

const exit = (code: number): ScriptResult => ({ outcome: { kind: 'exit', code }, latencyMs: 12, output: '', droppedBytes: 0 });

test('exit 0 is up at the configured weight, dynamic or not', (t) => {
  t.deepEqual(judgeMiscExit(exit(0), false, 5000), { ok: true, latencyMs: 12, detail: 'exit 0' });
  t.deepEqual(judgeMiscExit(exit(0), true, 5000), { ok: true, latencyMs: 12, detail: 'exit 0' });
});

test('exit 1 is down, dynamic or not', (t) => {
  t.deepEqual(judgeMiscExit(exit(1), false, 5000), { ok: false, latencyMs: 12, reason: 'exit', detail: 'exit 1' });
  t.deepEqual(judgeMiscExit(exit(1), true, 5000), { ok: false, latencyMs: 12, reason: 'exit', detail: 'exit 1' });
});

test('misc_dynamic: exit 2..255 is up with weight exit − 2', (t) => {
  t.deepEqual(judgeMiscExit(exit(2), true, 5000), { ok: true, latencyMs: 12, detail: 'exit 2', weight: 0 });
  t.deepEqual(judgeMiscExit(exit(52), true, 5000), { ok: true, latencyMs: 12, detail: 'exit 52', weight: 50 });
  t.deepEqual(judgeMiscExit(exit(255), true, 5000), { ok: true, latencyMs: 12, detail: 'exit 255', weight: 253 });
});

test('without misc_dynamic, exit 2..255 is down', (t) => {
  for (const c of [2, 3, 100, 255]) t.false(judgeMiscExit(exit(c), false, 5000).ok, `exit ${c}`);
});

test('killed at the timeout is down with reason timeout; another signal is down with reason exit', (t) => {
  const timedOut: ScriptResult = { outcome: { kind: 'timeout', signal: 'SIGTERM' }, latencyMs: 3000, output: '', droppedBytes: 0 };
  t.deepEqual(judgeMiscExit(timedOut, true, 3000), { ok: false, latencyMs: 3000, reason: 'timeout', detail: 'timeout after 3 s' });
  const killed: ScriptResult = { outcome: { kind: 'signal', signal: 'SIGKILL' }, latencyMs: 5, output: '', droppedBytes: 0 };
  t.deepEqual(judgeMiscExit(killed, true, 3000), { ok: false, latencyMs: 5, reason: 'exit', detail: 'killed by SIGKILL' });
});

const spec = (argv: string[], dynamic: boolean, timeoutMs = 5000): AttemptSpec => ({
  probe: { kind: 'misc', argv, dynamic }, address: '192.0.2.1', port: 80, target: {}, timeoutMs,
});

test('a real script: dynamic weight from its exit code', async (t) => {
  const r = await createMiscChecker().start(spec(['/bin/sh', '-c', 'exit 12'], true)).result;
  t.like(r, { ok: true, weight: 10 });
});

test('a real script that hangs is killed at the timeout and the attempt fails', async (t) => {
  const timers = new FakeTimers();
  const a = createMiscChecker({ timers, clock: timers.clock }).start(spec(['/bin/sleep', '30'], false, 2000));
  await timers.advance(2000);
  t.like(await a.result, { ok: false, reason: 'timeout', detail: 'timeout after 2 s' });
});

test('a missing script fails the attempt with its errno', async (t) => {
  t.like(await createMiscChecker().start(spec(['/nonexistent/script'], false)).result, { ok: false, reason: 'error', errno: 'ENOENT' });
});

test('the director\'s policy decides before each run: a refused script fails with its errno, a prepared one runs as given', async (t) => {
  const seen: unknown[] = [];
  const refuse = createMiscChecker({ prepare: (run) => { seen.push(run); return { ok: false, error: { code: 'EPERM', message: 'script /x runs as root and /x is writable by others: not run (enable_script_security)' } }; } });
  const p = { ...spec(['/x', 'a'], false), probe: { kind: 'misc' as const, argv: ['/x', 'a'], dynamic: false, user: 'www', group: 'adm' } };
  t.like(await refuse.start(p).result, { ok: false, reason: 'error', errno: 'EPERM', detail: 'script /x runs as root and /x is writable by others: not run (enable_script_security)' });
  t.deepEqual(seen, [{ argv: ['/x', 'a'], user: 'www', group: 'adm' }]);
  const rewrite = createMiscChecker({ prepare: () => ({ ok: true, value: { argv: ['/bin/sh', '-c', 'exit 7'] } }) });
  t.like(await rewrite.start(spec(['sh-in-path'], true)).result, { ok: true, weight: 5 });
});
