/**
 * Real peers for the netns tests and the failover bench: keepalived 2.2.7 in a namespace,
 * killing every process of a namespace, and role lookup from keepalived's console log.
 *
 * keepalived forks a VRRP child (`--vrrp`), so killing the process we spawned is not enough:
 * teardown kills every pid `ip netns pids NS` lists (the namespaces are the test's own).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { sh, startIn, type Proc } from './topology.js';

/** Pids of every process whose network namespace is `ns`. */
export function namespacePids(ns: string): number[] {
  let out = '';
  try {
    out = sh('ip', ['netns', 'pids', ns]);
  } catch {
    return []; // namespace already removed
  }
  return out.split('\n').map((l) => Number.parseInt(l, 10)).filter((p) => Number.isInteger(p) && p > 0);
}

/** Sends `signal` to every process of `ns`; returns the pids signalled. */
export function killNamespace(ns: string, signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const pids = namespacePids(ns);
  killPids(pids, signal);
  return pids;
}

/** Signals each pid; one that has exited meanwhile is skipped. */
export function killPids(pids: readonly number[], signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

export interface Keepalived extends Proc {
  readonly name: string;
  readonly ns: string;
  readonly config: string;
  /** Console log lines so far (keepalived -l writes them to stderr). */
  log(): string[];
}

/** `keepalived -n -l -D --vrrp` in `ns` with pid files in `dir`; every process of `ns` is killed at teardown. */
export function startKeepalived(t: ExecutionContext | undefined, o: { ns: string; name: string; dir: string; config: string }): Keepalived {
  const config = join(o.dir, `${o.name}.keepalived.conf`);
  writeFileSync(config, o.config);
  const args = ['-n', '-l', '-D', '--vrrp', '-f', config,
    '-p', join(o.dir, `${o.name}.keepalived.pid`), '-r', join(o.dir, `${o.name}.vrrp.pid`)];
  const p = startIn(t, o.ns, 'keepalived', args);
  t?.teardown(() => { killNamespace(o.ns); });
  const log = (): string[] => p.stderr.join('').split('\n').filter((l) => l.length > 0);
  return Object.assign(p, { name: o.name, ns: o.ns, config, log });
}

/** keepalived's current role for `instance`, from "(VI_1) Entering MASTER STATE" lines ('INIT' before any). */
export function keepalivedRole(k: Keepalived, instance = 'VI_1'): string {
  let role = 'INIT';
  const re = new RegExp(`\\(${instance}\\) Entering (MASTER|BACKUP|FAULT) STATE`);
  for (const l of k.log()) {
    const m = re.exec(l);
    if (m) role = m[1]!;
  }
  return role;
}

/** keepalived log lines complaining about received adverts (invalid, bad, mismatch, wrong, error). */
export function keepalivedComplaints(k: Keepalived): string[] {
  return k.log().filter((l) => /invalid|bad |mismatch|wrong|error|discard|ttl/i.test(l));
}

/** Number of "Entering X STATE" lines for `instance` (transitions so far). */
export function keepalivedTransitions(k: Keepalived, instance = 'VI_1'): number {
  const re = new RegExp(`\\(${instance}\\) Entering (MASTER|BACKUP|FAULT) STATE`);
  return k.log().filter((l) => re.test(l)).length;
}
