/**
 * A director of the direct-routing world (dr-world.ts) run by lvsd or by keepalived 2.2.7,
 * from the same keepalived.conf, for bench/dr-failover.ts: its VRRP role, read from its log.
 * keepalived runs whole (`keepalived -n -l -D -f FILE`, own pid files): its checker child
 * programs IPVS (no health checks configured: every real server is up), its VRRP child moves
 * the VIP and drives the sync daemon (lvs_sync_daemon).
 */
import { join } from 'node:path';
import { keepalivedRole, killPids, namespacePids, type Keepalived } from '../netns/kp-peers.js';
import { roleOf, startLvsd } from '../netns/lvsd-harness.js';
import { nsExec, startIn } from '../netns/topology.js';
import { writeFileSync } from 'node:fs';
import { VIP } from './dr-world.js';

export type Impl = 'lvsd' | 'keepalived';

export interface RunningDirector {
  readonly impl: Impl;
  readonly ns: string;
  /** The VRRP role of VI_1 as last logged ('INIT' before any). */
  role(): string;
  /** The last lines of its log, for error messages. */
  tail(): string;
  /** lvsd only: its log events as (event, wall-clock ms) since `sinceMs` (keepalived's log has no times: []). */
  marks(sinceMs: number): Array<{ readonly event: string; readonly atMs: number }>;
}

export function startDirectorImpl(impl: Impl, o: { ns: string; name: string; dir: string; config: string }): RunningDirector {
  if (impl === 'lvsd') {
    const d = startLvsd(undefined, o);
    const marks = (sinceMs: number): Array<{ event: string; atMs: number }> => d.lines
      .map((l) => ({ event: String(l.event), atMs: Date.parse(String(l.time)) }))
      .filter((m) => m.atMs >= sinceMs);
    return { impl, ns: o.ns, role: () => roleOf(d, 'VI_1'), tail: () => d.lines.slice(-5).map((l) => JSON.stringify(l)).join('\n'), marks };
  }
  const config = join(o.dir, `${o.name}.keepalived.conf`);
  writeFileSync(config, o.config);
  const pid = (what: string): string => join(o.dir, `${o.name}.${what}.pid`);
  const p = startIn(undefined, o.ns, 'keepalived', ['-n', '-l', '-D', '-f', config, '-p', pid('keepalived'), '-r', pid('vrrp'), '-c', pid('checkers')]);
  const log = (): string[] => p.stderr.join('').split('\n').filter((l) => l.length > 0);
  const k: Keepalived = Object.assign(p, { name: o.name, ns: o.ns, config, log });
  return { impl, ns: o.ns, role: () => keepalivedRole(k), tail: () => log().slice(-40).join('\n'), marks: () => [] };
}

/**
 * Puts a director namespace back to a clean slate, the same for both implementations: every
 * process killed (but `except`), the VIP removed, both sync daemons stopped; with `table`, the
 * IPVS table cleared too (between series; between the runs of one the table stays, so the
 * connections the client holds keep their entries).
 */
export function cleanDirector(ns: string, o: { except?: readonly number[]; table?: boolean } = {}): void {
  killPids(namespacePids(ns).filter((p) => !(o.except ?? []).includes(p)));
  const addrs = nsExec(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']);
  if (addrs.includes(` ${VIP}/`)) nsExec(ns, 'ip', ['addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
  const daemons = nsExec(ns, 'ipvsadm', ['-L', '-n', '--daemon']);
  for (const state of ['master', 'backup']) if (daemons.includes(`${state} sync daemon`)) nsExec(ns, 'ipvsadm', ['--stop-daemon', state]);
  if (o.table) nsExec(ns, 'ipvsadm', ['-C']);
}
