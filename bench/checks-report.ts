/**
 * The text of results/bench-checks.txt from the two parts' JSON results (pure): ratios against
 * keepalived measured in the same run, and each goal of issue 8 marked MET / NOT MET.
 */
import { checkRate, detectPool } from './checks-conf.js';
import type { KillObservation } from './checks-kills.js';
import type { LabResult } from './checks-lab.js';
import type { NativeResult } from './checks-native.js';
import { killSummary } from './native-kills.js';
import type { VrrpResult } from './checks-vrrp.js';
import { fmtMs, summarize, type Summary } from './sample-stats.js';

export interface Stamped<T> { readonly command: string; readonly date: string; readonly result: T }

const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
const stats = (s: Summary): string => `median ${fmtMs(s.median)}, p90 ${fmtMs(s.p90)}, max ${fmtMs(s.max)} (n=${s.n})`;
const of = (r: LabResult, impl: 'lvsd' | 'keepalived', pick: (o: KillObservation) => number | undefined): number[] =>
  r.kills.map((k) => pick(k.by[impl])).filter((x): x is number => x !== undefined);

function cpuLines(r: LabResult): string[] {
  const perCheck = (ms: number, n: number): string => (n > 0 ? `${((ms * 1000) / n).toFixed(0)} µs CPU per check` : 'no check seen by the farm');
  const row = (name: string, c: LabResult['cpu']['lvsd']): string =>
    `  ${name.padEnd(34)} ${c.totalMs.toFixed(0).padStart(7)} ms (user ${c.userMs.toFixed(0)}, sys ${c.systemMs.toFixed(0)})`
    + (c.requests ? `; ${c.requests} checks served (${(c.requests / (r.windowMs / 1000)).toFixed(0)}/s), ${perCheck(c.totalMs, c.requests)}` : '');
  const ratio = r.cpu.lvsd.totalMs / r.cpu.keepalived.totalMs;
  const perRatio = (r.cpu.lvsd.totalMs / r.cpu.lvsd.requests) / (r.cpu.keepalived.totalMs / r.cpu.keepalived.requests);
  return [
    `CPU time over the ${(r.windowMs / 1000).toFixed(1)} s window (utime + stime, /proc/PID/stat; lvsd's node ${r.options.nodeArgs?.length ? r.options.nodeArgs.join(' ') : 'without flags'}${r.options.tcpProbes !== undefined ? `, LVSD_TCP_PROBES=${r.options.tcpProbes}` : ''}${r.options.steadyLane !== undefined ? `, LVSD_STEADY_LANE=${r.options.steadyLane}` : ''}${r.options.watchConnections === true ? ', lvsd --watch-connections' : ''}):`,
    row('lvsd (whole process)', r.cpu.lvsd),
    row("keepalived's checker child (-C)", r.cpu.keepalived),
    row("keepalived's parent (not counted)", r.cpu.keepalivedParent),
    `  ratio lvsd / keepalived checker: ${ratio.toFixed(2)}x total, ${perRatio.toFixed(2)}x per check served (goal <= 1.5x: ${verdict(ratio <= 1.5)})`,
    `  destinations in the tables after the window (all ${r.options.layout.servers} expected): lvsd ${r.destsAfterWindow.lvsd}, keepalived ${r.destsAfterWindow.keepalived}; `
      + `real servers wrongly taken out during the window (every server answers; > 0 means the guest could not keep up): lvsd ${r.downsInWindow.lvsd}, keepalived ${r.downsInWindow.keepalived}`,
  ];
}

function detectionLines(r: LabResult): string[] {
  const c = r.options.check;
  const out: string[] = [];
  const gone = { lvsd: summarize(of(r, 'lvsd', (o) => o.goneMs)), keepalived: summarize(of(r, 'keepalived', (o) => o.goneMs)) };
  const missing = (impl: 'lvsd' | 'keepalived'): number => r.kills.filter((k) => k.by[impl].goneMs === undefined && !k.by[impl].absentAtKill).length;
  const absent = (impl: 'lvsd' | 'keepalived'): number => r.kills.filter((k) => k.by[impl].absentAtKill).length;
  out.push(`detection over ${r.kills.length} kills (${r.options.kill === 'reset' ? 'the server accepts and resets every connection (RST), and resets the ones it had open' : 'the server\'s listening socket is closed (connection refused), and its open connections closed'}), kill -> destination gone from the kernel table (polled every ${r.options.pollMs} ms):`);
  out.push(`  lvsd        ${stats(gone.lvsd)}; not gone within the timeout: ${missing('lvsd')}; already out at the kill (no sample): ${absent('lvsd')}`);
  out.push(`  keepalived  ${stats(gone.keepalived)}; not gone within the timeout: ${missing('keepalived')}; already out at the kill (no sample): ${absent('keepalived')}`);
  out.push(`  ratio lvsd / keepalived: median ${(gone.lvsd.median / gone.keepalived.median).toFixed(2)}, p90 ${(gone.lvsd.p90 / gone.keepalived.p90).toFixed(2)} `
    + `(goal <= 1: median ${verdict(gone.lvsd.median <= gone.keepalived.median)}, p90 ${verdict(gone.lvsd.p90 <= gone.keepalived.p90)})`);
  if (r.options.kill === 'reset') {
    const bound = c.retry * c.retryDelayS * 1000 + 10;
    const obs = { lvsd: summarize(of(r, 'lvsd', (o) => o.fromObservableMs)), keepalived: summarize(of(r, 'keepalived', (o) => o.fromObservableMs)) };
    const dec = { lvsd: summarize(of(r, 'lvsd', (o) => o.fromDecidingMs)), keepalived: summarize(of(r, 'keepalived', (o) => o.fromDecidingMs)) };
    out.push(`  from the first failing attempt (the failure observable to that director) -> gone; bound retry x delay_before_retry + 10 ms = ${bound} ms (the attempts fail at once: connect_timeout does not apply):`);
    out.push(`    lvsd        ${stats(obs.lvsd)} (goal max <= ${bound} ms: ${verdict(obs.lvsd.max <= bound)})`);
    out.push(`    keepalived  ${stats(obs.keepalived)}`);
    out.push('  from the deciding (last) failing attempt -> gone (decision + table update + the watcher\'s poll):');
    out.push(`    lvsd        ${stats(dec.lvsd)}`);
    out.push(`    keepalived  ${stats(dec.keepalived)}`);
  } else {
    const bound = ((c.detectDelayLoopS ?? c.delayLoopS) + c.retry * c.retryDelayS) * 1000 + 10;
    out.push(`  bound from the kill: delay_loop + retry x delay_before_retry + 10 ms = ${bound} ms (the listener is gone at the kill; a checker sees it at its next attempt): lvsd max ${fmtMs(gone.lvsd.max)} ${verdict(gone.lvsd.max <= bound)}`);
  }
  const back = { lvsd: summarize(of(r, 'lvsd', (o) => o.backMs)), keepalived: summarize(of(r, 'keepalived', (o) => o.backMs)) };
  out.push(`  heal -> destination back: lvsd median ${fmtMs(back.lvsd.median)}, keepalived median ${fmtMs(back.keepalived.median)}`);
  return out;
}

function delays(r: LabResult): string {
  const c = r.options.check;
  const pool = detectPool(r.options.layout);
  if (pool === r.options.layout.servers || (c.detectDelayLoopS ?? c.delayLoopS) === c.delayLoopS) return `delay_loop ${c.delayLoopS} s (kills among ${pool} servers)`;
  return `delay_loop ${c.delayLoopS} s for ${r.options.layout.servers - pool} servers and ${c.detectDelayLoopS} s for the ${pool} the kills choose from`;
}

export function labText(s: Stamped<LabResult>): string[] {
  const r = s.result;
  const o = r.options;
  const c = o.check;
  const lat = summarize(r.lvsdLatenciesMs);
  return [
    '=== bench/checks A: health checks in the IPVS lab (QEMU, software emulation: compare ratios, not absolute times) ===',
    `command: ${s.command}`,
    `date ${s.date}  guest kernel ${r.kernel}  loadavg at start ${r.load.start} at end ${r.load.end}`,
    `${o.layout.servers} real servers (${Math.ceil(o.layout.servers / o.layout.perService)} virtual services x ${o.layout.perService}), ${c.kind === 'http' ? 'HTTP_GET url / status_code 200' : 'TCP_CHECK'}, `
      + `${delays(r)}, connect_timeout ${c.connectTimeoutS} s, retry ${c.retry}, delay_before_retry ${c.retryDelayS} s: ${checkRate(o.layout, c).toFixed(0)} checks/s asked of each director; `
      + 'the same keepalived.conf for keepalived 2.2.7 (-C, checker only) and lvsd, both running at once against one farm process',
    `table full after start: lvsd ${(r.fullTableMs.lvsd / 1000).toFixed(1)} s, keepalived ${(r.fullTableMs.keepalived / 1000).toFixed(1)} s; warm-up ${o.warmupS} s`,
    ...cpuLines(r),
    `lvsd check latency (each check's last attempt, control 'checks' read 3 times after the window): median ${fmtMs(lat.median)}, p99 ${fmtMs(lat.p99)}, max ${fmtMs(lat.max)} (n=${lat.n}); keepalived reports none`,
    ...detectionLines(r),
    ...r.notes.map((n) => `note: ${n}`),
  ];
}

export interface HostResult { readonly withChecks: VrrpResult; readonly baseline?: VrrpResult }

function peerLine(name: string, p: VrrpResult['master'], r: VrrpResult): string {
  const p99 = summarize(p.lateness.map((l) => l.p99Us / 1000));
  const max = Math.max(0, ...p.lateness.map((l) => l.maxUs / 1000));
  const checks = r.options.checks > 0
    ? `${p.checksDone} checks made (${(p.checksDone / r.runS).toFixed(0)}/s of ${r.options.checks}/s asked), check latency median ${fmtMs(p.checkLatencyMs.median)} p99 ${fmtMs(p.checkLatencyMs.p99)}, `
    : '';
  return `  ${name} (${p.role}): timer lateness p99 per window worst ${fmtMs(p99.max)}, median ${fmtMs(p99.median)} (${p99.n} windows, ${p.lateness.at(-1)?.samples ?? 0} firings), max ${fmtMs(max)}; `
    + `${checks}lvsd CPU ${(p.cpuMs / 1000).toFixed(1)} s (${((p.cpuMs / 10) / r.runS).toFixed(0)}% of one core); late-timer warnings ${p.lateWarnings}; threads ${p.threads}`
    + (p.worker ? `; VRRP worker thread: ${p.worker.runMs.toFixed(0)} ms on a CPU, ${p.worker.waitMs.toFixed(1)} ms runnable waiting for one, scheduled ${p.worker.slices} times` : '');
}

/** The master's worker fires 50 timers a second, the backup's almost none: the goal is read on the master's windows. */
const worstP99 = (r: VrrpResult): number => Math.max(0, ...r.master.lateness.map((l) => l.p99Us / 1000));

function runLines(r: VrrpResult, goals: boolean): string[] {
  const goal = (ok: boolean): string => (goals ? ` (goal: ${verdict(ok)})` : '');
  return [
    `false transitions: ${r.falseTransitions}${goal(r.falseTransitions === 0)}${r.transitions.length ? `: ${r.transitions.join('; ')}` : ''}; VIP added on the backup ${r.vipAddedOnBackup} times`,
    peerLine('master', r.master, r),
    peerLine('backup', r.backup, r),
    `master's worker timer lateness p99 (worst 1,024-firing window): ${fmtMs(worstP99(r))}${goals ? ` (goal <= 2 ms: ${verdict(worstP99(r) <= 2)})` : ''}`,
    `host loadavg at the end ${r.loadavg}${r.options.checks > 0 ? `; the farm process used ${((r.farmCpuMs / 10) / r.runS).toFixed(0)}% of one core` : ''}`,
    ...r.notes.map((n) => `note: ${n}`),
  ];
}

export function vrrpText(s: Stamped<HostResult>): string[] {
  const r = s.result.withChecks;
  const b = s.result.baseline;
  return [
    `=== bench/checks B: VRRP at 20 ms adverts with checks running (host kernel, two lvsd in namespaces, --debug-ipvs-memory, node ${r.options.nodeArgs?.length ? r.options.nodeArgs.join(' ') : 'without flags'}) ===`,
    `command: ${s.command}`,
    `date ${s.date}  ${r.options.checks} TCP_CHECKs per director at a 1 s delay_loop, advert_int ${r.options.advertInt} s, ${(r.runS / 60).toFixed(1)} min`,
    ...runLines(r, true),
    ...(b ? ['', `baseline: the same pair without checks, ${(b.runS / 60).toFixed(1)} min right after (what the host alone does to the VRRP worker):`, ...runLines(b, false)] : []),
  ];
}

/** lvsd's native cost for part A's config, beside the lab's (keepalived cannot run without IPVS on the host). */
export function nativeText(s: Stamped<NativeResult>, lab?: LabResult): string[] {
  const r = s.result;
  const perCheck = (ms: number, n: number): number => (n > 0 ? (ms * 1000) / n : Number.NaN);
  const native = perCheck(r.cpu.totalMs, r.cpu.requests);
  const inLab = lab ? perCheck(lab.cpu.lvsd.totalMs, lab.cpu.lvsd.requests) : Number.NaN;
  return [
    `calibration, lvsd alone natively on the host with the same config (--debug-ipvs-memory; ${s.command}, ${s.date}):`,
    `  ${r.cpu.totalMs.toFixed(0)} ms CPU (user ${r.cpu.userMs.toFixed(0)}, sys ${r.cpu.systemMs.toFixed(0)}) over ${(r.windowMs / 1000).toFixed(1)} s for ${r.cpu.requests} checks: ${native.toFixed(0)} µs per check`
      + `; check latency median ${fmtMs(r.latencyMs.median)}, p99 ${fmtMs(r.latencyMs.p99)}`,
    ...(lab ? [`  lvsd's CPU per check in the lab is ${(inLab / native).toFixed(0)}x its native cost (keepalived exits without IPVS, so it has no native number here)`] : []),
    ...nativeKillText(r),
  ];
}

/** The native kills against the bound of part A: retry x delay_before_retry + 10 ms after the first failing attempt. */
function nativeKillText(r: NativeResult): string[] {
  if (r.kills === undefined || r.kills.length === 0) return [];
  const c = r.options.check;
  const bound = c.retry * c.retryDelayS * 1000 + 10;
  const { fromObservable, fromDeciding } = killSummary(r.kills);
  return [
    `  ${r.kills.length} kills (reset), lvsd's own detection without emulation (gone = its ipvs.apply log line, the memory backend):`,
    `    first failing attempt -> applied: ${stats(fromObservable)} (bound retry x delay_before_retry + 10 ms = ${bound} ms: ${verdict(fromObservable.max <= bound)})`,
    `    deciding (last) attempt -> applied: ${stats(fromDeciding)}`,
  ];
}
