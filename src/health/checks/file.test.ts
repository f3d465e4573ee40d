import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackFile } from '../../model/index.js';
import type { AttemptSpec } from '../checker.js';
import { createFileChecker } from './file.js';

const def = (path: string): TrackFile => ({ name: 'tf', at: { file: 'k.conf', line: 1, col: 1 }, path, weight: 1, reverse: false });
const spec = (weight: number, reverse = false): AttemptSpec => ({
  probe: { kind: 'file', track: 'tf', weight, reverse }, address: '192.0.2.1', port: 80, target: {}, timeoutMs: 1000,
});

test('weight 0: zero is up, non-zero is down; a missing file reads as 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-fc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'state');
  const c = createFileChecker({ resolve: (n) => (n === 'tf' ? def(path) : undefined) });
  t.like(await c.start(spec(0)).result, { ok: true, weightDelta: 0 });
  writeFileSync(path, '1\n');
  t.like(await c.start(spec(0)).result, { ok: false, reason: 'content', detail: `${path} = 1` });
  t.like(await c.start(spec(0, true)).result, { ok: true });
  writeFileSync(path, '0\n');
  t.like(await c.start(spec(0)).result, { ok: true });
});

test('a weight turns the value into a weight delta; a refused number keeps the last good one', async (t) => {
  const files = new Map<string, string>([['/run/x', '5']]);
  const c = createFileChecker({ resolve: () => def('/run/x'), read: async (p) => files.get(p) ?? '' });
  t.like(await c.start(spec(10)).result, { ok: true, weightDelta: 50 });
  t.like(await c.start(spec(10, true)).result, { ok: true, weightDelta: -50 });
  files.set('/run/x', '99999999999');
  t.like(await c.start(spec(10)).result, { ok: true, weightDelta: 50 });
});

test('an unknown track_file name fails the attempt', async (t) => {
  const c = createFileChecker({ resolve: () => undefined });
  t.like(await c.start(spec(0)).result, { ok: false, reason: 'error', detail: 'no track_file "tf"' });
});
