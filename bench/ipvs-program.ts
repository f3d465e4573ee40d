/**
 * bench/ipvs-program: program 1,000 services × 10 real servers from empty, in the lab, one run:
 *   - lvsd's netlink client (batched applyBatch, and one request at a time),
 *   - one `ipvsadm` invocation per operation (a sample, extrapolated per op),
 *   - `ipvsadm -R` of the whole table,
 * then a reload changing one destination (reconcile → operations → netlink).
 * Each variant runs in its own fresh network namespace; times are measured inside the namespace
 * around the calls only (ipvs-runner.ts). Absolute numbers under QEMU/TCG mean little: compare
 * the ratios. Run: scripts/bench-ipvs  (= build, then scripts/lab run -- node dist/bench/ipvs-program.js)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { opArgs } from '../src/ipvs/ipvsadm-text.js';
import { reconcile } from '../src/ipvs/reconcile.js';
import type { IpvsOp, IpvsServiceWithDests } from '../src/ipvs/types.js';
import { deleteNetns, ipvsadm, makeNetns, run } from '../test/lab/netns.js';
import { generateTable } from '../test/lab/table.js';

const SERVICES = Number(process.env.LVSD_BENCH_SERVICES ?? 1000);
const DESTS = Number(process.env.LVSD_BENCH_DESTS ?? 10);
const SAMPLE = Number(process.env.LVSD_BENCH_IPVSADM_SAMPLE ?? 500);

function restoreText(ops: readonly IpvsOp[]): string {
  return `${ops.map((op) => { const a = opArgs(op); if (!a.ok) throw new Error(a.error); return a.value.join(' '); }).join('\n')}\n`;
}

async function timed(name: string, backend: 'netlink' | 'ipvsadm', call: Parameters<typeof run>[2][number]): Promise<number> {
  const [r] = await run(name, backend, [call]);
  if (!r?.ok) throw new Error(`${call.method}: ${JSON.stringify(r)}`);
  const v = r.value as Array<unknown> | { exitCode?: number; stderr?: string } | null;
  const errors = Array.isArray(v) ? v.filter((x) => x !== null).length : v && 'exitCode' in v && v.exitCode !== 0 ? 1 : 0;
  if (errors) throw new Error(`${call.method}: ${errors} operations failed: ${JSON.stringify(v).slice(0, 400)}`);
  return r.ms;
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function main(): Promise<void> {
  const table = generateTable({ services: SERVICES, maxDests: DESTS, fixedDests: true, seed: 1000 });
  const ops = reconcile(table, []); // as lvsd programs it: mh dests in canonical order
  const n = ops.length;
  const names: string[] = [];
  const ns = async (): Promise<string> => { const x = await makeNetns(undefined, 'bench'); names.push(x); return x; };
  try {
    const [w, a, a1, b, c] = [await ns(), await ns(), await ns(), await ns(), await ns()];
    console.log(`bench/ipvs-program: ${SERVICES} services × ${DESTS} real servers = ${n} operations from empty`);
    // warm-up: the first use of each scheduler / PE / IPv6 loads kernel modules (modprobe): pay it once, untimed
    await timed(w, 'ipvsadm', { method: 'restore', text: restoreText(ops) });
    const text = restoreText(ops);
    const nlBatchRun = async (x: string): Promise<{ ms: number; datagrams: number }> => {
      const [nb] = await run(x, 'netlink', [{ method: 'applyBatchStats', ops }]);
      const v = nb?.ok ? (nb.value as { errors: unknown[]; stats?: { datagrams: number } }) : undefined;
      if (!nb?.ok || !v || v.errors.length) throw new Error(`netlink applyBatch: ${JSON.stringify(nb).slice(0, 400)}`);
      return { ms: nb.ms, datagrams: v.stats?.datagrams ?? 0 };
    };
    // the two bulk methods alternate, twice, each into a fresh namespace; the best of each is kept
    const nlRuns = [await nlBatchRun(a)];
    const restoreRuns = [await timed(c, 'ipvsadm', { method: 'restore', text })];
    nlRuns.push(await nlBatchRun(await ns()));
    restoreRuns.push(await timed(await ns(), 'ipvsadm', { method: 'restore', text }));
    const best = nlRuns.reduce((x, y) => (y.ms < x.ms ? y : x));
    const nlBatch = best.ms;
    const nbv = { stats: { datagrams: best.datagrams } };
    const restore = Math.min(...restoreRuns);
    const nlEach = await timed(a1, 'netlink', { method: 'applyEach', ops });
    const sample = ops.slice(0, Math.min(SAMPLE, n));
    const admSample = await timed(b, 'ipvsadm', { method: 'applyEach', ops: sample });
    const admPerOp = admSample / sample.length;
    const admTotal = admPerOp * n;
    console.log(`  runs: netlink applyBatch ${nlRuns.map((r) => fmt(r.ms)).join(', ')}; ipvsadm -R ${restoreRuns.map(fmt).join(', ')}`);
    const same = (await ipvsadm(a, '-S', '-n')) === (await ipvsadm(c, '-S', '-n')) && (await ipvsadm(a1, '-S', '-n')) === (await ipvsadm(c, '-S', '-n'));

    // listing the whole table: our dump (GET_SERVICE dump + one GET_DEST dump per service) vs ipvsadm's
    const dumpMs = (await run(a, 'netlink', [{ method: 'dump' }]))[0]?.ms ?? NaN;
    const listMs = await timed(a, 'ipvsadm', { method: 'ipvsadm', args: ['-L', '-n'] });
    const saveMs = await timed(a, 'ipvsadm', { method: 'ipvsadm', args: ['-S', '-n'] });

    // reload: one destination's weight changes
    const i = table.findIndex((s) => s.dests.length > 0);
    const entry = table[i] as IpvsServiceWithDests;
    const desired = table.map((s, k) => (k === i ? { service: s.service, dests: s.dests.map((d, j) => (j === 0 ? { ...d, weight: d.weight + 1 } : d)) } : s));
    const [dump] = await run(a, 'netlink', [{ method: 'dump' }]);
    if (!dump?.ok) throw new Error('dump failed');
    const t0 = performance.now();
    const reloadOps = reconcile(desired, dump.value as IpvsServiceWithDests[]);
    const reconcileMs = performance.now() - t0;
    const reloadApply = await timed(a, 'netlink', { method: 'applyBatch', ops: reloadOps });

    const rows: Array<[string, string, string]> = [
      [`lvsd netlink, batched (applyBatch, ${nbv.stats.datagrams} datagrams)`, fmt(nlBatch), `${((nlBatch / n) * 1000).toFixed(1)} µs/op`],
      ['lvsd netlink, one request at a time', fmt(nlEach), `${((nlEach / n) * 1000).toFixed(1)} µs/op`],
      [`ipvsadm per op (sample ${sample.length} ops, extrapolated ×${n})`, fmt(admTotal), `${(admPerOp * 1000).toFixed(1)} µs/op`],
      ['ipvsadm -R (whole table)', fmt(restore), `${((restore / n) * 1000).toFixed(1)} µs/op`],
    ];
    for (const [k, v, p] of rows) console.log(`  ${k.padEnd(58)} ${v.padStart(10)}  ${p}`);
    console.log('ratios:');
    console.log(`  ipvsadm per op / netlink batched     ${(admTotal / nlBatch).toFixed(1)}×`);
    console.log(`  ipvsadm per op / netlink one-at-a-time ${(admTotal / nlEach).toFixed(1)}×`);
    console.log(`  ipvsadm -R / netlink batched         ${(restore / nlBatch).toFixed(2)}×`);
    console.log(`  ipvsadm -R / netlink one-at-a-time     ${(restore / nlEach).toFixed(2)}×`);
    console.log(`listing ${n} objects: netlink dump ${fmt(dumpMs)}; ipvsadm -L -n ${fmt(listMs)}; ipvsadm -S -n ${fmt(saveMs)}`);
    console.log(`tables identical (ipvsadm -S -n, netlink vs ipvsadm -R): ${same}`);
    console.log(`reload changing one destination of ${entry.service.sched} service #${i}: ${reloadOps.length} netlink operation(s) [${reloadOps.map((o) => o.op).join(', ')}]; `
      + `dump ${fmt(dump.ms)}, reconcile ${fmt(reconcileMs)}, apply ${fmt(reloadApply)}`);
    const out = { services: SERVICES, dests: DESTS, ops: n, nlBatchMs: nlBatch, nlBatchRunsMs: nlRuns.map((r) => r.ms), restoreRunsMs: restoreRuns, datagrams: best.datagrams, nlEachMs: nlEach, ipvsadmSample: sample.length, ipvsadmPerOpMs: admPerOp, ipvsadmExtrapolatedMs: admTotal, restoreMs: restore, identical: same, dumpMs, ipvsadmListMs: listMs, ipvsadmSaveMs: saveMs, reloadOps: reloadOps.length, reloadDumpMs: dump.ms, reloadReconcileMs: reconcileMs, reloadApplyMs: reloadApply };
    mkdirSync('results', { recursive: true });
    writeFileSync('results/bench-ipvs-program.json', `${JSON.stringify(out, null, 2)}\n`);
    if (!same || reloadOps.length !== 1) process.exitCode = 1;
  } finally {
    for (const x of names) await deleteNetns(x);
  }
}

await main();
