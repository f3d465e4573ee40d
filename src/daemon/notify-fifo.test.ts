import test from 'ava';
import { closeSync, constants, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForValue, waitUntil } from '../../test/fixtures/wait.js';
import type { NotifyFifo } from '../model/index.js';
import { fifoLine, NotifyFifos } from './notify-fifo.js';
import { createLogger } from './logger.js';

const at = { file: 'k.conf', line: 1, col: 1 };

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'lvsd-fifo-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function fifos() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', stream: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { f: new NotifyFifos(log), lines };
}

test('keepalived\'s line format: INSTANCE "NAME" STATE PRIORITY, GROUP with priority 0', (t) => {
  t.is(fifoLine({ kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 }), 'INSTANCE "VI_1" MASTER 100\n');
  t.is(fifoLine({ kind: 'GROUP', name: 'G', state: 'BACKUP', priority: 50 }), 'GROUP "G" BACKUP 0\n');
  t.is(fifoLine({ kind: 'INSTANCE', name: 'VI_1', state: 'BACKUP_PRIORITY', priority: 90 }), 'INSTANCE "VI_1" BACKUP_PRIORITY 90\n');
});

test('a missing FIFO is created (0644), written without a reader waiting, read by its script, and removed on close', async (t) => {
  const d = dir(t);
  const path = join(d, 'vrrp.fifo');
  const out = join(d, 'out');
  // keepalived appends the FIFO's path to the script's argv: here it is $0 of sh -c
  const cfg: NotifyFifo = { at, keyword: 'vrrp_notify_fifo', path, script: ['/bin/sh', '-c', `exec cat "$0" > ${out}`] };
  const { f } = fifos();
  await f.configure([cfg]);
  t.true(lstatSync(path).isFIFO());
  t.is(lstatSync(path).mode & 0o777, 0o644);
  f.write({ kind: 'INSTANCE', name: 'VI_1', state: 'BACKUP', priority: 100 });
  f.write({ kind: 'GROUP', name: 'G', state: 'MASTER', priority: 0 });
  await waitUntil(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length === 3, 'the script to copy both lines');
  t.is(readFileSync(out, 'utf8'), 'INSTANCE "VI_1" BACKUP 100\nGROUP "G" MASTER 0\n');
  await f.close();
  t.false(existsSync(path), 'the FIFO lvsd created is removed');
});

test('an existing FIFO is kept on close; a path that is not a FIFO is refused and logged', async (t) => {
  const d = dir(t);
  const path = join(d, 'plain');
  writeFileSync(path, '');
  const { f, lines } = fifos();
  await f.configure([{ at, keyword: 'notify_fifo', path }]);
  f.write({ kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 });
  t.is(readFileSync(path, 'utf8'), '', 'nothing written into the regular file');
  t.like(lines.find((l) => l.event === 'notify.fifo'), { what: 'check', fifo: path });
  await f.close();

  const fifo = join(d, 'mine.fifo');
  const first = fifos().f;
  await first.configure([{ at, keyword: 'notify_fifo', path: fifo }]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  t.teardown(() => closeSync(reader));
  const second = fifos().f; // the path exists now: used as it is
  await second.configure([{ at, keyword: 'notify_fifo', path: fifo }]);
  second.write({ kind: 'INSTANCE', name: 'VI_2', state: 'FAULT', priority: 1 });
  const buf = Buffer.alloc(256);
  const read = (): string | undefined => {
    try {
      const n = readSync(reader, buf);
      return n > 0 ? buf.subarray(0, n).toString() : undefined;
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'EAGAIN') return undefined; // nothing yet
      throw e;
    }
  };
  const got = await waitForValue(read, 'a line');
  t.is(got, 'INSTANCE "VI_2" FAULT 1\n');
  await second.close();
  t.true(existsSync(fifo), 'a FIFO lvsd did not create is left in place');
  await first.close();
  t.false(existsSync(fifo));
});
