/**
 * Part B of bench/checks (host kernel, root, no IPVS): two lvsd at 20 ms VRRP adverts on a
 * test LAN, each running `checks` TCP_CHECKs at a 1 s delay_loop (= checks/s) against the farm
 * (checks-farm.ts) in a third namespace on the same LAN, for M minutes. Counted: role changes
 * after the initial election (false transitions: the goal is 0), VIP additions on the backup,
 * and the VRRP worker's timer lateness read from the control socket (`status` →
 * vrrpTimerLateness: p99 over the worker's last 1,024 timer firings, max since start), sampled
 * every 20 s so the windows cover the run (the master fires 50 advert timers a second).
 * The farm counts the checks each director really made.
 *
 * The host kernel has no ip_vs, and without it lvsd refuses to start (as keepalived's checker
 * process does). Both lvsd run with `--debug-ipvs-memory`: the table goes to an in-memory IPVS
 * kernel (src/ipvs/memory-backend.ts, answering as the kernel does) and everything else is real:
 * the VRRP worker and its raw sockets, every check over the LAN, applyHealth and the reconciler.
 * With every server up nothing changes in the table, so the kernel's absence changes no work on
 * the main thread in the measured steady state; this part measures the VRRP worker under the
 * checks' load, not the table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { controlRequest } from '../src/daemon/control.js';
import { BENCH_VIP, startPeer, type Peer } from '../test/netns/bench-run.js';
import { watchVip } from '../test/netns/bench-vip-watch.js';
import { killNamespace } from '../test/netns/kp-peers.js';
import { addresses, makeLan, nsExec, waitFor } from '../test/netns/topology.js';
import { FARM_NET, farmConfig } from './checks-conf.js';
import { pendingTeardowns } from './checks-topology.js';
import { JsonChannel } from './json-channel.js';
import { cpuMs, readCpu } from './proc-cpu.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface VrrpOptions {
  readonly checks: number;
  readonly minutes: number;
  readonly advertInt: string;
}

export interface LatenessSample { readonly atS: number; readonly samples: number; readonly p99Us: number; readonly maxUs: number }

export interface PeerResult {
  readonly role: string;
  readonly lateness: readonly LatenessSample[];
  readonly checksDone: number;
  readonly cpuMs: number;
  readonly lateWarnings: number;
  readonly ipvsErrors: number;
}

export interface VrrpResult {
  readonly options: VrrpOptions;
  readonly runS: number;
  readonly falseTransitions: number;
  readonly transitions: readonly string[];
  readonly vipAddedOnBackup: number;
  readonly master: PeerResult;
  readonly backup: PeerResult;
  readonly notes: readonly string[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function lateness(p: Peer, atS: number): Promise<LatenessSample | undefined> {
  if (!p.director) return undefined;
  const st = await controlRequest(p.director.socket, 'status', undefined, { timeoutMs: 10_000 });
  const l = st.vrrpTimerLateness as { samples?: number; p99Us?: number; maxUs?: number } | null | undefined;
  if (!l) return undefined;
  return { atS, samples: Number(l.samples), p99Us: Number(l.p99Us), maxUs: Number(l.maxUs) };
}

function roleLines(p: Peer, from: number): string[] {
  return (p.director?.lines.slice(from) ?? []).filter((l) => l.event === 'vrrp.role').map((l) => `${String(l.from)}->${String(l.to)} (${String(l.reason)})`);
}

export async function runVrrp(o: VrrpOptions, log: (s: string) => void): Promise<VrrpResult> {
  const lan = makeLan(undefined, ['m', 'b', 'farm']);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bchk-vrrp-'));
  nsExec(lan.ns.farm!, 'ip', ['route', 'add', 'local', `${FARM_NET}.0.0/16`, 'dev', 'lo']);
  for (const h of ['m', 'b']) nsExec(lan.ns[h]!, 'ip', ['route', 'add', `${FARM_NET}.0.0/16`, 'via', lan.ip4.farm!]);
  const farm = new JsonChannel(lan.ns.farm!, [process.execPath, join(here, 'checks-farm.js'), String(o.checks)]);
  const peers: Peer[] = [];
  const notes: string[] = [];
  const teardown = (): void => {
    pendingTeardowns.delete(teardown);
    for (const p of peers) p.signal('SIGKILL');
    farm.close();
    for (const h of ['m', 'b', 'farm']) killNamespace(lan.ns[h]!);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  pendingTeardowns.add(teardown);
  try {
    await farm.next((e) => e.ev === 'ready', 120_000);
    const conf = (priority: number): string => farmConfig({ servers: o.checks, perService: 10 },
      { kind: 'tcp', delayLoopS: 1, connectTimeoutS: 1, retry: 1, retryDelayS: 1 }, { priority, advertInt: o.advertInt, vip: BENCH_VIP });
    const extraArgs = ['--debug-ipvs-memory'];
    const master = startPeer({ impl: 'lvsd', ns: lan.ns.m!, name: 'm', dir, config: conf(150), extraArgs });
    const backup = startPeer({ impl: 'lvsd', ns: lan.ns.b!, name: 'b', dir, config: conf(100), extraArgs });
    peers.push(master, backup);
    const hasVip = (ns: string): boolean => addresses(ns).includes(BENCH_VIP);
    const exited = (p: Peer): boolean => p.director?.child.exitCode !== null;
    const stable = (): boolean => {
      if (exited(master) || exited(backup)) throw new Error(`lvsd exited (master ${master.director?.child.exitCode}, backup ${backup.director?.child.exitCode})`);
      return master.role() === 'MASTER' && backup.role() === 'BACKUP' && hasVip(lan.ns.m!) && !hasVip(lan.ns.b!);
    };
    await waitFor(stable, 'master MASTER with the VIP, backup BACKUP', 120_000, 50).catch((e: Error) => {
      const tail = (p: Peer): string => `${p.director?.lines.slice(-6).map((l) => JSON.stringify(l)).join(' ')} ${p.director?.stderr.join('').slice(-500)}`;
      throw new Error(`${e.message} (master ${master.role()}, backup ${backup.role()}; master: ${tail(master)}; backup: ${tail(backup)})`);
    });
    log(`pair stable; waiting for ${o.checks} checks to run on both (1 s delay_loop), then ${o.minutes} min`);
    await pause(5000);
    const watch = watchVip(lan.ns.b!, BENCH_VIP);
    const firstLine = peers.map((p) => p.director?.lines.length ?? 0);
    const pids = peers.map((p) => p.director?.child.pid ?? NaN);
    const cpu0 = pids.map(readCpu);
    await farm.ask({ cmd: 'counts' }, 'counts', 10_000);
    const samples: Array<Array<LatenessSample | undefined>> = [[], []];
    const t0 = Date.now();
    const endAt = t0 + o.minutes * 60_000;
    while (Date.now() < endAt) {
      await pause(Math.min(20_000, endAt - Date.now()));
      const atS = (Date.now() - t0) / 1000;
      for (const [i, p] of peers.entries()) samples[i]!.push(await lateness(p, atS));
      const n = peers.reduce((s, p, i) => s + roleLines(p, firstLine[i]!).length, 0);
      log(`  ${atS.toFixed(0)} s: transitions ${n}; master lateness p99 ${samples[0]!.at(-1)?.p99Us ?? '?'} µs, max ${samples[0]!.at(-1)?.maxUs ?? '?'} µs`);
    }
    const runS = (Date.now() - t0) / 1000;
    const counts = (await farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
    watch.stop();
    const transitions = peers.flatMap((p, i) => roleLines(p, firstLine[i]!).map((l) => `${i === 0 ? 'master' : 'backup'} ${l}`));
    const result = (i: number): PeerResult => {
      const p = peers[i]!;
      const lines = p.director?.lines.slice(firstLine[i]) ?? [];
      const addr = i === 0 ? lan.ip4.m! : lan.ip4.b!;
      return {
        role: p.role(),
        lateness: samples[i]!.filter((s): s is LatenessSample => s !== undefined),
        checksDone: (counts[addr] ?? 0) + (counts[`::ffff:${addr}`] ?? 0),
        cpuMs: cpuMs(cpu0[i]!, readCpu(pids[i]!)).totalMs,
        lateWarnings: lines.filter((l) => l.event === 'vrrp.timer.late').length,
        ipvsErrors: lines.filter((l) => String(l.event).startsWith('ipvs') && l.level !== undefined && Number(l.level) >= 50).length,
      };
    };
    const ipvsLine = master.director?.lines.find((l) => String(l.event).startsWith('ipvs'));
    if (ipvsLine) notes.push(`first ipvs line of the master: ${JSON.stringify(ipvsLine).slice(0, 300)}`);
    return { options: o, runS, falseTransitions: transitions.length, transitions, vipAddedOnBackup: watch.events.filter((e) => e.kind === 'add').length,
      master: result(0), backup: result(1), notes };
  } finally {
    teardown();
  }
}
