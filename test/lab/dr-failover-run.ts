/**
 * One series of bench/dr-failover: in the direct-routing world (dr-world.ts), dirA (priority
 * 150) and dirB (100) run lvsd or keepalived from the same keepalived.conf with the sync daemon
 * on; one client (dr-client.js) holds four connections and starts a request every few ms.
 * Each run crashes dirA (its processes stopped, its link down, the processes killed: crasher) at
 * a planned phase of its advert cycle, and records the takeover (link down → VIP on dirB, both
 * from `ip -ts monitor`), the client's longest gap without an answer, and how many held connections answered
 * again. dirA is then restarted on a clean slate (cleanDirector). No ava here: bench code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { namespacePids } from '../netns/kp-peers.js';
import { waitUntil } from '../fixtures/wait.js';
import { watchAdverts, type AdvertWatch } from '../netns/bench-advert-watch.js';
import { stamped, watchVip, type VipWatch } from '../netns/bench-vip-watch.js';
import { spawn } from 'node:child_process';
import { eachLine, nsExec } from '../netns/topology.js';
import { cleanDirector, startDirectorImpl, type Impl, type RunningDirector } from './dr-directors.js';
import { PERSISTENT_PORT, PLAIN_PORT, VIP, crasher, directorConfig, establishedPorts, syncStates, type World } from './dr-world.js';
import { monoMs, startTraffic, summarize, type Traffic } from './dr-traffic.js';
import { macOf, watchWire, type WireSteps, type WireWatch } from './dr-wire-watch.js';
import { perfToWallMs } from '../netns/wall-clock.js';

export interface RunSample {
  /** dirA off the wire (link down) → VIP added on dirB. */
  readonly takeoverMs: number;
  /** The client's longest time without an answer around the crash. */
  readonly gapMs: number;
  /**
   * The gap in three parts: gapMs = lastAnswerMs + takeoverMs + firstAnswerMs, where lastAnswerMs
   * is the crash minus the gap's last answer (negative: answers still came after the crash, for
   * requests forwarded before it) and firstAnswerMs runs from the VIP on the backup to the gap's end.
   */
  readonly lastAnswerMs: number;
  readonly firstAnswerMs: number;
  /** dirA's last advert seen by dirB → the crash. */
  readonly phaseMs: number;
  readonly heldBefore: number;
  readonly heldSurvived: number;
  readonly requests: number;
  readonly failed: number;
  /** err → count, for the failed requests. */
  readonly failures: Readonly<Record<string, number>>;
  /** firstAnswerMs in steps, as the client's link saw them (--wire only). */
  readonly wire?: WireSteps;
  /** --wire, lvsd only: the new master's log events from the VIP to 1 s after it, as `event@ms` after the VIP. */
  readonly marks?: string;
  /**
   * CPU time of the backup's director (every thread of its node or keepalived processes,
   * /proc schedstat) from the crash to TAKEOVER_CPU_AFTER_MS after the VIP: at rest until its
   * master-down timer, then the takeover, which shares the lab's two vCPUs with the client and
   * the real servers at that moment.
   */
  readonly takeoverCpuMs: number;
}

export const TAKEOVER_CPU_AFTER_MS = 150;

/** `pid:comm:state:wchan` of each process in `ns`, for a director that stopped talking. */
function processStates(ns: string): string {
  return namespacePids(ns).map((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return `${p}:${readFileSync(`/proc/${p}/comm`, 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]}:${readFileSync(`/proc/${p}/wchan`, 'utf8')}`;
    } catch {
      return `${p}:gone`;
    }
  }).join(' ');
}

/** Run time (ns) of every thread of the director processes (node, keepalived) in `ns`. */
function directorCpuNs(ns: string): number {
  let total = 0;
  for (const pid of namespacePids(ns)) {
    try {
      if (!['node', 'keepalived'].includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export interface SeriesOptions {
  readonly world: World;
  readonly impl: Impl;
  /** advert_int, seconds (keepalived.conf text). */
  readonly advertInt: string;
  readonly runs: number;
  /** Which of the `runs` kill phases (0 … runs-1) this call carries out; all by default (a bench splits a series into blocks). */
  readonly only?: readonly number[];
  readonly everyMs: number;
  /** Watch the client's link (dr-wire-watch.ts): a tcpdump more, the same for both implementations. */
  readonly wire?: boolean;
  readonly log: (line: string) => void;
}

const PRIORITY = { dirA: 150, dirB: 100 } as const;
const SLOW = 120_000;
/** The client's request period while a director restarts (the held connections go on as usual). */
const RECOVERY_EVERY_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` until true (→ true) or `timeoutMs` has passed (→ false). */
async function within(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = performance.now() + timeoutMs; performance.now() < end; await sleep(200)) if (pred()) return true;
  return pred();
}

/**
 * `ip -ts monitor link` in a namespace: when eth0 went down, by ip's own receive stamp on the
 * performance.now() scale (bench-vip-watch.ts's `stamped`), so the crash is timed from the
 * moment the director left the wire, not from when this process asked for it. It runs at
 * SCHED_FIFO 99: ip stamps a line when it gets to run, and on the busy guest a process of normal
 * priority would run after whatever else woke up then, its stamp timing that too.
 */
function watchLinkDown(ns: string): { readonly pid: number; downAfter(sinceMs: number): number | undefined; stop(): void } {
  const child = spawn('chrt', ['-f', '99', 'ip', '-n', ns, '-ts', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const downs: number[] = [];
  eachLine(child.stdout, (raw) => {
    const { atMs, line } = stamped(raw, performance.now());
    const flags = /\beth0(?:@\S+)?: <([^>]*)>/.exec(line)?.[1];
    if (flags !== undefined && !flags.split(',').includes('UP')) downs.push(atMs);
  });
  return {
    pid: child.pid!, // it lives in the namespace (ip -n): cleanDirector must spare it
    downAfter: (sinceMs) => downs.find((t) => t >= sinceMs),
    stop: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}

interface SeriesState {
  readonly o: SeriesOptions;
  a: RunningDirector;
  readonly b: RunningDirector;
  traffic: Traffic;
  readonly vip: VipWatch;
  readonly adverts: AdvertWatch;
  readonly link: ReturnType<typeof watchLinkDown>;
  readonly wire: WireWatch | undefined;
  /** client time (CLOCK_MONOTONIC ms) minus this process's performance.now() */
  readonly offset: number;
  starts: number;
}

function startClient(o: SeriesOptions): Traffic {
  return startTraffic(undefined, o.world.lan.ns.client!, { host: VIP, ports: [PLAIN_PORT, PERSISTENT_PORT], everyMs: o.everyMs,
    heldPorts: [PLAIN_PORT, PLAIN_PORT, PERSISTENT_PORT, PERSISTENT_PORT], heldEveryMs: 100, timeoutMs: 10_000 });
}

function startA(s: Pick<SeriesState, 'o' | 'starts'>): RunningDirector {
  const { world: w, impl, advertInt } = s.o;
  return startDirectorImpl(impl, { ns: w.lan.ns.dirA!, name: `a${s.starts}`, dir: w.dir,
    config: directorConfig(w, { name: 'dirA', priority: PRIORITY.dirA, advertInt, sync: true }) });
}

/** dirA MASTER with the master sync daemon, dirB BACKUP with the backup one, every held connection answering and synced to dirB. */
async function stable(s: SeriesState): Promise<void> {
  const { lan } = s.o.world;
  const what = `${s.o.impl}: dirA MASTER, dirB BACKUP, sync daemons master / backup`;
  await waitUntil(() => s.a.role() === 'MASTER' && s.b.role() === 'BACKUP' && syncStates(lan.ns.dirA!).join() === 'master'
    && syncStates(lan.ns.dirB!).join() === 'backup', what, SLOW, 100)
    .catch((e: Error) => { throw new Error(`${e.message}; dirA ${s.a.role()} ${syncStates(lan.ns.dirA!).join()}, dirB ${s.b.role()} ${syncStates(lan.ns.dirB!).join()}\n${s.a.tail()}\n${s.b.tail()}`); });
  // a held connection lost (a reset in the previous run) is never reopened: a new client then
  const lost = summarize(s.traffic.events, 0, monoMs()).held.filter((h) => h.lost);
  if (lost.length > 0) {
    s.o.log(`    held connection(s) lost earlier (${lost.map((h) => `#${h.id} ${h.lost!.err}`).join(', ')}): a new client`);
    s.traffic.kill();
    s.traffic = startClient(s.o);
  }
  const held = (): number[] => s.traffic.events.flatMap((e) => (e.ev === 'held-up' ? [e.local] : []));
  await waitUntil(() => held().length === 4 && held().every((p) => establishedPorts(s.o.world, lan.ns.dirB!).has(p)), 'the held connections synced to dirB', SLOW, 200);
  await waitUntil(() => {
    const sum = summarize(s.traffic.events, monoMs() - 1000, monoMs());
    return sum.failed === 0 && sum.ok > 0 && sum.held.every((h) => h.lost !== undefined || h.answers > 0);
  }, 'a calm second of traffic', SLOW, 100);
}

/** Waits for the planned kill time: `fraction` of an interval after one of dirA's adverts (seen by dirB). */
async function atPhase(s: SeriesState, fraction: number): Promise<void> {
  const intervalMs = Number(s.o.advertInt) * 1000;
  const from = s.o.world.lan.ip4.dirA!;
  const tolerance = Math.max(2, 0.05 * intervalMs);
  let advertAt = await s.adverts.nextFrom(from, performance.now(), 5 * intervalMs + 2000);
  // an advert whose tcpdump line came too late for the plan gives way to the next, a few times at most
  for (let k = 0; k < 5 && performance.now() > advertAt + fraction * intervalMs + tolerance; k++) {
    advertAt = await s.adverts.nextFrom(from, advertAt, 5 * intervalMs + 2000);
  }
  const planned = advertAt + fraction * intervalMs;
  if (planned - performance.now() > 2) await sleep(planned - performance.now() - 2);
  while (performance.now() < planned) { /* at most ~2 ms */ }
}

async function oneRun(s: SeriesState, k: number): Promise<RunSample> {
  const { lan } = s.o.world;
  const tRun = performance.now();
  await stable(s);
  // full rate from here to the end of the aftermath (a calm second first)
  s.traffic.every(s.o.everyMs);
  const calmFrom = monoMs();
  await waitUntil(() => monoMs() > calmFrom + 1000 && summarize(s.traffic.events, calmFrom, monoMs()).failed === 0, 'a calm second at full rate', SLOW, 100);
  const tStable = performance.now();
  const cut = await crasher(undefined, lan.ns.dirA!);
  const victims = namespacePids(lan.ns.dirA!).filter((p) => p !== cut.pid && p !== s.link.pid).sort((x, y) => y - x);
  await atPhase(s, (k + 0.5) / s.o.runs);
  const cpu0 = directorCpuNs(lan.ns.dirB!);
  const asked = performance.now();
  await cut.crash(victims);
  // the crash's time: eth0 down as the kernel reported it (the ask is a few ms earlier)
  await waitUntil(() => s.link.downAfter(asked) !== undefined, 'ip monitor to report dirA\'s link down', 10_000, 5);
  const t0 = s.link.downAfter(asked)!;
  const added = await s.vip.addedAfter(t0, 30_000);
  await sleep(added.atMs + TAKEOVER_CPU_AFTER_MS - performance.now());
  const takeoverCpuMs = (directorCpuNs(lan.ns.dirB!) - cpu0) / 1e6;
  const last = s.adverts.lastFrom(lan.ip4.dirA!, t0);
  const before = summarize(s.traffic.events, t0 + s.offset - 2000, t0 + s.offset).held.filter((h) => !h.lost && h.answers > 0).map((h) => h.id);
  const takeover = added.atMs + s.offset;
  // a held connection still silent after 30 s counts as lost
  await within(() => {
    const after = summarize(s.traffic.events, takeover, monoMs());
    return monoMs() > takeover + 1000 && after.held.filter((h) => before.includes(h.id)).every((h) => h.lost !== undefined || h.answers > 0);
  }, 30_000);
  const aftermathMs = performance.now() - t0;
  const sum = summarize(s.traffic.events, t0 + s.offset - 1000, monoMs());
  const after = summarize(s.traffic.events, takeover, monoMs());
  const survived = after.held.filter((h) => before.includes(h.id) && !h.lost && h.answers > 0).length;
  // dirA back on a clean slate (after the aftermath: starting a director costs seconds of CPU,
  // lvsd tens under emulation, so the client slows down meanwhile)
  s.traffic.every(RECOVERY_EVERY_MS);
  cut.close();
  cleanDirector(lan.ns.dirA!, { except: [s.link.pid] });
  s.starts++;
  s.a = startA(s);
  nsExec(lan.ns.dirA!, 'ip', ['link', 'set', 'eth0', 'up']);
  s.o.log(`    (stable after ${(tStable - tRun).toFixed(0)} ms, crashed ${(t0 - tStable).toFixed(0)} ms later (link down ${(t0 - asked).toFixed(1)} ms after the ask), aftermath ${aftermathMs.toFixed(0)} ms)`);
  return { takeoverMs: added.atMs - t0, gapMs: sum.maxGapMs, lastAnswerMs: t0 + s.offset - sum.gapFrom,
    firstAnswerMs: sum.gapFrom + sum.maxGapMs - takeover, phaseMs: last === undefined ? Number.NaN : t0 - last,
    heldBefore: before.length, heldSurvived: survived, requests: sum.requests, failed: sum.failed, failures: sum.failures, takeoverCpuMs,
    ...(s.wire ? { wire: s.wire.steps(added.atMs), marks: marksAfter(s.b, added.atMs) } : {}) };
}

/** The director's log events within a second after `atMs` (performance.now() scale), as `event@ms`. */
function marksAfter(d: RunningDirector, atMs: number): string {
  const wall = perfToWallMs(atMs);
  return d.marks(wall - 200).filter((m) => m.atMs <= wall + 1000).map((m) => `${m.event}@${(m.atMs - wall).toFixed(0)}`).join(' ');
}

/** Runs `runs` crashes; failed runs are reported as text and the series goes on when it can. */
export async function runSeries(o: SeriesOptions): Promise<{ samples: RunSample[]; failures: string[] }> {
  const { lan } = o.world;
  for (const h of ['dirA', 'dirB'] as const) cleanDirector(lan.ns[h]!, { table: true });
  nsExec(lan.ns.dirA!, 'ip', ['link', 'set', 'eth0', 'up']);
  const b = startDirectorImpl(o.impl, { ns: lan.ns.dirB!, name: 'b', dir: o.world.dir,
    config: directorConfig(o.world, { name: 'dirB', priority: PRIORITY.dirB, advertInt: o.advertInt, sync: true }) });
  const partial = { o, starts: 0 };
  const a = startA(partial);
  const samples: RunSample[] = [];
  const failures: string[] = [];
  let s: SeriesState | undefined;
  try {
    await waitUntil(() => a.role() === 'MASTER' && b.role() === 'BACKUP', `${o.impl}: first election`, SLOW, 100)
      .catch((e: unknown) => { throw new Error(`${(e as Error).message} (dirA ${a.role()}, dirB ${b.role()})\ndirA: ${a.tail()}\ndirB: ${b.tail()}\nprocesses: dirA ${processStates(lan.ns.dirA!)}; dirB ${processStates(lan.ns.dirB!)}`); });
    const traffic = startClient(o);
    s = { ...partial, a, b, traffic, vip: watchVip(lan.ns.dirB!, VIP), adverts: await watchAdverts(lan.ns.dirB!), link: watchLinkDown(lan.ns.dirA!),
      wire: o.wire ? await watchWire(lan.ns.client!, VIP, macOf(lan.ns.dirB!)) : undefined, offset: monoMs() - performance.now() };
    for (const k of o.only ?? [...Array(o.runs).keys()]) {
      try {
        const r = await oneRun(s, k);
        samples.push(r);
        o.log(`  ${o.impl}@${o.advertInt} run ${k + 1}/${o.runs}: takeover ${r.takeoverMs.toFixed(1)} ms, client gap ${r.gapMs.toFixed(1)} ms (last answer ${r.lastAnswerMs.toFixed(0)} ms before the crash, first ${r.firstAnswerMs.toFixed(0)} ms after the VIP), crashed ${r.phaseMs.toFixed(1)} ms after an advert, dirB CPU ${r.takeoverCpuMs.toFixed(1)} ms, held ${r.heldSurvived}/${r.heldBefore}${r.wire ? `, wire: GARP ${r.wire.garpMs.toFixed(1)} ms after the VIP, SYN to dirB ${r.wire.synMs.toFixed(1)} ms later, SYN-ACK ${r.wire.synAckMs.toFixed(1)} ms, request ${r.wire.askMs.toFixed(1)} ms later, answer ${r.wire.answerMs.toFixed(1)} ms${r.marks ? `; dirB: ${r.marks}` : ''}` : ''}, failed requests ${r.failed}/${r.requests}${r.failed ? ` ${JSON.stringify(r.failures)}` : ''}`);
      } catch (e) {
        failures.push((e as Error).message.split('\n')[0]!);
        o.log(`  ${o.impl}@${o.advertInt} run ${k + 1}/${o.runs}: FAILED ${(e as Error).message}`);
        cleanDirector(lan.ns.dirA!, { except: [s.link.pid] });
        s.starts++;
        s.a = startA(s);
        nsExec(lan.ns.dirA!, 'ip', ['link', 'set', 'eth0', 'up']);
      }
    }
  } finally {
    s?.traffic.kill();
    s?.vip.stop();
    s?.adverts.stop();
    s?.link.stop();
    s?.wire?.stop();
    for (const h of ['dirA', 'dirB'] as const) cleanDirector(lan.ns[h]!, { table: true });
  }
  return { samples, failures };
}
