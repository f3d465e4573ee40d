/**
 * One failover-bench run: a fresh two-host LAN, a master and a backup (lvsd or keepalived,
 * same config text but the priority), wait until stable, then kill -9 every process of the
 * master's namespace (or SIGTERM lvsd) and time the VIP's arrival on the backup from
 * `ip monitor address` events. Used by bench/failover.ts; no ava here (runs outside tests).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LVSD, LVSD_NODE_FLAGS, roleOf, type Director } from './lvsd-harness.js';
import { killNamespace, killPids, keepalivedRole, keepalivedTransitions, namespacePids, startKeepalived } from './kp-peers.js';
import { addresses, makeLan, startIn, type Lan } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { watchVip } from './bench-vip-watch.js';
import { watchAdverts, type AdvertWatch } from './bench-advert-watch.js';

export type Impl = 'lvsd' | 'keepalived';
export const BENCH_VIP = '192.0.2.10';

export interface Peer {
  readonly impl: Impl;
  readonly ns: string;
  role(): string;
  /** Role changes logged so far. */
  transitions(): number;
  /** The process we spawned (lvsd itself; keepalived's parent). */
  signal(sig: NodeJS.Signals): void;
  readonly director?: Director;
}

export interface PeerSpec {
  readonly impl: Impl;
  readonly ns: string;
  readonly name: string;
  readonly dir: string;
  readonly config: string;
  readonly extraArgs?: readonly string[];
  /** Options for node itself, before lvsd's script (V8 flags: bench/checks tries `--single-threaded`). */
  readonly nodeArgs?: readonly string[];
}

export function startPeer(s: PeerSpec): Peer {
  if (s.impl === 'keepalived') {
    const k = startKeepalived(undefined, { ns: s.ns, name: s.name, dir: s.dir, config: s.config });
    return { impl: s.impl, ns: s.ns, role: () => keepalivedRole(k), transitions: () => keepalivedTransitions(k), signal: (sig) => k.kill(sig) };
  }
  const config = join(s.dir, `${s.name}.conf`);
  writeFileSync(config, s.config);
  const socket = join(s.dir, `${s.name}.sock`);
  const args = [...(s.nodeArgs ?? LVSD_NODE_FLAGS), LVSD, '-n', '-f', config, '--socket', socket, '--pid-file', join(s.dir, `${s.name}.pid`),
    '--log-level', 'info', ...(s.extraArgs ?? [])];
  const p = startIn(undefined, s.ns, process.execPath, args);
  const d: Director = Object.assign(p, { name: s.name, socket, config });
  const transitions = (): number => d.lines.filter((l) => l.event === 'vrrp.role').length;
  return { impl: s.impl, ns: s.ns, role: () => roleOf(d, 'VI_1'), transitions, signal: (sig) => d.kill(sig), director: d };
}

/** keepalived.conf text shared by both implementations (VRRPv3, one VIP). */
export function benchConfig(o: { priority: number; advertInt: string; vrid?: number; extra?: readonly string[] }): string {
  return [
    'global_defs {', '    vrrp_version 3', '}',
    'vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', `    virtual_router_id ${o.vrid ?? 51}`,
    `    priority ${o.priority}`, `    advert_int ${o.advertInt}`, ...(o.extra ?? []).map((l) => `    ${l}`),
    '    virtual_ipaddress {', `        ${BENCH_VIP}/24`, '    }', '}', '',
  ].join('\n');
}

/** lvsd's native format with everything at its default but the priority. */
export function nativeConfig(priority: number): string {
  return ['vrrp VI_1 {', '    interface eth0', '    vrid 51', `    priority ${priority}`, `    vip ${BENCH_VIP}/24`, '}', ''].join('\n');
}

export interface Pair {
  readonly lan: Lan;
  readonly master: Peer;
  readonly backup: Peer;
  readonly dir: string;
  /** Master MASTER with the VIP, backup BACKUP without it. */
  stable(): boolean;
  close(): void;
}

/** Teardowns of the pairs alive right now: run them on SIGINT/SIGTERM so no namespace is left behind. */
export const openPairs = new Set<() => void>();

export interface PairSpec {
  readonly impl: Impl;
  readonly masterConfig: string;
  readonly backupConfig: string;
  readonly extraArgs?: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const hasVip = (ns: string): boolean => addresses(ns).includes(BENCH_VIP);

/** Starts both peers on a fresh LAN and waits until the master holds the VIP and the backup is BACKUP. */
export async function startPair(s: PairSpec, settleMs: number): Promise<Pair> {
  const lan = makeLan(undefined, ['m', 'b']);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bench-'));
  const close = (): void => {
    openPairs.delete(close);
    killNamespace(lan.ns.m!);
    killNamespace(lan.ns.b!);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  openPairs.add(close);
  try {
    const master = startPeer({ impl: s.impl, ns: lan.ns.m!, name: 'm', dir, config: s.masterConfig, extraArgs: s.extraArgs });
    const backup = startPeer({ impl: s.impl, ns: lan.ns.b!, name: 'b', dir, config: s.backupConfig, extraArgs: s.extraArgs });
    const stable = (): boolean => master.role() === 'MASTER' && backup.role() === 'BACKUP' && hasVip(lan.ns.m!) && !hasVip(lan.ns.b!);
    await waitUntil(stable, `${s.impl}: master MASTER with the VIP, backup BACKUP`, 20_000, 20).catch((e: Error) => {
      const tail = (p: Peer): string => (p.director ? p.director.lines.slice(-4).map((l) => JSON.stringify(l)).join(' ') : '');
      throw new Error(`${e.message} (master ${master.role()} vip ${hasVip(lan.ns.m!)}, backup ${backup.role()} vip ${hasVip(lan.ns.b!)}; ` +
        `master log: ${tail(master)}; backup log: ${tail(backup)})`);
    });
    await sleep(settleMs);
    if (!stable()) throw new Error(`${s.impl}: not stable after settling (master ${master.role()}, backup ${backup.role()})`);
    return { lan, master, backup, dir, close, stable };
  } catch (e) {
    close();
    throw e;
  }
}

export type Stop = 'kill-namespace' | 'term';

export interface FailoverTime {
  /** From the kill / SIGTERM to the VIP on the backup. */
  readonly fromStopMs: number;
  /** From the last advert of the master the backup received to the VIP on the backup (no phase noise). */
  readonly fromLastAdvertMs: number;
  /** From that last advert to the kill / SIGTERM. */
  readonly phaseMs: number;
  /** How much later than planned (KillPhase) the kill went out; 0 without a plan. */
  readonly lateKillMs: number;
}

/**
 * When to stop the master: `fraction` of an advert interval after one of its adverts (as the
 * backup's tcpdump saw it), so both implementations are killed at the same points of their
 * advert cycle. Left to itself the kill lands wherever the harness's start-up timing puts it,
 * which differs between implementations by a few ms and moves every kill→VIP time with it.
 */
export interface KillPhase {
  readonly fraction: number;
  readonly intervalMs: number;
}

/** Times from stopping the master (kill -9 of its namespace, or SIGTERM to lvsd) to the VIP on the backup. */
export async function measureFailover(s: PairSpec, stop: Stop, settleMs: number, phase?: KillPhase): Promise<FailoverTime> {
  const pair = await startPair(s, 0);
  const watch = watchVip(pair.lan.ns.b!, BENCH_VIP);
  let adverts: AdvertWatch | undefined;
  try {
    adverts = await watchAdverts(pair.lan.ns.b!);
    // Settle with both watchers running: tcpdump sees the master's adverts before we act.
    await sleep(Math.max(settleMs, 100));
    if (!pair.stable()) throw new Error(`${s.impl}: not stable after settling (master ${pair.master.role()}, backup ${pair.backup.role()})`);
    // The namespace's processes are listed ahead (`ip netns pids` takes milliseconds), so the
    // kill itself is a few kill(2) calls: a late kill let one more advert out at high phases.
    // Newest first (children before parents): with keepalived's parent killed first, its VRRP
    // child sometimes resigned gracefully (priority 0, takeover after the skew time) in the
    // moment before its own SIGKILL: 4 of 20 runs in one bench.
    const victims = stop === 'term' ? [] : namespacePids(pair.lan.ns.m!).sort((a, b) => b - a);
    let planned: number | undefined;
    if (phase) {
      // Plan from an advert whose tcpdump line came in time: one that came too late to keep the
      // plan (a hiccup; seen once in 60 runs, 0.9 s) gives way to the next one, a few times at most.
      const tolerance = Math.max(2, 0.05 * phase.intervalMs);
      let advertAt = await adverts.nextFrom(pair.lan.ip4.m!, performance.now(), 5 * phase.intervalMs + 2000);
      for (let k = 0; k < 5 && performance.now() > advertAt + phase.fraction * phase.intervalMs + tolerance; k++) {
        advertAt = await adverts.nextFrom(pair.lan.ip4.m!, advertAt, 5 * phase.intervalMs + 2000);
      }
      planned = advertAt + phase.fraction * phase.intervalMs;
      // A timer to within 2 ms of the plan, then the clock: setTimeout alone lands up to ~1 ms late.
      const wait = planned - performance.now() - 2;
      if (wait > 0) await sleep(wait);
      while (performance.now() < planned) { /* at most ~2 ms */ }
    }
    const t0 = performance.now();
    if (stop === 'term') pair.master.signal('SIGTERM');
    else killPids(victims);
    const e = await watch.addedAfter(t0, 15_000);
    // The last advert before the VIP: SIGTERM's priority-0 advert comes after t0, and a dying
    // master may still get one out after it.
    const last = adverts.lastFrom(pair.lan.ip4.m!, e.atMs);
    if (last === undefined) throw new Error('no advert from the master seen by the backup before it died');
    return { fromStopMs: e.atMs - t0, fromLastAdvertMs: e.atMs - last, phaseMs: t0 - last, lateKillMs: planned === undefined ? 0 : t0 - planned };
  } finally {
    adverts?.stop();
    watch.stop();
    pair.close();
  }
}
