/**
 * The reconciler against the real kernel (issue 3 item 4), in the IPVS lab: minimal ops per
 * config change, convergence (nothing left to do after applying), adoption of an existing
 * table without a single op, and the `mh` canonical order: two directors with different
 * histories end with the same destination list order, hence the same Maglev table.
 *
 * Run: npx tsc -p . && scripts/lab run -- node_modules/.bin/ava --serial dist/test/lab/reconcile.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepReport } from './reconcile-fixture.js';

const fixture = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'), 'dist/test/lab/reconcile-fixture.js');
if (!existsSync('/proc/net/ip_vs')) await execa('modprobe', ['ip_vs'], { reject: false });
const labTest = existsSync('/proc/net/ip_vs') ? test.serial : test.skip;

let counter = 0;
/** A director namespace whose every address is routable (IPVS refuses unroutable dests). */
async function director(t: ExecutionContext): Promise<string> {
  counter += 1;
  const ns = `lvs-rec-${process.pid}-${counter}`;
  await execa('ip', ['netns', 'add', ns]);
  t.teardown(async () => { await execa('ip', ['netns', 'del', ns], { reject: false }); });
  for (const argv of [['link', 'set', 'lo', 'up'], ['link', 'add', 'dum0', 'type', 'dummy'], ['link', 'set', 'dum0', 'up'],
    ['route', 'add', 'default', 'dev', 'dum0']]) await execa('ip', ['-n', ns, ...argv]);
  return ns;
}

async function runFixture(t: ExecutionContext, mode: string): Promise<StepReport[]> {
  const ns = await director(t);
  const r = await execa('ip', ['netns', 'exec', ns, process.execPath, fixture, mode], { reject: false });
  if (r.exitCode !== 0) throw new Error(`fixture ${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout) as StepReport[];
}

/** Dest lines of the mh service in kernel list order. */
const mhOrder = (nosort: string): string[] => {
  const block = nosort.split(/\n(?=TCP|FWM)/).find((b) => b.startsWith('TCP  192.0.2.10:80 mh')) ?? '';
  return block.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1] ?? '');
};

labTest('config history: minimal ops, convergence, and the same mh list order as a fresh director', async (t) => {
  const history = await runFixture(t, 'history');
  t.deepEqual(history.map((s) => s.residual), [0, 0, 0, 0], 'nothing left to do after each step');
  t.deepEqual(history[0]?.ops, ['add-service', 'add-dest 10.0.0.10', 'add-dest 10.0.0.30', 'add-dest 10.0.0.40',
    'add-service', 'add-dest 10.0.0.1', 'add-dest 10.0.0.2']);
  t.deepEqual(history[1]?.ops, ['edit-dest 10.0.0.2'], 'one weight change is one SET_DEST');
  t.deepEqual(history[3]?.ops, ['del-dest 10.0.0.30']);
  // The kernel lists dests newest first: canonical adds give the canonical order reversed.
  t.deepEqual(mhOrder(history[0]?.nosort ?? ''), ['10.0.0.40:80', '10.0.0.30:80', '10.0.0.10:80']);
  const fresh = await runFixture(t, 'fresh');
  t.deepEqual(mhOrder(history[3]?.nosort ?? ''), ['10.0.0.40:80', '10.0.0.20:80', '10.0.0.10:80', '10.0.0.5:80']);
  t.deepEqual(mhOrder(history[3]?.nosort ?? ''), mhOrder(fresh[0]?.nosort ?? ''), 'same list order → same Maglev table');
});

labTest('adopting a table that already matches costs no operation', async (t) => {
  const [adopt] = await runFixture(t, 'adopt');
  t.deepEqual(adopt?.ops, []);
  t.is(adopt?.residual, 0);
});
