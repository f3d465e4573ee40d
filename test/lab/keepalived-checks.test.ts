/**
 * keepalived 2.2.7 as the oracle for check timing: its checker process (`keepalived -C -d`,
 * which needs IPVS, hence the lab) dumps every checker's resolved delay_loop, warmup,
 * retries, delay_before_retry, connect timeout and alpha after its own inheritance
 * (virtual_server → real_server → checker) and per-type defaults. lvsd's model of the same
 * file must hold the same values, checker by checker in file order.
 *
 * Run: scripts/lab run -- node_modules/.bin/ava --tap --serial dist/test/lab/keepalived-checks.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import type { HealthCheck } from '../../src/model/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DATA = path.join(repoRoot, 'src/config/testdata/keepalived');

async function inLab(): Promise<boolean> {
  if (!existsSync('/proc/net/ip_vs')) await execa('modprobe', ['ip_vs'], { reject: false });
  return existsSync('/proc/net/ip_vs');
}
const labTest = (await inLab()) ? test : test.skip;

interface Dumped { method: string; delayUs: number; warmupUs: number; retries: number; retryDelayUs: number; timeoutS?: number; alpha: boolean }

/** keepalived check_api.c dump_checker: one block per checker, in checkers_queue (file) order. */
export function parseDump(text: string): Dumped[] {
  const out: Dumped[] = [];
  for (const block of text.split(/ \[[^\]]+\]:\w+:\d+ -> /).slice(1)) {
    const num = (re: RegExp): number | undefined => { const m = re.exec(block); return m ? Number(m[1]) : undefined; };
    const retries = num(/Retries = (\d+)/) ?? 0;
    out.push({
      method: /Keepalive method = (\w+)/.exec(block)?.[1] ?? '',
      delayUs: num(/Delay loop = (\d+) us/) ?? NaN,
      warmupUs: num(/Warmup = (\d+) us/) ?? NaN,
      retries,
      retryDelayUs: (retries > 0 ? num(/Delay before retry = (\d+) us/) : undefined) ?? num(/Default delay before retry = (\d+) us/) ?? NaN,
      ...(num(/Timeout = ([\d.]+)/) !== undefined ? { timeoutS: num(/Timeout = ([\d.]+)/) } : {}),
      alpha: /Alpha = yes/.test(block),
    });
  }
  return out;
}

/** Run keepalived's checker process in a fresh namespace until it has dumped `n` checkers. */
async function keepalivedDump(t: ExecutionContext, file: string, n: number): Promise<string> {
  const ns = `lvsd-kachk-${process.pid}-${path.basename(file, '.conf')}`;
  await execa('ip', ['netns', 'add', ns]);
  t.teardown(async () => { await execa('ip', ['netns', 'del', ns], { reject: false }); });
  const pid = (k: string): string => path.join(tmpdir(), `${ns}-${k}.pid`);
  const child = spawn('ip', ['netns', 'exec', ns, 'keepalived', '-n', '-l', '-D', '-d', '-C', '-f', file, '-p', pid('main'), '-c', pid('check')]);
  let text = '';
  const done = new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`keepalived dumped ${parseDump(text).length} of ${n} checkers within 20 s:\n${text}`)), 20_000);
    const feed = (b: Buffer): void => {
      text += b.toString();
      if ((text.match(/Keepalive method = /g) ?? []).length >= n) { clearTimeout(deadline); resolve(text); }
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
  });
  t.teardown(() => { child.kill('SIGTERM'); });
  return done;
}

function lvsdChecks(file: string): HealthCheck[] {
  const r = loadConfig({ path: file, text: readFileSync(file, 'utf8'), readFile: (p) => readFileSync(p, 'utf8') });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.services.flatMap((s) => s.reals.flatMap((rs) => rs.health?.checks ?? [])).filter((c) => c.probe.kind !== 'file');
}

for (const name of ['check-inheritance', 'checkers']) {
  labTest(`keepalived 2.2.7 resolves the check timing of ${name}.conf as lvsd's model does`, async (t) => {
    const file = path.join(DATA, `${name}.conf`);
    const ours = lvsdChecks(file);
    const theirs = parseDump(await keepalivedDump(t, file, ours.length)).slice(0, ours.length);
    t.is(theirs.length, ours.length);
    ours.forEach((c, i) => {
      const k = theirs[i];
      const got = { delayUs: c.timing.intervalMs * 1000, warmupUs: c.timing.warmupMs * 1000, retries: c.timing.retries, retryDelayUs: c.timing.retryDelayMs * 1000, alpha: c.startDown };
      t.deepEqual(got, k && { delayUs: k.delayUs, warmupUs: k.warmupUs, retries: k.retries, retryDelayUs: k.retryDelayUs, alpha: k.alpha }, `checker ${i + 1} (${k?.method ?? '?'}) at line ${c.at.line}`);
      // MISC_CHECK has no connection (keepalived dumps no Timeout); its timeout is misc_timeout or the virtual_server's delay_loop.
      if (k?.timeoutS !== undefined) t.is(c.timing.timeoutMs, k.timeoutS * 1000, `timeout of checker ${i + 1} at line ${c.at.line}`);
    });
  });
}
