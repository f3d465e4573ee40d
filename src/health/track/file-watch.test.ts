import test from 'ava';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeTimers } from '../timers.js';
import { TrackFileWatch, type FileNotice } from './file-watch.js';
import { file } from './tracking.fixture.js';
import { waitUntil } from '../../../test/fixtures/wait.js';

test('real inotify: writes, an atomic rename and a deletion are followed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-tf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'weight');
  writeFileSync(path, '3\n');
  const values: number[] = [];
  const w = new TrackFileWatch({ file: file('tf', path), timers: nodeTimers, onChange: (v) => values.push(v), onNotice: () => undefined });
  t.teardown(() => w.close());
  w.start();
  t.is(w.value(), 3);
  writeFileSync(path, '7\n');
  await waitUntil(() => w.value() === 7, 'the written value');
  writeFileSync(join(dir, 'tmp'), '-4\n');
  renameSync(join(dir, 'tmp'), path);
  await waitUntil(() => w.value() === -4, 'the renamed-in value');
  unlinkSync(path);
  await waitUntil(() => w.value() === 0, 'deletion read as 0');
  writeFileSync(join(dir, 'other'), '99\n');
  t.deepEqual(values, [7, -4, 0], 'other files in the directory do not count');
});

test('a missing directory makes the file unavailable; init creates a missing file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-tf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const notices: FileNotice[] = [];
  const gone = new TrackFileWatch({ file: file('tf', join(dir, 'nodir', 'x')), timers: nodeTimers, onChange: () => undefined, onNotice: (n) => notices.push(n) });
  gone.start();
  t.is(gone.value(), undefined);
  t.is(notices[0]?.kind, 'unavailable');
  const made = new TrackFileWatch({ file: file('tf', join(dir, 'made'), { init: 12 }), timers: nodeTimers, onChange: () => undefined, onNotice: (n) => notices.push(n) });
  t.teardown(() => made.close());
  made.start();
  t.is(made.value(), 12);
});
