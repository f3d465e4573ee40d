/**
 * Part B of bench/checks (host kernel, root, no IPVS): two lvsd at 20 ms VRRP adverts on a
 * test LAN, each running `checks` TCP_CHECKs at a 1 s delay_loop (= checks/s) against the farm
 * (checks-farm.ts) in a third namespace on the same LAN, for M minutes; then (unless skipped)
 * the same pair without any check for as long, as a baseline: what the host does to the VRRP
 * worker without the checks. Counted: role changes after the initial election (false
 * transitions: the goal is 0), VIP additions on the backup, and the VRRP worker's timer
 * lateness read from the control socket (`status` → vrrpTimerLateness: p99 over the worker's
 * last 1,024 timer firings, max since start), sampled every 20 s so the windows cover the run
 * (the master fires 50 advert timers a second). The farm counts the checks each director made.
 *
 * The host kernel has no ip_vs, and without it lvsd refuses to start (as keepalived's checker
 * process does). Both lvsd run with `--debug-ipvs-memory`: the table goes to an in-memory IPVS
 * kernel (src/ipvs/memory-backend.ts, answering as the kernel does) and everything else is real:
 * the VRRP worker and its raw sockets, every check over the LAN, applyHealth and the reconciler.
 * With every server up nothing changes in the table, so the kernel's absence changes no work on
 * the main thread in the measured steady state.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../src/control/socket.js';
import { BENCH_VIP, startPeer, type Peer } from '../test/netns/bench-run.js';
import { watchVip } from '../test/netns/bench-vip-watch.js';
import { killNamespace } from '../test/netns/kp-peers.js';
import { LVSD_NODE_FLAGS, REPO } from '../test/netns/lvsd-harness.js';
import { addresses, makeLan, nsExec, type Lan } from '../test/netns/topology.js';
import { waitUntil } from '../test/fixtures/wait.js';
import { FARM_NET, farmConfig } from './checks-conf.js';
import { latencies } from './checks-lab.js';
import { pendingTeardowns } from './checks-topology.js';
import { JsonChannel } from './json-channel.js';
import { cpuMs, readCpu, realtimeThreads, threadClasses, type CpuTicks } from './proc-cpu.js';
import { summarize, type Summary } from './sample-stats.js';

export interface VrrpOptions {
  readonly checks: number;
  readonly minutes: number;
  readonly advertInt: string;
  /** node options for both lvsd; default bin/lvsd's shebang ones (LVSD_NODE_FLAGS). */
  readonly nodeArgs?: readonly string[];
}

export interface LatenessSample { readonly atS: number; readonly samples: number; readonly p99Us: number; readonly maxUs: number }

export interface PeerResult {
  readonly role: string;
  /** Scheduling class of lvsd's threads at the end ("TS x11, RR 10 x1": the VRRP worker is RR). */
  readonly threads: string;
  /** Latency of each check's last attempt (control `checks`), read at the end. */
  readonly checkLatencyMs: Summary;
  readonly lateness: readonly LatenessSample[];
  readonly checksDone: number;
  readonly cpuMs: number;
  readonly lateWarnings: number;
  /** The VRRP worker thread over the run: ms on the CPU, ms runnable but waiting for a CPU, times scheduled. */
  readonly worker?: { readonly runMs: number; readonly waitMs: number; readonly slices: number };
}

export interface VrrpResult {
  readonly options: VrrpOptions;
  readonly runS: number;
  /** CPU of the farm process (one core = runS × 1000 ms). */
  readonly farmCpuMs: number;
  readonly falseTransitions: number;
  readonly transitions: readonly string[];
  readonly vipAddedOnBackup: number;
  readonly master: PeerResult;
  readonly backup: PeerResult;
  /** Host load while it ran (/proc/loadavg at the end: 1, 5, 15 min). */
  readonly loadavg: string;
  readonly notes: readonly string[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ROLE = ['master', 'backup'] as const;

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

interface Pair { readonly lan: Lan; readonly farm: JsonChannel; readonly peers: readonly [Peer, Peer] }

/** The LAN (m, b, farm), the farm process and both lvsd; resolves once master and backup are settled. */
async function startPair(o: VrrpOptions, dir: string, keep: (close: () => void) => void): Promise<Pair> {
  const lan = makeLan(undefined, ['m', 'b', 'farm']);
  nsExec(lan.ns.farm!, 'ip', ['route', 'add', 'local', `${FARM_NET}.0.0/16`, 'dev', 'lo']);
  for (const h of ['m', 'b']) nsExec(lan.ns[h]!, 'ip', ['route', 'add', `${FARM_NET}.0.0/16`, 'via', lan.ip4.farm!]);
  const farm = new JsonChannel(lan.ns.farm!, [process.execPath, join(here, 'checks-farm.js'), String(Math.max(1, o.checks))]);
  const started: Peer[] = [];
  keep(() => {
    for (const p of started) p.signal('SIGKILL');
    farm.close();
    for (const h of ['m', 'b', 'farm']) killNamespace(lan.ns[h]!);
    lan.destroy();
  });
  await farm.next((e) => e.ev === 'ready', 120_000);
  const conf = (priority: number): string => farmConfig({ servers: o.checks, perService: 10 },
    { kind: 'tcp', delayLoopS: 1, connectTimeoutS: 1, retry: 1, retryDelayS: 1 }, { priority, advertInt: o.advertInt, vip: BENCH_VIP });
  const extraArgs = ['--debug-ipvs-memory'];
  const nodeArgs = o.nodeArgs ?? LVSD_NODE_FLAGS;
  const master = startPeer({ impl: 'lvsd', ns: lan.ns.m!, name: 'm', dir, config: conf(150), extraArgs, nodeArgs });
  const backup = startPeer({ impl: 'lvsd', ns: lan.ns.b!, name: 'b', dir, config: conf(100), extraArgs, nodeArgs });
  started.push(master, backup);
  const hasVip = (ns: string): boolean => addresses(ns).includes(BENCH_VIP);
  const stable = (): boolean => {
    if (started.some((p) => p.director?.child.exitCode !== null)) throw new Error(`lvsd exited: ${started.map((p) => p.director?.stderr.join('').slice(-300)).join(' | ')}`);
    return master.role() === 'MASTER' && backup.role() === 'BACKUP' && hasVip(lan.ns.m!) && !hasVip(lan.ns.b!);
  };
  await waitUntil(stable, 'master MASTER with the VIP, backup BACKUP', 120_000, 50);
  return { lan, farm, peers: [master, backup] };
}

/** Samples the lateness every 20 s until `minutes` are over. */
async function observe(pair: Pair, minutes: number, firstLine: readonly number[], log: (s: string) => void): Promise<{ samples: LatenessSample[][]; runS: number }> {
  const samples: LatenessSample[][] = [[], []];
  const t0 = Date.now();
  const endAt = t0 + minutes * 60_000;
  while (Date.now() < endAt) {
    await pause(Math.min(20_000, endAt - Date.now()));
    const atS = (Date.now() - t0) / 1000;
    for (const [i, p] of pair.peers.entries()) {
      const s = await lateness(p, atS);
      if (s) samples[i]!.push(s);
    }
    const n = pair.peers.reduce((s, p, i) => s + roleLines(p, firstLine[i]!).length, 0);
    log(`  ${atS.toFixed(0)} s: transitions ${n}; master lateness p99 ${samples[0]!.at(-1)?.p99Us ?? '?'} µs, max ${samples[0]!.at(-1)?.maxUs ?? '?'} µs`);
  }
  return { samples, runS: (Date.now() - t0) / 1000 };
}

async function measure(o: VrrpOptions, pair: Pair, log: (s: string) => void): Promise<VrrpResult> {
  const { lan, farm, peers } = pair;
  await pause(5000); // every check has run once (1 s delay_loop, warmup up to 1 s)
  const watch = watchVip(lan.ns.b!, BENCH_VIP);
  const firstLine = peers.map((p) => p.director?.lines.length ?? 0);
  const pids = peers.map((p) => p.director?.child.pid ?? NaN);
  const cpu0: CpuTicks[] = pids.map(readCpu);
  const rt0 = pids.map((pid) => realtimeThreads(pid)[0]);
  const farmCpu0 = readCpu(farm.pid ?? NaN);
  await farm.ask({ cmd: 'counts' }, 'counts', 10_000);
  const { samples, runS } = await observe(pair, o.minutes, firstLine, log);
  const counts = (await farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
  watch.stop();
  const lat = await Promise.all(peers.map(async (p) => summarize(p.director ? latencies(await controlRequest(p.director.socket, 'checks', undefined, { timeoutMs: 30_000 })) : [])));
  const rt1 = pids.map((pid) => realtimeThreads(pid)[0]);
  const result = (i: number): PeerResult => {
    const a = rt0[i];
    const z = rt1[i];
    const worker = a && z && a.tid === z.tid ? { runMs: (z.runNs - a.runNs) / 1e6, waitMs: (z.waitNs - a.waitNs) / 1e6, slices: z.slices - a.slices } : undefined;
    const lines = peers[i]!.director?.lines.slice(firstLine[i]) ?? [];
    const addr = i === 0 ? lan.ip4.m! : lan.ip4.b!;
    return {
      role: peers[i]!.role(), threads: threadClasses(pids[i]!), checkLatencyMs: lat[i]!, lateness: samples[i]!,
      checksDone: (counts[addr] ?? 0) + (counts[`::ffff:${addr}`] ?? 0),
      cpuMs: cpuMs(cpu0[i]!, readCpu(pids[i]!)).totalMs,
      lateWarnings: lines.filter((l) => l.event === 'vrrp.timer.late').length,
      ...(worker ? { worker } : {}),
    };
  };
  const transitions = peers.flatMap((p, i) => roleLines(p, firstLine[i]!).map((l) => `${ROLE[i]} ${l}`));
  const tag = `${o.checks > 0 ? 'host' : 'host-baseline'}${o.nodeArgs !== undefined ? '-flags' : ''}`;
  mkdirSync(join(REPO, 'results'), { recursive: true });
  peers.forEach((p, i) => writeFileSync(join(REPO, 'results', `bench-checks-${tag}-${ROLE[i]}.log`), `${(p.director?.lines ?? []).map((l) => JSON.stringify(l)).join('\n')}\n`));
  return {
    options: { ...o, nodeArgs: o.nodeArgs ?? LVSD_NODE_FLAGS }, runS, farmCpuMs: cpuMs(farmCpu0, readCpu(farm.pid ?? NaN)).totalMs, falseTransitions: transitions.length, transitions,
    vipAddedOnBackup: watch.events.filter((e) => e.kind === 'add').length, master: result(0), backup: result(1),
    loadavg: (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' '),
    notes: [`logs: results/bench-checks-${tag}-master.log, results/bench-checks-${tag}-backup.log`],
  };
}

export async function runVrrp(o: VrrpOptions, log: (s: string) => void): Promise<VrrpResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bchk-vrrp-'));
  let close = (): void => undefined;
  const teardown = (): void => {
    pendingTeardowns.delete(teardown);
    close();
    rmSync(dir, { recursive: true, force: true });
  };
  pendingTeardowns.add(teardown);
  try {
    const pair = await startPair(o, dir, (c) => { close = c; });
    log(`pair stable with ${o.checks} checks each; ${o.minutes} min`);
    return await measure(o, pair, log);
  } finally {
    teardown();
  }
}
