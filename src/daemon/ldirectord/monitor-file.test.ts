import test from 'ava';
import { MonitorFiles, monitorLine, perlLocaltime } from './monitor-file.js';

test('Perl scalar localtime: day of month padded with a space, local time', (t) => {
  t.is(perlLocaltime(new Date(2026, 10, 25, 13, 56, 52)), 'Wed Nov 25 13:56:52 2026');
  t.is(perlLocaltime(new Date(1999, 8, 9, 3, 46, 40)), 'Thu Sep  9 03:46:40 1999');
});

test('a line: [time] [pid] name [up|down] message, with % | CR LF as %XX and "-" for no message', (t) => {
  const at = new Date(2026, 0, 2, 3, 4, 5);
  t.is(monitorLine({ at, pid: 7, name: 'negotiate http tcp 10.0.0.1 80 1 masq / ok', up: true, message: 'HTTP 200' }),
    '[Fri Jan  2 03:04:05 2026] [7] negotiate http tcp 10.0.0.1 80 1 masq / ok [up] HTTP 200\n');
  t.is(monitorLine({ at, pid: 7, name: 'n', up: false, message: '50% a|b\r\nc' }), '[Fri Jan  2 03:04:05 2026] [7] n [down] 50%25 a%7cb%0d%0ac\n');
  t.is(monitorLine({ at, pid: 7, name: 'n', up: false }), '[Fri Jan  2 03:04:05 2026] [7] n [down] -\n');
});

test('MonitorFiles: lines in order, those written during an append go in the next; a failing file is reported once until it works again', async (t) => {
  const appends: Array<[string, string]> = [];
  const failures: string[] = [];
  let fail = false;
  const release: Array<() => void> = [];
  const files = new MonitorFiles({
    append: (path, text) => new Promise((resolve, reject) => {
      release.push(() => (fail ? reject(new Error('EACCES')) : resolve()));
      appends.push([path, text]);
    }),
    failed: (path) => failures.push(path),
  });
  files.write('/a', '1\n');
  files.write('/a', '2\n');
  files.write('/b', 'x\n');
  files.write('/a', '3\n');
  t.deepEqual(appends, [['/a', '1\n'], ['/b', 'x\n']]);
  release.splice(0).forEach((r) => r());
  await new Promise((r) => setImmediate(r));
  t.deepEqual(appends.slice(2), [['/a', '2\n3\n']]);
  release.splice(0).forEach((r) => r());
  await new Promise((r) => setImmediate(r));
  fail = true;
  files.write('/b', 'y\n');
  release.splice(0).forEach((r) => r());
  await new Promise((r) => setImmediate(r));
  files.write('/b', 'z\n');
  release.splice(0).forEach((r) => r());
  await new Promise((r) => setImmediate(r));
  t.deepEqual(failures, ['/b'], 'the second failure of /b is not reported again');
  fail = false;
  files.write('/b', 'w\n');
  release.splice(0).forEach((r) => r());
  await files.idle();
  t.deepEqual(appends.map(([p, s]) => `${p} ${s}`), ['/a 1\n', '/b x\n', '/a 2\n3\n', '/b y\n', '/b z\n', '/b w\n']);
});
