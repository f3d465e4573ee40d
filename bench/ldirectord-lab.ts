/**
 * The lab part of bench/ldirectord (root, IPVS): the real ldirectord (Debian 4.12, `ldirectord
 * FILE start` with supervised=yes: foreground, transitions logged to stdout) and lvsd
 * (`lvsd -f FILE`) read the SAME ldirectord.cf (ldirectord-conf.ts) in two director namespaces
 * and check the same farm (bench/checks-farm.ts, one process for every real server). In one run:
 *  1. both tables full, a warm-up, then a window of W seconds: CPU (utime + stime, all threads)
 *     of each daemon, plus the CPU of children ldirectord reaped (ipvsadm), and the requests the
 *     farm served to each;
 *  2. N kills seen by both (bench/checks-kills.ts; its "keepalived" slot holds ldirectord here):
 *     server killed (connections reset) → its destination gone from each kernel table.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { LVSD, LVSD_NODE_FLAGS, REPO } from '../test/netns/lvsd-harness.js';
import { startIn, type Proc } from '../test/netns/topology.js';
import type { FarmLayout } from './checks-conf.js';
import type { CpuResult } from './checks-lab.js';
import { runKills, type KillSample } from './checks-kills.js';
import { buildTopology } from './checks-topology.js';
import { JsonChannel, type Event } from './json-channel.js';
import { CLK_TCK, cpuMs, readCpu, type CpuTicks } from './proc-cpu.js';
import { ldirectordFarmConfig, type LdCheckSettings } from './ldirectord-conf.js';
import { traceKill, type LvsdTrace } from './ldirectord-trace.js';
import { farmAddress, FARM_PORT } from './checks-conf.js';

export interface LdLabOptions {
  readonly layout: FarmLayout;
  readonly check: LdCheckSettings;
  readonly windowS: number;
  readonly warmupS: number;
  readonly kills: number;
  readonly pollMs: number;
  readonly seed: number;
}

export type LdImpl = 'lvsd' | 'ldirectord';
export type LdCpu = CpuResult;

export interface LdLabResult {
  readonly options: LdLabOptions;
  readonly kernel: string;
  readonly load: { readonly start: string; readonly end: string };
  readonly fullTableMs: Readonly<Record<LdImpl, number>>;
  readonly windowMs: number;
  readonly cpu: Readonly<Record<LdImpl, LdCpu>>;
  /** CPU of the children ldirectord waited for in the window (ipvsadm runs), ms. */
  readonly ldirectordChildrenMs: number;
  readonly destsAfterWindow: Readonly<Record<LdImpl, number>>;
  /** Kill samples; `by.keepalived` is ldirectord's observation (checks-kills.ts names its slots). */
  readonly kills: readonly KillSample[];
  /** Per kill, from lvsd's log: kill → check.state down → ipvs.apply (ldirectord-trace.ts). */
  readonly lvsdTraces?: readonly LvsdTrace[];
  readonly notes: readonly string[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(REPO, 'results');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** cutime + cstime of `pid` in ms (children it has reaped; /proc/PID/stat fields 16 and 17). */
function reapedChildrenMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

interface Running {
  readonly watch: { lvsd: JsonChannel; ldirectord: JsonChannel };
  readonly lvsd: Proc;
  readonly ldirectord: Proc;
  readonly startedAt: number;
}

async function fullTables(r: Running, servers: number, timeoutMs: number): Promise<Record<LdImpl, number>> {
  const out: Partial<Record<LdImpl, number>> = {};
  const deadline = nowMs() + timeoutMs;
  const impls: LdImpl[] = ['lvsd', 'ldirectord'];
  while (impls.some((i) => out[i] === undefined)) {
    for (const impl of impls) {
      if (out[impl] !== undefined) continue;
      const s = await r.watch[impl].ask({ cmd: 'size' }, 'size', 60_000);
      if (Number(s.dests) >= servers) out[impl] = nowMs() - r.startedAt;
    }
    for (const impl of impls) {
      const p = r[impl];
      if (p.child.exitCode !== null) throw new Error(`${impl} exited (${p.child.exitCode}): ${p.stderr.join('').slice(-800)} ${JSON.stringify(p.lines.slice(-5))}`);
    }
    if (nowMs() > deadline) throw new Error(`tables not full within ${timeoutMs} ms: ${JSON.stringify(out)}`);
    await pause(1000);
  }
  return out as Record<LdImpl, number>;
}

function saveLogs(r: Running, tag: string): void {
  mkdirSync(RESULTS, { recursive: true });
  const text = (p: Proc): string => `${p.lines.map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l))).join('\n')}\n${p.stderr.join('')}`;
  writeFileSync(join(RESULTS, `bench-ldirectord-lab${tag}-ldirectord.log`), text(r.ldirectord));
  writeFileSync(join(RESULTS, `bench-ldirectord-lab${tag}-lvsd.log`), text(r.lvsd));
}

/** `tag` goes in the log files' names (results/bench-ldirectord-lab{tag}-lvsd.log), so a second run keeps the first's. */
export async function runLdLab(o: LdLabOptions, log: (s: string) => void, tag = ''): Promise<LdLabResult> {
  const notes: string[] = [];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const topo = buildTopology('bld');
  const ns = { lvsd: topo.dir.lvsd, ldirectord: topo.dir.keepalived };
  const source = { lvsd: topo.source.lvsd, keepalived: topo.source.keepalived };
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bld-'));
  const farm = new JsonChannel(topo.farm, [process.execPath, join(here, 'checks-farm.js'), String(o.layout.servers)]);
  let r: Running | undefined;
  try {
    await farm.next((e: Event) => e.ev === 'ready', 120_000);
    log(`farm ready: ${o.layout.servers} servers`);
    const conf = join(dir, 'ldirectord.cf');
    writeFileSync(conf, ldirectordFarmConfig(o.layout, o.check));
    const watchArgs = [process.execPath, join(here, 'checks-watch.js'), String(o.pollMs)];
    const watch = { lvsd: new JsonChannel(ns.lvsd, watchArgs), ldirectord: new JsonChannel(ns.ldirectord, watchArgs) };
    const startedAt = nowMs();
    const ldirectord = startIn(undefined, ns.ldirectord, '/usr/sbin/ldirectord', [conf, 'start']);
    // As bin/lvsd runs it (its shebang's node flags: --single-threaded).
    const lvsd = startIn(undefined, ns.lvsd, process.execPath, [...LVSD_NODE_FLAGS, LVSD, '-n', '-f', conf, '--socket', join(dir, 'lvsd.sock'), '--pid-file', join(dir, 'lvsd.pid'), '--log-level', 'info']);
    r = { watch, lvsd, ldirectord, startedAt };
    const fullTableMs = await fullTables(r, o.layout.servers, 600_000);
    log(`tables full: lvsd ${fullTableMs.lvsd.toFixed(0)} ms, ldirectord ${fullTableMs.ldirectord.toFixed(0)} ms after start; warm-up ${o.warmupS} s`);
    await pause(o.warmupS * 1000);
    log(`CPU window ${o.windowS} s`);
    const pids = { lvsd: lvsd.child.pid ?? NaN, ldirectord: ldirectord.child.pid ?? NaN };
    await farm.ask({ cmd: 'counts' }, 'counts', 10_000);
    const t0 = nowMs();
    const before: Record<LdImpl, CpuTicks> = { lvsd: readCpu(pids.lvsd), ldirectord: readCpu(pids.ldirectord) };
    const childrenBefore = reapedChildrenMs(pids.ldirectord);
    await pause(o.windowS * 1000);
    const after: Record<LdImpl, CpuTicks> = { lvsd: readCpu(pids.lvsd), ldirectord: readCpu(pids.ldirectord) };
    const ldirectordChildrenMs = reapedChildrenMs(pids.ldirectord) - childrenBefore;
    const windowMs = nowMs() - t0;
    const counts = (await farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
    const req = (addr: string): number => (counts[addr] ?? 0) + (counts[`::ffff:${addr}`] ?? 0);
    const cpu = {
      lvsd: { ...cpuMs(before.lvsd, after.lvsd), requests: req(source.lvsd) },
      ldirectord: { ...cpuMs(before.ldirectord, after.ldirectord), requests: req(source.keepalived) },
    };
    const size = async (c: JsonChannel): Promise<number> => Number((await c.ask({ cmd: 'size' }, 'size', 60_000)).dests);
    const destsAfterWindow = { lvsd: await size(watch.lvsd), ldirectord: await size(watch.ldirectord) };
    log(`window: lvsd ${cpu.lvsd.totalMs} ms CPU, ${cpu.lvsd.requests} requests; ldirectord ${cpu.ldirectord.totalMs} ms CPU (+${ldirectordChildrenMs} ms children), ${cpu.ldirectord.requests} requests; ${o.kills} kills`);
    const kills = await runKills({
      farm, watch: { lvsd: watch.lvsd, keepalived: watch.ldirectord }, source, layout: o.layout, kills: o.kills, mode: 'reset',
      delayLoopS: o.check.checkIntervalS, seed: o.seed, timeoutMs: 120_000, log: (s) => log(s.replace('keepalived', 'ldirectord')),
    });
    const wallMinusMono = Date.now() - nowMs();
    const killed = farm.events.filter((e) => e.ev === 'killed');
    const lvsdLines = r.lvsd.lines;
    const lvsdTraces = kills.map((k, i) => traceKill(lvsdLines, { rs: `${farmAddress(k.server)}:${FARM_PORT}`, killAtMono: Number(killed[i]?.t), wallMinusMono }));
    const downs = r.ldirectord.lines.filter((l) => typeof l.raw === 'string' && l.raw.includes('Deleted real server')).length;
    notes.push(`ldirectord logged ${downs} "Deleted real server" lines in the run; lvsd ${r.lvsd.lines.filter((l) => l.event === 'real.state' && l.to === 'down').length} real.state down lines`,
      `logs: results/bench-ldirectord-lab${tag}-ldirectord.log, results/bench-ldirectord-lab${tag}-lvsd.log`);
    return { options: o, kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(), load: { start: load, end: loadavg().map((x) => x.toFixed(2)).join(' ') },
      fullTableMs, windowMs, cpu, ldirectordChildrenMs, destsAfterWindow, kills, lvsdTraces, notes };
  } finally {
    if (r) {
      saveLogs(r, tag);
      r.watch.lvsd.close();
      r.watch.ldirectord.close();
      r.lvsd.kill('SIGTERM');
      r.ldirectord.kill('SIGTERM');
      await Promise.race([Promise.all([r.lvsd.exited, r.ldirectord.exited]), pause(20_000)]);
    }
    farm.close();
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
