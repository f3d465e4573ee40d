import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCmdline, parseStat, readProc, scanProcs } from './proc-scan.js';

test('stat: comm may contain spaces and parentheses', (t) => {
  t.deepEqual(parseStat('1234 (my (odd) name) S 1 1234 1234 0'), { comm: 'my (odd) name', state: 'S' });
  t.deepEqual(parseStat('99 (zombie) Z 1'), { comm: 'zombie', state: 'Z' });
  t.is(parseStat('garbage'), undefined);
});

test('cmdline splits at NULs', (t) => {
  t.deepEqual(parseCmdline(Buffer.from('/usr/sbin/nginx\0-g\0daemon off;\0')), ['/usr/sbin/nginx', '-g', 'daemon off;']);
  t.deepEqual(parseCmdline(Buffer.from('nginx: worker process')), ['nginx: worker process']);
});

test('a scan skips zombies, vanished processes and non-pid entries', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'lvsd-proc-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const add = (pid: string, stat: string, cmdline?: string): void => {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, 'stat'), stat);
    if (cmdline !== undefined) writeFileSync(join(root, pid, 'cmdline'), cmdline);
  };
  add('10', '10 (nginx) S 1', 'nginx: master\0');
  add('11', '11 (nginx) Z 10', '');
  mkdirSync(join(root, '12'));
  add('self', '1 (x) S 0');
  writeFileSync(join(root, 'uptime'), '1 1');
  t.deepEqual(scanProcs({ procRoot: root, cmdline: false }), [{ pid: 10, comm: 'nginx' }]);
  t.deepEqual(scanProcs({ procRoot: root, cmdline: true }), [{ pid: 10, comm: 'nginx', cmdline: ['nginx: master'] }]);
});

test('our own process is found in the real /proc', (t) => {
  const me = readProc(process.pid, { procRoot: '/proc', cmdline: true });
  t.is(me?.pid, process.pid);
  t.is(me?.cmdline?.[0], process.argv0);
});
