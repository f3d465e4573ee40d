/**
 * Lab fixture for status.test.ts, run INSIDE the director namespace
 * (`ip netns exec NS node dist/test/lab/status-fixture.js CASES.json OUTDIR`):
 * for each case it renders `lvsctl status` in-process (run() from src/cli/lvsctl/status.ts)
 * and runs `ipvsadm -L -n …` right after, so counters, rates and expiry timers have little
 * time to move; on a mismatch it retries a few times. Writes one JSON report on stdout and,
 * into OUTDIR, each ipvsadm output plus the netlink dump (golden material for unit tests).
 */
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, type StatusOptions } from '../../src/cli/lvsctl/status.js';
import { openNetlinkIpvs } from '../../src/ipvs/client.js';

export interface FixtureCase { readonly name: string; readonly ours: StatusOptions; readonly ipvsadm: readonly string[] }
export interface FixtureResult { readonly name: string; readonly same: boolean; readonly tries: number; readonly ours: string; readonly theirs: string; readonly code: number }

async function ours(o: StatusOptions): Promise<{ out: string; code: number }> {
  let out = '';
  let err = '';
  const code = await run(o, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { out: out + err, code };
}

async function compare(c: FixtureCase, tries: number): Promise<FixtureResult> {
  let last: FixtureResult | undefined;
  for (let i = 1; i <= tries; i++) {
    const a = await ours(c.ours);
    const b = await execa('ipvsadm', [...c.ipvsadm], { reject: false, stripFinalNewline: false });
    const theirs = b.stdout + b.stderr;
    last = { name: c.name, same: a.out === theirs, tries: i, ours: a.out, theirs, code: a.code };
    if (last.same) return last;
  }
  return last as FixtureResult;
}

/**
 * Golden material for the unit tests: the netlink dump, then every listing case's ipvsadm
 * output, then the dump again; kept only when both dumps agree (nothing moved meanwhile).
 * Likewise /proc/net/ip_vs_conn around `ipvsadm -L -n -c`.
 */
async function captureGolden(outDir: string, cases: readonly FixtureCase[]): Promise<void> {
  const client = await openNetlinkIpvs();
  try {
    const listing = cases.filter((c) => !c.ours.connection && !c.ours.timeout && !c.ours.daemon);
    for (let i = 0; i < 10; i++) {
      const before = JSON.stringify({ info: await client.info(), dump: await client.dump() }, bigintJson, 1);
      const outs = await Promise.all(listing.map((c) => execa('ipvsadm', [...c.ipvsadm], { stripFinalNewline: false })));
      const after = JSON.stringify({ info: await client.info(), dump: await client.dump() }, bigintJson, 1);
      if (before !== after) continue;
      await writeFile(path.join(outDir, 'golden-dump.json'), `${before}\n`);
      for (const [j, c] of listing.entries()) await writeFile(path.join(outDir, `golden-${c.name}.txt`), outs[j]?.stdout ?? '');
      break;
    }
    for (let i = 0; i < 10; i++) {
      const before = await readFile('/proc/net/ip_vs_conn', 'utf8');
      const c = await execa('ipvsadm', ['-L', '-n', '-c'], { stripFinalNewline: false });
      const pc = await execa('ipvsadm', ['-L', '-n', '-c', '--persistent-conn'], { stripFinalNewline: false });
      if (before !== (await readFile('/proc/net/ip_vs_conn', 'utf8'))) continue;
      await writeFile(path.join(outDir, 'golden-ip_vs_conn.txt'), before);
      await writeFile(path.join(outDir, 'golden-conn.txt'), c.stdout);
      await writeFile(path.join(outDir, 'golden-conn-persistent.txt'), pc.stdout);
      break;
    }
  } finally {
    client.close();
  }
}

const bigintJson = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

const [casesFile, outDir] = process.argv.slice(2);
if (!casesFile) {
  console.error('usage: status-fixture CASES.json [OUTDIR]');
  process.exit(2);
}
const cases = JSON.parse(await readFile(casesFile, 'utf8')) as FixtureCase[];
const results: FixtureResult[] = [];
for (const c of cases) {
  const r = await compare(c, 6);
  results.push(r);
  if (outDir) await writeFile(path.join(outDir, `${c.name}.txt`), r.theirs);
}
if (outDir) await captureGolden(outDir, cases);
process.stdout.write(`${JSON.stringify(results)}\n`);
