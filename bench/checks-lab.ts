/**
 * Part A of bench/checks (the IPVS lab, root): keepalived 2.2.7's checker process and lvsd,
 * started together from the SAME keepalived.conf in two director namespaces, checking the same
 * farm (checks-farm.ts: one process for every real server). In one run:
 *  1. both tables full (every real server up), a warm-up, then a window of W seconds: CPU time
 *     (utime + stime from /proc/PID/stat) of the whole lvsd process and of keepalived's checker
 *     child (its parent reported apart), and the requests the farm served to each director;
 *  2. lvsd's check latencies (control `checks`, the data of `lvsctl checks --json`), sampled
 *     after the window so the sampling costs nothing inside it;
 *  3. N kills, each seen by both directors (checks-kills.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { controlRequest } from '../src/control/socket.js';
import { LVSD, LVSD_NODE_FLAGS, REPO } from '../test/netns/lvsd-harness.js';
import { startIn, type Proc } from '../test/netns/topology.js';
import { farmConfig, type CheckSettings, type FarmLayout } from './checks-conf.js';
import { IMPLS, runKills, type Impl, type KillSample } from './checks-kills.js';
import { buildTopology, type Topology } from './checks-topology.js';
import { JsonChannel, type Event } from './json-channel.js';
import { cpuMs, readCpu, type CpuTicks } from './proc-cpu.js';

export interface LabOptions {
  readonly layout: FarmLayout;
  readonly check: CheckSettings;
  readonly windowS: number;
  /**
   * After both tables are full, before the window (default 60 s): V8's heap-shrinking GC (the
   * "memory reducer", three Mark-Compact (reduce) passes, ~57 ms natively, once) runs some 10-25 s
   * after lvsd's start-up work ends; a window opened earlier bills that one-off to the checks.
   */
  readonly warmupS: number;
  readonly kills: number;
  readonly kill: 'reset' | 'refuse';
  readonly pollMs: number;
  readonly seed: number;
  /** node options for lvsd: bin/lvsd's shebang ones (LVSD_NODE_FLAGS) unless --lvsd-node-flags; absent in older results (none). */
  readonly nodeArgs?: readonly string[];
  /** lvsd ran with --watch-connections (bench --watch-connections); absent in older results (without). */
  readonly watchConnections?: boolean;
  /** LVSD_TCP_PROBES of the run: 'net' = plain TCP/HTTP checks through net.Socket instead of the addon (A/B); absent = the addon. */
  readonly tcpProbes?: string;
  /** LVSD_STEADY_LANE of the run: 'off' = every attempt in lvsd's engine, no steady lane (A/B); absent = the lane. */
  readonly steadyLane?: string;
}

export interface CpuResult { readonly userMs: number; readonly systemMs: number; readonly totalMs: number; readonly requests: number }

export interface LabResult {
  readonly options: LabOptions;
  readonly kernel: string;
  readonly load: { readonly start: string; readonly end: string };
  /** Start of the daemon → its table holds every real server (ms). */
  readonly fullTableMs: Readonly<Record<Impl, number>>;
  readonly windowMs: number;
  readonly cpu: Readonly<Record<Impl, CpuResult>> & { readonly keepalivedParent: CpuResult };
  /** Destinations in each table after the window (every server should still be up). */
  readonly destsAfterWindow: Readonly<Record<Impl, number>>;
  /** Real servers taken out during the window (false downs: every server is up; a sign of overload). */
  readonly downsInWindow: Readonly<Record<Impl, number>>;
  readonly lvsdLatenciesMs: readonly number[];
  readonly kills: readonly KillSample[];
  readonly notes: readonly string[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(REPO, 'results');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** Every `latencyMs` number in a control answer, whatever its shape. */
export function latencies(x: unknown, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const v of x) latencies(v, out);
  else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === 'latencyMs' && typeof v === 'number') out.push(v);
      else latencies(v, out);
    }
  }
  return out;
}

/** In a `checks` answer: how many checks, how many have run once, how many watches there are and are up. */
export function checkCounts(x: unknown, acc = { checks: 0, run: 0, watched: 0, connected: 0 }): typeof acc {
  if (Array.isArray(x)) for (const v of x) checkCounts(v, acc);
  else if (x !== null && typeof x === 'object') {
    const rec = x as Record<string, unknown>;
    if ('kind' in rec && 'state' in rec && 'target' in rec) {
      acc.checks++;
      if (rec['last'] !== undefined) acc.run++;
      if (typeof rec['watch'] === 'string') acc.watched++;
      if (rec['watch'] === 'connected') acc.connected++;
    } else for (const v of Object.values(rec)) checkCounts(v, acc);
  }
  return acc;
}

/**
 * Until every check of lvsd has run once and every watch connection (--watch-connections) is
 * up. keepalived's default warmup is the delay_loop, so first checks (and the watch connections,
 * which open when their target's first check is due) spread over warmup + delay_loop after the
 * start: one-off costs the window should not bill, to either daemon (the same config spreads
 * keepalived's alike). Returns the seconds waited.
 */
export async function checksSettled(socket: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const c = checkCounts(await controlRequest(socket, 'checks', undefined, { timeoutMs: 30_000 }));
    if (c.checks > 0 && c.run === c.checks && c.connected === c.watched) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`checks not settled after ${timeoutMs / 1000} s: ${JSON.stringify(c)}`);
    await pause(2000);
  }
}

interface Running {
  readonly topo: Topology;
  readonly dir: string;
  readonly farm: JsonChannel;
  readonly watch: Record<Impl, JsonChannel>;
  readonly lvsd: Proc;
  readonly keepalived: Proc;
  readonly socket: string;
  readonly startedAt: number;
}

function start(o: LabOptions, topo: Topology, dir: string, farm: JsonChannel): Running {
  const conf = join(dir, 'bench.conf');
  writeFileSync(conf, farmConfig(o.layout, o.check));
  const watch = {
    lvsd: new JsonChannel(topo.dir.lvsd, [process.execPath, join(here, 'checks-watch.js'), String(o.pollMs)]),
    keepalived: new JsonChannel(topo.dir.keepalived, [process.execPath, join(here, 'checks-watch.js'), String(o.pollMs)]),
  };
  const socket = join(dir, 'lvsd.sock');
  const startedAt = nowMs();
  const keepalived = startIn(undefined, topo.dir.keepalived, 'keepalived',
    ['-n', '-l', '-C', '-f', conf, '-p', join(dir, 'ka.pid'), '-c', join(dir, 'ka-check.pid'), '-r', join(dir, 'ka-vrrp.pid')]);
  const lvsd = startIn(undefined, topo.dir.lvsd, process.execPath,
    [...(o.nodeArgs ?? LVSD_NODE_FLAGS), LVSD, '-n', '-f', conf, '--socket', socket, '--pid-file', join(dir, 'lvsd.pid'), '--log-level', 'info',
      ...(o.watchConnections === true ? ['--watch-connections'] : [])]);
  return { topo, dir, farm, watch, lvsd, keepalived, socket, startedAt };
}

/** Waits until each table holds `servers` destinations; returns ms since the daemons started. */
async function fullTables(r: Running, servers: number, timeoutMs: number): Promise<Record<Impl, number>> {
  const out: Partial<Record<Impl, number>> = {};
  const deadline = nowMs() + timeoutMs;
  while (IMPLS.some((i) => out[i] === undefined)) {
    for (const impl of IMPLS) {
      if (out[impl] !== undefined) continue;
      const s = await r.watch[impl].ask({ cmd: 'size' }, 'size', 60_000);
      if (Number(s.dests) >= servers) out[impl] = nowMs() - r.startedAt;
    }
    if (r.lvsd.child.exitCode !== null) throw new Error(`lvsd exited: ${JSON.stringify(r.lvsd.lines.slice(-5))} ${r.lvsd.stderr.join('').slice(-800)}`);
    if (r.keepalived.child.exitCode !== null) throw new Error(`keepalived exited: ${r.keepalived.stderr.join('').slice(-800)}`);
    if (nowMs() > deadline) throw new Error(`tables not full within ${timeoutMs} ms: ${JSON.stringify(out)}`);
    await pause(1000);
  }
  return out as Record<Impl, number>;
}

const pidFrom = (file: string): number => Number.parseInt(readFileSync(file, 'utf8'), 10);

/** Real servers each director took out of its table from these log positions on (all up is expected in the window). */
function removals(r: Running, from: { lvsd: number; keepalived: number }): Record<Impl, number> {
  return {
    lvsd: r.lvsd.lines.slice(from.lvsd).filter((l) => l.event === 'real.state' && l.to === 'down').length,
    keepalived: (r.keepalived.stderr.join('').slice(from.keepalived).match(/Removing service /g) ?? []).length,
  };
}

const logMark = (r: Running): { lvsd: number; keepalived: number } => ({ lvsd: r.lvsd.lines.length, keepalived: r.keepalived.stderr.join('').length });

async function window(o: LabOptions, r: Running): Promise<{ cpu: LabResult['cpu']; windowMs: number; downs: Record<Impl, number> }> {
  const pids = { lvsd: r.lvsd.child.pid ?? NaN, keepalived: pidFrom(join(r.dir, 'ka-check.pid')), keepalivedParent: pidFrom(join(r.dir, 'ka.pid')) };
  await r.farm.ask({ cmd: 'counts' }, 'counts', 10_000); // resets the farm's counters
  const mark = logMark(r);
  const t0 = nowMs();
  const before = { lvsd: readCpu(pids.lvsd), keepalived: readCpu(pids.keepalived), keepalivedParent: readCpu(pids.keepalivedParent) };
  await pause(o.windowS * 1000);
  const after: Record<keyof typeof pids, CpuTicks> = { lvsd: readCpu(pids.lvsd), keepalived: readCpu(pids.keepalived), keepalivedParent: readCpu(pids.keepalivedParent) };
  const windowMs = nowMs() - t0;
  const counts = (await r.farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
  const req = (addr: string): number => (counts[addr] ?? 0) + (counts[`::ffff:${addr}`] ?? 0);
  return {
    windowMs,
    downs: removals(r, mark),
    cpu: {
      lvsd: { ...cpuMs(before.lvsd, after.lvsd), requests: req(r.topo.source.lvsd) },
      keepalived: { ...cpuMs(before.keepalived, after.keepalived), requests: req(r.topo.source.keepalived) },
      keepalivedParent: { ...cpuMs(before.keepalivedParent, after.keepalivedParent), requests: 0 },
    },
  };
}

async function lvsdLatencies(socket: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await pause(1000);
    out.push(...latencies(await controlRequest(socket, 'checks', undefined, { timeoutMs: 30_000 })));
  }
  return out;
}

/** The daemons' logs, to results/ for a closer look (also when the run failed). */
function saveLogs(r: Running): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'bench-checks-lab-keepalived.log'), r.keepalived.stderr.join(''));
  writeFileSync(join(RESULTS, 'bench-checks-lab-lvsd.log'), `${r.lvsd.lines.map((l) => JSON.stringify(l)).join('\n')}\n${r.lvsd.stderr.join('')}`);
}

/** What the daemons said about themselves. */
function daemonNotes(r: Running): string[] {
  const kaLog = r.keepalived.stderr.join('');
  const late = kaLog.match(/A thread timer expired [\d.]+ seconds ago/g) ?? [];
  const worst = Math.max(0, ...late.map((l) => Number(/([\d.]+) seconds/.exec(l)?.[1])));
  const byEvent = new Map<string, number>();
  for (const l of r.lvsd.lines) if (typeof l.event === 'string' && Number(l.level) >= 40) byEvent.set(l.event, (byEvent.get(l.event) ?? 0) + 1);
  const applies = r.lvsd.lines.filter((l) => l.event === 'ipvs.apply').slice(1).map((l) => Number(l.ms)).sort((a, b) => a - b);
  return [
    `lvsd: ${applies.length} table passes after the first (one per loop turn with health changes; each plans the changed services' destinations against lvsd's record of them, then applies the ops): median ${(applies[Math.floor(applies.length / 2)] ?? NaN).toFixed(0)} ms, max ${(applies.at(-1) ?? NaN).toFixed(0)} ms`,
    `keepalived: ${kaLog.split('\n').length} console lines, ${late.length} "A thread timer expired" (its scheduler running late; worst ${worst} s)`,
    `lvsd: ${r.lvsd.lines.filter((l) => l.event === 'check.state').length} check.state lines; warnings/errors by event: ${JSON.stringify(Object.fromEntries(byEvent))}`,
    'logs: results/bench-checks-lab-keepalived.log, results/bench-checks-lab-lvsd.log',
  ];
}

export async function runLab(o: LabOptions, log: (s: string) => void): Promise<LabResult> {
  const notes: string[] = [];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const topo = buildTopology();
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bchk-'));
  const farm = new JsonChannel(topo.farm, [process.execPath, join(here, 'checks-farm.js'), String(o.layout.servers)]);
  let r: Running | undefined;
  try {
    await farm.next((e: Event) => e.ev === 'ready', 120_000);
    log(`farm ready: ${o.layout.servers} servers`);
    r = start(o, topo, dir, farm);
    const fullTableMs = await fullTables(r, o.layout.servers, 600_000);
    log(`tables full: lvsd ${fullTableMs.lvsd.toFixed(0)} ms, keepalived ${fullTableMs.keepalived.toFixed(0)} ms after start; warm-up ${o.warmupS} s`);
    const settledS = await checksSettled(r.socket, 900_000);
    notes.push(`every lvsd check had run once${o.watchConnections === true ? ' and every watch connection was up' : ''} ${settledS.toFixed(0)} s after the tables were full (keepalived's default warmup is the delay_loop); the warm-up started then`);
    await pause(o.warmupS * 1000);
    log(`CPU window ${o.windowS} s`);
    const w = await window(o, r);
    const destsAfterWindow = { lvsd: Number((await r.watch.lvsd.ask({ cmd: 'size' }, 'size', 60_000)).dests), keepalived: Number((await r.watch.keepalived.ask({ cmd: 'size' }, 'size', 60_000)).dests) };
    const lat = await lvsdLatencies(r.socket, 3).catch((e: Error) => {
      notes.push(`lvsd check latencies unavailable: ${e.message}`);
      return [];
    });
    log(`${lat.length} lvsd latency samples; ${o.kills} kills (${o.kill})`);
    const killDelayS = o.check.detectDelayLoopS ?? o.check.delayLoopS;
    const kills = await runKills({ farm, watch: r.watch, source: topo.source, layout: o.layout, kills: o.kills, mode: o.kill,
      delayLoopS: killDelayS, seed: o.seed, timeoutMs: 20_000 + 3 * 1000 * (killDelayS + o.check.retry * o.check.retryDelayS), log });
    notes.push(...daemonNotes(r));
    return { options: o, kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(), load: { start: load, end: loadavg().map((x) => x.toFixed(2)).join(' ') },
      fullTableMs, windowMs: w.windowMs, cpu: w.cpu, destsAfterWindow, downsInWindow: w.downs, lvsdLatenciesMs: lat, kills, notes };
  } finally {
    if (r) {
      saveLogs(r);
      for (const c of Object.values(r.watch)) c.close();
      r.lvsd.kill('SIGTERM');
      r.keepalived.kill('SIGTERM');
      await Promise.race([Promise.all([r.lvsd.exited, r.keepalived.exited]), pause(10_000)]);
    }
    farm.close();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
