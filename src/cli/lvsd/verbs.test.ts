import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, verb, type Kill } from './verbs.js';
import type { LvsdOptions } from './options.js';

const errno = (code: string): Error => Object.assign(new Error(code), { code });
const killThat = (code: string | undefined): Kill => () => {
  if (code !== undefined) throw errno(code);
  return true;
};

function setup(t: { teardown: (f: () => void) => void }, pidText: string | undefined): { opts: LvsdOptions; out: string[]; err: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-verbs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'lvsd.pid');
  if (pidText !== undefined) writeFileSync(pidFile, pidText);
  const opts: LvsdOptions = { config: join(dir, 'c'), socket: join(dir, 's'), pidFile, logLevel: 'info', logFile: join(dir, 'log'), vrrpRtPriority: 0 };
  return { opts, out: [], err: [] };
}

test('kill(pid, 0) failing with EPERM means running (another user\'s process); ESRCH means gone', (t) => {
  t.true(isRunning(42, killThat(undefined)));
  t.true(isRunning(42, killThat('EPERM')));
  t.false(isRunning(42, killThat('ESRCH')));
  t.throws(() => isRunning(42, killThat('EINVAL')), { message: 'EINVAL' });
});

test('status: 0 for an lvsd owned by another user (EPERM), 3 when gone or without a pid file', async (t) => {
  const s = setup(t, '4242\n');
  const io = { out: (x: string) => void s.out.push(x), err: (x: string) => void s.err.push(x) };
  t.is(await verb('status', s.opts, io, killThat('EPERM')), 0);
  t.deepEqual(s.out, ['lvsd is running (pid 4242)\n']);
  t.is(await verb('status', s.opts, io, killThat('ESRCH')), 3);
  const none = setup(t, undefined);
  t.is(await verb('status', none.opts, io, killThat(undefined)), 3);
});

test('stop and reload of an lvsd we may not signal fail with the reason, not a stack trace', async (t) => {
  const s = setup(t, '4242\n');
  const io = { out: (x: string) => void s.out.push(x), err: (x: string) => void s.err.push(x) };
  const kill = killThat('EPERM');
  t.is(await verb('stop', s.opts, io, kill), 1);
  t.is(await verb('reload', s.opts, io, kill), 1);
  t.deepEqual(s.err, [
    'lvsd: cannot send SIGTERM to lvsd (pid 4242): it runs as another user (EPERM)\n',
    'lvsd: cannot send SIGHUP to lvsd (pid 4242): it runs as another user (EPERM)\n',
  ]);
  t.is(await verb('frobnicate', s.opts, io, kill), 2);
});
