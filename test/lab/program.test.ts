/**
 * Lab: program generated tables (≥ 200 services mixing every feature) and compare with what the
 * real ipvsadm sees. Run in the QEMU lab (IPVS kernel):
 *   scripts/lab run -- node_modules/.bin/ava --tap dist/test/lab/program.test.js
 * Each test uses its own network namespaces (IPVS state is per netns), removed in teardown.
 */
import test from 'ava';
import { opArgs } from '../../src/ipvs/ipvsadm-text.js';
import { reconcile } from '../../src/ipvs/reconcile.js';
import type { IpvsOp, IpvsServiceWithDests } from '../../src/ipvs/types.js';
import { ipvsadm, makeNetns, ns, run } from './netns.js';
import type { RunnerError } from './ipvs-runner.js';
import { buildOps, generateTable, normalise } from './table.js';

const TABLE = generateTable({ services: 240, maxDests: 4, seed: 20261125 });
const OPS = buildOps(TABLE);
const SMALL = TABLE.slice(0, 40);

/** The `ipvsadm -R` input for a table: our desired table rendered as ipvsadm command lines. */
function restoreText(ops: readonly IpvsOp[]): string {
  return ops.map((op) => {
    const a = opArgs(op);
    if (!a.ok) throw new Error(a.error);
    return a.value.join(' ');
  }).join('\n') + '\n';
}

const VIEWS: readonly string[][] = [['-S', '-n'], ['-L', '-n'], ['-L', '-n', '--thresholds'], ['-L', '-n', '--tun-info']];

async function expectNoErrors(results: Awaited<ReturnType<typeof run>>): Promise<Array<RunnerError | null>> {
  const r = results[0];
  if (!r?.ok) throw new Error(`call failed: ${JSON.stringify(r)}`);
  return r.value as Array<RunnerError | null>;
}

test.serial('the generated table mixes every feature', (t) => {
  const text = restoreText(OPS);
  t.true(TABLE.length >= 200);
  for (const needle of ['-t ', '-u ', '--sctp-service ', '-f ', ' -6 ', '[2001:db8', '-s mh', '-s sh', '-b mh-', '-b sh-',
    '-p ', '-M 255.', '--pe sip', ' -o', ' -g ', ' -m ', ' -i ', '--tun-type gue', '--tun-type gre', '--tun-type ipip',
    '--tun-remcsum', '--tun-csum', '-w 0 ', '-x ']) {
    t.true(text.includes(needle), needle);
  }
  for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']) t.true(text.includes(`-s ${s} `) || text.includes(`-s ${s}\n`), s);
});

test.serial('a table programmed over netlink reads back in ipvsadm exactly as the same table restored by ipvsadm -R', async (t) => {
  const [a, b] = await Promise.all([makeNetns(t), makeNetns(t)]);
  const outcomes = await expectNoErrors(await run(a, 'netlink', [{ method: 'applyBatch', ops: OPS }]));
  t.deepEqual(outcomes.filter((o) => o !== null), []);
  const r = await ns(b, ['ipvsadm', '-R'], restoreText(OPS));
  t.is(r.stderr, '');
  t.is(r.exitCode, 0);
  for (const view of VIEWS) {
    const [ours, theirs] = await Promise.all([ipvsadm(a, ...view), ipvsadm(b, ...view)]);
    t.is(ours, theirs, `ipvsadm ${view.join(' ')}`);
  }
  t.is((await ipvsadm(a, '-S', '-n')).split('\n').filter((l) => l.startsWith('-A ')).length, TABLE.length);

  // dumps through both backends give back what we programmed
  const [nl] = await run(a, 'netlink', [{ method: 'dump' }]);
  const [adm] = await run(b, 'ipvsadm', [{ method: 'dump' }]);
  if (!nl?.ok || !adm?.ok) return t.fail(JSON.stringify([nl, adm]));
  t.deepEqual(normalise(nl.value as IpvsServiceWithDests[]), normalise(TABLE));
  t.deepEqual(normalise(adm.value as IpvsServiceWithDests[]), normalise(TABLE));
});

test.serial('one request per op (no pipelining) and the ipvsadm backend (one ipvsadm per op) program the same table', async (t) => {
  const ops = buildOps(SMALL);
  const [a, b] = await Promise.all([makeNetns(t), makeNetns(t)]);
  const [ra, rb] = await Promise.all([
    run(a, 'netlink', [{ method: 'applyEach', ops }]),
    run(b, 'ipvsadm', [{ method: 'applyEach', ops }]),
  ]);
  t.deepEqual((await expectNoErrors(ra)).filter((o) => o !== null), []);
  t.deepEqual((await expectNoErrors(rb)).filter((o) => o !== null), []);
  for (const view of VIEWS) t.is(await ipvsadm(a, ...view), await ipvsadm(b, ...view), view.join(' '));
  const [dump] = await run(b, 'ipvsadm', [{ method: 'dump' }]);
  if (!dump?.ok) return t.fail(JSON.stringify(dump));
  t.deepEqual(normalise(dump.value as IpvsServiceWithDests[]), normalise(SMALL));
});

test.serial('a reload that changes one destination costs exactly one operation (reconcile + netlink)', async (t) => {
  const a = await makeNetns(t);
  // programmed as lvsd does it: reconcile from empty (mh dests in canonical order)
  const initial = reconcile(TABLE, []);
  t.is(initial.length, OPS.length);
  await expectNoErrors(await run(a, 'netlink', [{ method: 'applyBatch', ops: initial }]));
  const i = TABLE.findIndex((s) => s.dests.length > 1);
  const entry = TABLE[i] as IpvsServiceWithDests;
  const changed = { ...entry.dests[1]!, weight: entry.dests[1]!.weight + 17 };
  const desired = TABLE.map((s, k) => (k === i ? { service: s.service, dests: s.dests.map((d, j) => (j === 1 ? changed : d)) } : s));
  const [dump] = await run(a, 'netlink', [{ method: 'dump' }]);
  if (!dump?.ok) return t.fail(JSON.stringify(dump));
  const ops = reconcile(desired, dump.value as IpvsServiceWithDests[]);
  t.deepEqual(ops.map((o) => o.op), ['edit-dest']);
  await expectNoErrors(await run(a, 'netlink', [{ method: 'applyBatch', ops }]));
  const [after] = await run(a, 'netlink', [{ method: 'dump' }]);
  if (!after?.ok) return t.fail();
  t.deepEqual(normalise(after.value as IpvsServiceWithDests[]), normalise(desired));
  t.deepEqual(reconcile(desired, after.value as IpvsServiceWithDests[]), []);
});
