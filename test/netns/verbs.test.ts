/** ldirectord-compatible verbs: start detaches and returns once the director answers; status 0/1/3 with ldirectord's sentences; stop. */
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
  const before = lvsd('status');
  t.is(before.status, 3, 'stopped before start');
  t.is(before.stdout, `lvsd is stopped for ${conf}\n`);
  t.is(lvsd('reload').status, 1, 'reload of a stopped lvsd');
  t.is(lvsd('stop').status, 0, 'stop of a stopped lvsd');
  const start = lvsd('start');
  t.is(start.status, 0, start.stderr);
  t.is(lvsd('start').status, 0, 'start of a running lvsd');
  const running = lvsd('status');
  t.is(running.status, 0);
  t.regex(running.stderr, new RegExp(`^lvsd for ${conf} is running with pid: \\d+\n$`));
  t.is(lvsd('reload').status, 0);
  t.is(lvsd('force-reload').status, 0);
  t.is(lvsd('try-restart').status, 0);
  t.is(lvsd('status').status, 0, 'running again after try-restart');
  t.is(lvsd('stop').status, 0);
  t.is(lvsd('status').status, 3, 'stop waits until it is gone');
  writeFileSync(join(dir, 'p'), '999999\n');
  const stale = lvsd('status');
  t.is(stale.status, 1, 'stale pid file');
  t.is(stale.stderr, `lvsd stale pid file ${join(dir, 'p')} for ${conf}\n`);
  t.is(lvsd('frobnicate').status, 2, 'unknown verb is a usage error');
});
