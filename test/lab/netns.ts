/**
 * Network namespaces for the lab tests: unique names (pid + counter), a dummy link that routes
 * the real-server ranges of table.ts (IPVS refuses unroutable dests), removal in t.teardown.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import type { RunnerCall, RunnerRequest, RunnerResult } from './ipvs-runner.js';

let counter = 0;
const RUNNER = fileURLToPath(new URL('./ipvs-runner.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lvsd-lab-'));

export async function ns(name: string, argv: readonly string[], input?: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await execa('ip', ['netns', 'exec', name, ...argv], { reject: false, stripFinalNewline: false, ...(input !== undefined ? { input } : {}) });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
}

/** A fresh namespace with lo up and d0 routing 10.200.0.0/16 and 2001:db8:200::/48. Removed in teardown. */
export async function makeNetns(t: Pick<ExecutionContext, 'teardown'> | undefined, tag = 'ipvs'): Promise<string> {
  const name = `lvsd-${tag}-${process.pid}-${++counter}`;
  await execa('ip', ['netns', 'add', name]);
  t?.teardown(async () => { await execa('ip', ['netns', 'del', name], { reject: false }); });
  for (const argv of [
    ['ip', 'link', 'set', 'lo', 'up'],
    ['ip', 'link', 'add', 'd0', 'type', 'dummy'],
    ['ip', 'link', 'set', 'd0', 'up', 'multicast', 'on'],
    ['ip', 'addr', 'add', '10.200.0.1/16', 'dev', 'd0'],
    ['ip', '-6', 'addr', 'add', '2001:db8:200::1/48', 'dev', 'd0', 'nodad'],
  ]) {
    const r = await ns(name, argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }
  return name;
}

export async function deleteNetns(name: string): Promise<void> {
  await execa('ip', ['netns', 'del', name], { reject: false });
}

/** Run backend calls in `name` through ipvs-runner.js. */
export async function run(name: string, backend: RunnerRequest['backend'], calls: readonly RunnerCall[]): Promise<RunnerResult[]> {
  const file = join(scratch, `req-${process.pid}-${++counter}.json`);
  writeFileSync(file, JSON.stringify({ backend, calls } satisfies RunnerRequest));
  const r = await ns(name, [process.execPath, RUNNER, file]);
  if (r.exitCode !== 0) throw new Error(`ipvs-runner failed (${r.exitCode}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { results: RunnerResult[] }).results;
}

/** `ipvsadm ARGS` in the namespace; throws on a non-zero exit. */
export async function ipvsadm(name: string, ...args: string[]): Promise<string> {
  const r = await ns(name, ['ipvsadm', ...args]);
  if (r.exitCode !== 0) throw new Error(`ipvsadm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
