/** ldirectord-compatible verbs: start detaches and returns once the director answers; status 0/3; stop. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { makeLan } from './topology.js';
import { keepalivedInstance, tempDir, LVSD } from './lvsd-harness.js';

test('start, status, reload, stop with ldirectord exit codes', (t) => {
  const lan = makeLan(t, ['a']);
  const dir = tempDir(t);
  const conf = join(dir, 'a.conf');
  writeFileSync(conf, keepalivedInstance({ vrid: 81, priority: 150, advertInt: '1', vips: ['192.0.2.10/24'] }));
  const lvsd = (...args: string[]) =>
    spawnSync('ip', ['netns', 'exec', lan.ns.a!, process.execPath, LVSD, '-f', conf, '--socket', join(dir, 's'), '--pid-file', join(dir, 'p'),
      '--log-file', join(dir, 'log'), ...args], { encoding: 'utf8', timeout: 30_000 });
  t.teardown(() => void lvsd('stop'));
  t.is(lvsd('status').status, 3, 'stopped before start');
  const start = lvsd('start');
  t.is(start.status, 0, start.stderr);
  t.is(lvsd('status').status, 0);
  t.regex(lvsd('status').stdout, /lvsd is running \(pid \d+\)/);
  t.is(lvsd('reload').status, 0);
  t.is(lvsd('stop').status, 0);
  t.is(lvsd('status').status, 3);
  t.is(lvsd('frobnicate').status, 2, 'unknown verb is a usage error');
});
