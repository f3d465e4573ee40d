/**
 * Real keepalived 2.2.7 as the oracle of the keepalived.conf tests: `keepalived -t` in a
 * namespace of its own, with the interfaces the sample files name (eth0..eth3).
 */
import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';

/** Root and a keepalived binary: without either the oracle tests are skipped (failed under CI=true). */
export const keepalivedAvailable = process.getuid?.() === 0 && spawnSync('keepalived', ['--version']).status === 0;

let counter = 0;

/** A namespace `lvsd-TAG-PID-N` with veth pairs eth0/eth1 and eth2/eth3, deleted on teardown. */
export function oracleNamespace(t: ExecutionContext, tag: string): string {
  const ns = `lvsd-${tag}-${process.pid}-${++counter}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => { spawnSync('ip', ['netns', 'del', ns]); });
  execFileSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  execFileSync('ip', ['-n', ns, 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth3']);
  return ns;
}

/** `keepalived -t -f FILE` in `ns`: its exit status and everything it printed. */
export function keepalivedTest(ns: string, file: string): { status: number | null; output: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-f', file], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
