import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LvsdError } from '../errors.js';
import { acquirePidFile, pidFileStatus } from './pidfile.js';

function tempDir(t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-pid-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A live child whose /proc/PID/cmdline contains `marker`; killed in teardown. */
async function liveChild(t: { teardown: (f: () => void) => void }, marker: string): Promise<number> {
  const child = execa(process.execPath, ['-e', 'process.stdout.write("up"); setInterval(() => {}, 1000)', marker], { reject: false });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  if (child.pid === undefined) throw new Error('child did not start');
  return child.pid;
}

test('acquire writes our pid in a new 0700 directory; release removes the file', (t) => {
  const dir = join(tempDir(t), 'run', 'lvsd');
  const path = join(dir, 'lvsd.pid');
  const p = acquirePidFile(path);
  t.is(readFileSync(path, 'utf8'), `${process.pid}\n`);
  t.is(statSync(dir).mode & 0o777, 0o700);
  t.deepEqual(readdirSync(dir), ['lvsd.pid'], 'no temporary file left behind');
  p.release();
  t.false(existsSync(path));
  p.release();
});

test('a pid file naming a live lvsd makes start fail and is left alone', async (t) => {
  const path = join(tempDir(t), 'lvsd.pid');
  const other = await liveChild(t, '/opt/lvsd/bin/lvsd');
  writeFileSync(path, `${other}\n`);
  const e = t.throws(() => acquirePidFile(path), { instanceOf: LvsdError });
  t.is(e?.code, 'EALREADY');
  t.is(e?.message, `lvsd is already running with pid ${other} (pid file ${path})`);
  t.is(readFileSync(path, 'utf8'), `${other}\n`);
  t.deepEqual(pidFileStatus(path), { state: 'running', pid: other });
});

test('a pid file naming a live process that is not lvsd is stale and taken over', async (t) => {
  const path = join(tempDir(t), 'lvsd.pid');
  const other = await liveChild(t, 'something-else');
  writeFileSync(path, `${other}\n`);
  t.deepEqual(pidFileStatus(path), { state: 'stale', pid: other });
  acquirePidFile(path, { pid: 4242 });
  t.is(readFileSync(path, 'utf8'), '4242\n');
});

test('a pid file naming a dead process, garbage, or our own pid is taken over', async (t) => {
  const dir = tempDir(t);
  const exited = execa(process.execPath, ['-e', '0', 'lvsd']);
  const deadPid = exited.pid ?? 0;
  await exited;
  for (const [name, text] of [['dead', `${deadPid}\n`], ['garbage', 'not a pid\n'], ['empty', ''], ['own', `${process.pid}\n`]] as const) {
    const path = join(dir, `${name}.pid`);
    writeFileSync(path, text);
    const p = acquirePidFile(path);
    t.is(readFileSync(path, 'utf8'), `${process.pid}\n`, name);
    p.release();
  }
});

test('the lvsd check reads PROC/PID/cmdline (NUL-separated arguments)', (t) => {
  const dir = tempDir(t);
  const proc = join(dir, 'proc');
  mkdirSync(join(proc, '777'), { recursive: true });
  writeFileSync(join(proc, '777', 'cmdline'), '/usr/bin/node\0/usr/lib/lvsd/dist/src/cli/lvsd.js\0-n\0');
  mkdirSync(join(proc, '778'), { recursive: true });
  writeFileSync(join(proc, '778', 'cmdline'), '/usr/sbin/sshd\0-D\0');
  writeFileSync(join(dir, 'a.pid'), '777\n');
  writeFileSync(join(dir, 'b.pid'), '778\n');
  t.deepEqual(pidFileStatus(join(dir, 'a.pid'), { procRoot: proc }), { state: 'running', pid: 777 });
  t.deepEqual(pidFileStatus(join(dir, 'b.pid'), { procRoot: proc }), { state: 'stale', pid: 778 });
  t.deepEqual(pidFileStatus(join(dir, 'none.pid'), { procRoot: proc }), { state: 'absent' });
});

test('release leaves a pid file that another lvsd has since taken', (t) => {
  const path = join(tempDir(t), 'lvsd.pid');
  const p = acquirePidFile(path);
  writeFileSync(path, '999999\n');
  p.release();
  t.is(readFileSync(path, 'utf8'), '999999\n');
});
