/**
 * Failover bench (issue 2 item 8), root only:
 *   node dist/bench/failover.js [--runs 10] [--stress-minutes 3] [--skip-stress] [--intervals 1,0.1,0.02]
 * kill -9 of every process in the master's namespace → VIP on the backup (from `ip monitor
 * address` events), lvsd vs keepalived 2.2.7 with the same keepalived.conf (VRRPv3, master
 * priority 150, backup 100) at 1 s, 100 ms and 20 ms adverts; lvsd with its native defaults;
 * run k of N kills (k + 0.5)/N of an interval after a master advert, for both implementations
 * alike (KillPhase in test/netns/bench-run.ts), so the phases are spread evenly and paired;
 * SIGTERM handover at 1 s; a stress run with lvsd's main thread busy 50 ms of every 55.
 * Prints a summary and writes it to results/bench-failover.txt.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { REPO, LVSCTL } from '../test/netns/lvsd-harness.js';
import { benchConfig, measureFailover, nativeConfig, openPairs, startPair, type FailoverTime, type Impl, type KillPhase, type PairSpec } from '../test/netns/bench-run.js';
import { watchVip } from '../test/netns/bench-vip-watch.js';
import { startIn } from '../test/netns/topology.js';
import { controlRequest } from '../src/control/socket.js';
import { defaultsFor } from '../src/model/defaults.js';
import { quantile } from './sample-stats.js';
import { BENCH_VIP } from '../test/netns/bench-run.js';

interface Opts { runs: number; stressMinutes: number; skipStress: boolean; intervals: string[] }

function parseArgs(argv: readonly string[]): Opts {
  const o: Opts = { runs: 10, stressMinutes: 3, skipStress: false, intervals: ['1', '0.1', '0.02'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--stress-minutes') o.stressMinutes = Number(argv[++i]);
    else if (a === '--skip-stress') o.skipStress = true;
    else if (a === '--intervals') o.intervals = String(argv[++i]).split(',');
    else throw new Error(`unknown argument ${a} (usage: failover.js [--runs N] [--stress-minutes M] [--skip-stress] [--intervals 1,0.1,0.02])`);
  }
  if (!(o.runs >= 1) || !(o.stressMinutes > 0)) throw new Error('--runs and --stress-minutes must be positive');
  return o;
}

const HEADER = ['interval', 'lvsd median', 'lvsd p90 ', 'keepalived median', 'keepalived p90', 'ratio lvsd/ka (medians)', 'n lvsd/ka', 'failed'];

interface Series { label: string; samples: number[]; sinceAdvert: number[]; phases: number[]; failures: string[] }
const median = (s: Series): number => quantile([...s.samples].sort((a, b) => a - b), 0.5);
const p90 = (s: Series): number => quantile([...s.samples].sort((a, b) => a - b), 0.9);
const medianOf = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const fmt = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${ms.toFixed(1)} ms`);
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

async function series(label: string, runs: number, one: (run: number) => Promise<FailoverTime>): Promise<Series> {
  const s: Series = { label, samples: [], sinceAdvert: [], phases: [], failures: [] };
  for (let i = 0; i < runs; i++) {
    try {
      const ms = await one(i);
      s.phases.push(ms.phaseMs);
      s.samples.push(ms.fromStopMs);
      s.sinceAdvert.push(ms.fromLastAdvertMs);
      log(`  ${label} run ${i + 1}/${runs}: ${ms.fromStopMs.toFixed(1)} ms (${ms.fromLastAdvertMs.toFixed(1)} ms after the last advert, killed ${ms.phaseMs.toFixed(1)} ms after it, ${ms.lateKillMs.toFixed(1)} ms later than planned)`);
    } catch (e) {
      s.failures.push((e as Error).message);
      log(`  ${label} run ${i + 1}/${runs}: FAILED ${(e as Error).message}`);
    }
  }
  return s;
}

const settleFor = (advertInt: string): number => Math.max(300, 3 * Number(advertInt) * 1000);
/** Run `run` of `runs` kills this far into the advert cycle (same list for every implementation). */
const killPhase = (advertInt: string, run: number, runs: number): KillPhase => ({ fraction: (run + 0.5) / runs, intervalMs: Number(advertInt) * 1000 });
const pairSpec = (impl: Impl, advertInt: string, extraArgs?: string[]): PairSpec => ({
  impl, extraArgs,
  masterConfig: benchConfig({ priority: 150, advertInt }),
  backupConfig: benchConfig({ priority: 100, advertInt }),
});

interface StressResult { minutes: number; falseTransitions: number; vipOnBackupEvents: number; status: string; reasons: string }

/** A process in `ns` that keeps one CPU busy `ms` out of every `ms + 5` (keepalived's stand-in for --debug-burn-main). */
function burner(ns: string, ms: number): void {
  const js = `const spin=()=>{const e=performance.now()+${ms};while(performance.now()<e){}setTimeout(spin,5)};setTimeout(spin,5)`;
  startIn(undefined, ns, process.execPath, ['-e', js]); // killed with the namespace (Pair.close)
}

/**
 * A pair at 20 ms adverts for `minutes`, with lvsd's main threads burning (--debug-burn-main) or,
 * for keepalived, a burner process beside each; role changes after the initial election are false.
 */
async function stress(minutes: number, burnMs: number, impl: Impl = 'lvsd'): Promise<StressResult> {
  const lvsdBurn = impl === 'lvsd' && burnMs > 0 ? ['--debug-burn-main', String(burnMs)] : [];
  const pair = await startPair(pairSpec(impl, '0.02', lvsdBurn), 500);
  if (impl === 'keepalived' && burnMs > 0) for (const ns of [pair.lan.ns.m!, pair.lan.ns.b!]) burner(ns, burnMs);
  const watch = watchVip(pair.lan.ns.b!, BENCH_VIP);
  try {
    const before = pair.master.transitions() + pair.backup.transitions();
    const firstLine = [pair.master, pair.backup].map((p) => p.director?.lines.length ?? 0);
    const endAt = Date.now() + minutes * 60_000;
    while (Date.now() < endAt) {
      await new Promise((r) => setTimeout(r, 5000));
      log(`  stress: ${((endAt - Date.now()) / 1000).toFixed(0)} s left, transitions so far ${pair.master.transitions() + pair.backup.transitions() - before}`);
    }
    const falseTransitions = pair.master.transitions() + pair.backup.transitions() - before;
    let status = '';
    for (const p of [pair.master, pair.backup]) {
      if (!p.director) continue;
      try {
        const st = await controlRequest(p.director.socket, 'status', undefined, { timeoutMs: 5000 });
        status += `${JSON.stringify({ lateness: st['vrrpTimerLateness'] })}\n`;
      } catch (e) {
        status += `status failed: ${(e as Error).message}\n`;
      }
      try {
        status += execFileSync('ip', ['netns', 'exec', p.ns, process.execPath, LVSCTL, '--socket', p.director.socket, 'vrrp', '--json'], { encoding: 'utf8' });
      } catch (e) {
        status += `lvsctl vrrp failed: ${(e as Error).message}\n`;
      }
    }
    const reasons = new Map<string, number>();
    [pair.master, pair.backup].forEach((p, i) => {
      for (const l of p.director?.lines.slice(firstLine[i]) ?? []) {
        if (l.event !== 'vrrp.role') continue;
        const k = `${i === 0 ? 'master' : 'backup'} ${String(l.from)}->${String(l.to)} (${String(l.reason)})`;
        reasons.set(k, (reasons.get(k) ?? 0) + 1);
      }
    });
    const why = [...reasons].map(([k, n]) => `${n} x ${k}`).join('; ');
    return { minutes, falseTransitions, vipOnBackupEvents: watch.events.filter((e) => e.kind === 'add').length, status, reasons: why || 'none' };
  } finally {
    watch.stop();
    pair.close();
  }
}

/** Timer lateness (control `status`) and counters (`lvsctl vrrp --json`) as key=value, master then backup. */
function latenessSummary(statusJson: string): string {
  const found = [...statusJson.matchAll(/"(samples|maxUs|p99Us|staleTimerDeferrals|advertsSent|advertsReceived)":\s*([0-9]+)/g)];
  return found.length ? found.map((m) => `${m[1]}=${m[2]}`).join(' ') : 'not reported by lvsctl vrrp --json';
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const loadStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows: string[] = [];
  const kill: Array<{ interval: string; lvsd: Series; ka: Series }> = [];
  for (const iv of o.intervals) {
    log(`interval ${iv} s`);
    const lvsd = await series(`lvsd@${iv}`, o.runs, (k) => measureFailover(pairSpec('lvsd', iv), 'kill-namespace', settleFor(iv), killPhase(iv, k, o.runs)));
    const ka = await series(`keepalived@${iv}`, o.runs, (k) => measureFailover(pairSpec('keepalived', iv), 'kill-namespace', settleFor(iv), killPhase(iv, k, o.runs)));
    kill.push({ interval: iv, lvsd, ka });
  }
  log('lvsd native defaults');
  const native = await series('lvsd-native', o.runs, (k) => measureFailover(
    { impl: 'lvsd', masterConfig: nativeConfig(150), backupConfig: nativeConfig(100) }, 'kill-namespace', 300, killPhase(String(defaultsFor('native').advertIntervalCs / 100), k, o.runs)));
  log('TERM handover at 1 s');
  const term = await series('lvsd-term@1', o.runs, () => measureFailover(pairSpec('lvsd', '1'), 'term', 1000));
  const st = o.skipStress ? undefined : (log(`stress ${o.stressMinutes} min`), await stress(o.stressMinutes, 50));
  const base = o.skipStress ? undefined : (log(`stress baseline (no burn) ${o.stressMinutes} min`), await stress(o.stressMinutes, 0));
  const kaSt = o.skipStress ? undefined : (log(`keepalived under the same CPU load ${o.stressMinutes} min`), await stress(o.stressMinutes, 50, 'keepalived'));

  rows.push('=== lvsd failover bench (kill -9 of every process in the master namespace -> VIP on the backup) ===');
  rows.push(`date ${new Date().toISOString()}  runs per cell ${o.runs}  kernel ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}  cpus ${availableParallelism()}  loadavg at start ${loadStart} at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  rows.push('VRRPv3, identical keepalived.conf for both (state BACKUP, master prio 150, backup prio 100)');
  rows.push(`kill k of ${o.runs} lands (k + 0.5)/${o.runs} of an interval after a master advert, the same for both (median phase: lvsd / keepalived ${kill.map((k) => `${fmt(medianOf(k.lvsd.phases))} / ${fmt(medianOf(k.ka.phases))}`).join(', ')})`);
  rows.push('');
  rows.push(HEADER.join(' | '));
  for (const k of kill) {
    const r = median(k.lvsd) / median(k.ka);
    const cells = [`${Number(k.interval) * 1000} ms`, fmt(median(k.lvsd)), fmt(p90(k.lvsd)), fmt(median(k.ka)), fmt(p90(k.ka)),
      Number.isNaN(r) ? 'n/a' : r.toFixed(2), `${k.lvsd.samples.length}/${k.ka.samples.length}`, String(k.lvsd.failures.length + k.ka.failures.length)];
    rows.push(cells.map((c, i) => c.padEnd(HEADER[i]!.length)).join(' | '));
  }
  rows.push('');
  rows.push('the same runs timed from the master\'s last advert seen by the backup (tcpdump) to the VIP: expected 3 x interval + skew (skew = 156/256 x interval)');
  for (const k of kill) {
    const a = medianOf(k.lvsd.sinceAdvert);
    const b = medianOf(k.ka.sinceAdvert);
    const expect = 3 * Number(k.interval) * 1000 + (156 / 256) * Number(k.interval) * 1000;
    rows.push(`${`${Number(k.interval) * 1000} ms`.padEnd(8)} | lvsd median ${fmt(a)} | keepalived median ${fmt(b)} | ratio ${(a / b).toFixed(3)} | master-down ${fmt(expect)}`);
  }
  rows.push('');
  rows.push(`lvsd native defaults (v3, 50 ms, RFC 9568 checksum): median ${fmt(median(native))}, p90 ${fmt(p90(native))} (goal <= 200 ms: ${median(native) <= 200 ? 'MET' : 'NOT MET'}), after the last advert median ${fmt(medianOf(native.sinceAdvert))}, n=${native.samples.length}, failed ${native.failures.length}`);
  rows.push(`TERM handover at 1 s adverts (priority 0 -> skew time): median ${fmt(median(term))}, p90 ${fmt(p90(term))}, max ${fmt(Math.max(...term.samples))} (goal <= 1005 ms: ${Math.max(...term.samples) <= 1005 ? 'MET' : 'NOT MET'}), n=${term.samples.length}, failed ${term.failures.length}`);
  if (st) {
    rows.push(`stress: lvsd at 20 ms adverts, both main threads busy 50 ms of every 55, ${st.minutes} min: false transitions ${st.falseTransitions} (goal 0), VIP added on backup ${st.vipOnBackupEvents} times`);
    rows.push(`  transitions: ${st.reasons}`);
    rows.push(`  reported by lvsd (control status: VRRP worker timer lateness; lvsctl vrrp --json: counters), master then backup: ${latenessSummary(st.status)}`);
  } else rows.push('stress: skipped');
  if (kaSt) {
    rows.push(`keepalived at 20 ms adverts, one busy process (50 ms of every 55) beside each, ${kaSt.minutes} min: transitions ${kaSt.falseTransitions}, VIP added on backup ${kaSt.vipOnBackupEvents} times`);
  }
  if (base) {
    rows.push(`baseline: the same pair without --debug-burn-main, ${base.minutes} min: transitions ${base.falseTransitions}, VIP added on backup ${base.vipOnBackupEvents} times`);
    rows.push(`  transitions: ${base.reasons}`);
    rows.push(`  reported by lvsd, master then backup: ${latenessSummary(base.status)}`);
  }
  const goals = kill.map((k) => `${Number(k.interval) * 1000} ms: lvsd median ${median(k.lvsd) <= median(k.ka) ? '<=' : '>'} keepalived`).join('; ');
  rows.push(`goal "kill -9 median <= keepalived's": ${goals}`);
  const fails = [...kill.flatMap((k) => [k.lvsd, k.ka]), native, term].filter((s) => s.failures.length);
  for (const s of fails) rows.push(`failures in ${s.label}: ${[...new Set(s.failures)].join(' | ')}`);
  const text = `${rows.join('\n')}\n`;
  process.stdout.write(text);
  mkdirSync(join(REPO, 'results'), { recursive: true });
  writeFileSync(join(REPO, 'results', 'bench-failover.txt'), text);
  return 0;
}

if (process.getuid?.() !== 0) {
  process.stderr.write('bench/failover: must run as root (network namespaces)\n');
  process.exitCode = 1;
} else {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const close of [...openPairs]) close();
      process.exit(130);
    });
  }
  process.exitCode = await main();
}
