import test from 'ava';
import { readFileSync } from 'node:fs';
import type { SpawnOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { FakeTimers } from './timers.js';
import { findUser } from './passwd.js';
import { describeOutcome, runScript } from './script.js';
import { waitUntil } from '../../test/fixtures/wait.js';

/** True once `pid` ignores SIGTERM (bit 15 of SigIgn in /proc/PID/status). */
function ignoresTerm(pid: number): boolean {
  try {
    const m = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    const state = /State:\s*(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

test('an exit code is reported with the output', async (t) => {
  const r = await runScript({ argv: ['/bin/sh', '-c', 'echo hello; echo oops >&2; exit 3'], timeoutMs: 0 }).result;
  t.deepEqual(r.outcome, { kind: 'exit', code: 3 });
  t.true(r.output.includes('hello') && r.output.includes('oops'));
  t.is(r.droppedBytes, 0);
  t.is(describeOutcome(r.outcome, 0), 'exit 3');
});

test('arguments are passed as argv, never through a shell', async (t) => {
  const r = await runScript({ argv: ['/bin/echo', '$HOME', 'a b', ';', 'exit 1'], timeoutMs: 0 }).result;
  t.deepEqual(r.outcome, { kind: 'exit', code: 0 });
  t.is(r.output, '$HOME a b ; exit 1\n');
});

test('a chatty script never blocks: output beyond the limit is read and dropped', async (t) => {
  const r = await runScript({ argv: ['/usr/bin/head', '-c', '5000000', '/dev/zero'], timeoutMs: 0, outputLimitBytes: 100 }).result;
  t.deepEqual(r.outcome, { kind: 'exit', code: 0 });
  t.is(r.output.length, 100);
  t.is(r.droppedBytes, 5_000_000 - 100);
});

test('at the timeout the script gets SIGTERM and counts as timed out', async (t) => {
  const timers = new FakeTimers();
  const run = runScript({ argv: ['/bin/sleep', '30'], timeoutMs: 3000 }, { timers, clock: timers.clock });
  t.is(timers.size, 1);
  await timers.advance(3000);
  const r = await run.result;
  t.deepEqual(r.outcome, { kind: 'timeout', signal: 'SIGTERM' });
  t.is(r.latencyMs, 3000);
  t.is(describeOutcome(r.outcome, 3000), 'timeout after 3 s');
});

test('a script ignoring SIGTERM gets SIGKILL after the grace period', async (t) => {
  const timers = new FakeTimers();
  const run = runScript({ argv: ['/bin/sh', '-c', 'trap "" TERM; exec /bin/sleep 30'], timeoutMs: 1000, killGraceMs: 2000 }, { timers, clock: timers.clock });
  const pid = run.pid ?? 0;
  await waitUntil(() => ignoresTerm(pid), 'the script to ignore SIGTERM');
  await timers.advance(1000);
  t.true(alive(pid), 'SIGTERM ignored');
  await timers.advance(2000);
  const r = await run.result;
  t.deepEqual(r.outcome, { kind: 'timeout', signal: 'SIGKILL' });
});

test('a script that catches SIGTERM and exits 0 reports exit 0 (as keepalived)', async (t) => {
  const timers = new FakeTimers();
  const run = runScript({ argv: ['/bin/sh', '-c', 'trap "exit 0" TERM; while :; do /bin/sleep 0.01; done'], timeoutMs: 500 }, { timers, clock: timers.clock });
  // The trap is a handler, not an ignore: wait until the shell has run it by looking for the loop's sleep.
  await waitUntil(() => readFileSync(`/proc/${run.pid}/task/${run.pid}/children`, 'utf8').trim() !== '', 'the loop to run');
  await timers.advance(500);
  const r = await run.result;
  t.deepEqual(r.outcome, { kind: 'exit', code: 0 });
});

test('the timeout kills the whole process group, children included', async (t) => {
  const timers = new FakeTimers();
  const run = runScript({ argv: ['/bin/sh', '-c', '/bin/sleep 30 & echo $!; wait'], timeoutMs: 1000 }, { timers, clock: timers.clock });
  // The background pid is printed first; wait for it through /proc (the result comes later).
  let bg = 0;
  await waitUntil(() => {
    const kids = readFileSync(`/proc/${run.pid}/task/${run.pid}/children`, 'utf8').trim();
    bg = Number(kids.split(' ')[0] ?? 0);
    return bg > 0;
  }, 'the background child');
  await timers.advance(1000);
  const r = await run.result;
  t.is(r.outcome.kind, 'timeout');
  await waitUntil(() => !alive(bg), 'the background child to die');
  t.false(alive(bg));
});

test('a script killed by a signal of its own is a failure, not a timeout', async (t) => {
  const r = await runScript({ argv: ['/bin/sh', '-c', 'kill -SEGV $$'], timeoutMs: 5000 }).result;
  t.deepEqual(r.outcome, { kind: 'signal', signal: 'SIGSEGV' });
  t.is(describeOutcome(r.outcome, 5000), 'killed by SIGSEGV');
});

test('a missing program is an error with its errno', async (t) => {
  const r = await runScript({ argv: ['/nonexistent/check'], timeoutMs: 1000 }).result;
  t.is(r.outcome.kind, 'error');
  t.is(r.outcome.kind === 'error' ? r.outcome.code : '', 'ENOENT');
});

test('an unknown user is an error and nothing runs', async (t) => {
  let spawned = false;
  const r = await runScript({ argv: ['/bin/true'], user: 'nosuchuser', timeoutMs: 1000 }, {
    lookupUser: () => ({ ok: false, error: { code: 'ENOENT', message: 'no user "nosuchuser" in /etc/passwd' } }),
    spawn: (c, a, o) => { spawned = true; return spawn(c, a, o); },
  }).result;
  t.deepEqual(r.outcome, { kind: 'error', code: 'ENOENT', message: 'no user "nosuchuser" in /etc/passwd' });
  t.false(spawned);
});

test('a user is resolved to uid and gid for spawn, in a process group of its own', async (t) => {
  let seen: SpawnOptions | undefined;
  await runScript({ argv: ['/bin/true'], user: 'www', timeoutMs: 1000 }, {
    lookupUser: () => ({ ok: true, value: { name: 'www', uid: 33, gid: 34 } }),
    spawn: (c, a, o) => { seen = o; return spawn(c, a, { ...o, uid: undefined, gid: undefined }); },
  }).result;
  t.is(seen?.uid, 33);
  t.is(seen?.gid, 34);
  t.true(seen?.detached);
});

(process.getuid?.() === 0 ? test : test.skip)('as root, the script really runs as the user', async (t) => {
  const r = await runScript({ argv: ['/usr/bin/id', '-u'], user: 'nobody', timeoutMs: 5000 }).result;
  t.deepEqual(r.outcome, { kind: 'exit', code: 0 });
  const nobody = findUser(readFileSync('/etc/passwd', 'utf8'), 'nobody');
  t.is(r.output.trim(), nobody.ok ? String(nobody.value.uid) : 'no nobody user');
});

test('cancel kills the script and resolves as cancelled', async (t) => {
  const run = runScript({ argv: ['/bin/sleep', '30'], timeoutMs: 0 });
  const pid = run.pid ?? 0;
  t.true(alive(pid));
  run.cancel();
  const r = await run.result;
  t.deepEqual(r.outcome, { kind: 'cancelled' });
  t.false(alive(pid));
});

test('passwd: by name, by numeric uid, malformed lines skipped, missing user', (t) => {
  const text = ['# comment', 'broken:line', 'root:x:0:0:root:/root:/bin/bash', 'www-data:x:33:33:www:/var/www:/usr/sbin/nologin', ''].join('\n');
  t.deepEqual(findUser(text, 'www-data'), { ok: true, value: { name: 'www-data', uid: 33, gid: 33 } });
  t.deepEqual(findUser(text, '0'), { ok: true, value: { name: 'root', uid: 0, gid: 0 } });
  t.deepEqual(findUser(text, 'broken'), { ok: false, error: { code: 'ENOENT', message: 'no user "broken" in /etc/passwd' } });
});
