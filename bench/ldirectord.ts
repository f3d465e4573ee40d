/**
 * bench/ldirectord (issue 10 item 7), root only; scripts/bench-ldirectord runs all of it:
 *   scripts/lab run -- node dist/bench/ldirectord.js lab [OPTIONS]
 *        lvsd vs ldirectord 4.12 from one ldirectord.cf in the IPVS lab → results/bench-ldirectord-lab.json
 *   node dist/bench/ldirectord.js takeover [OPTIONS]
 *        two lvsd from one heartbeat directory, kill -9 takeover vs deadtime (host) → results/bench-ldirectord-takeover.json
 *   node dist/bench/ldirectord.js report   both → results/bench-ldirectord.txt (and stdout)
 * Options: lab: --servers 200 --per-service 10 --check-interval 1 --check-timeout 5 --window 60
 *   --warmup 60 --kills 10 --poll-ms 2 --seed 1 --matched-servers 20; takeover: --keepalive 1
 *   --deadtime 4 --rounds 10.
 *
 * The same checks: ldirectord (fork=no) checks one server after the other and then sleeps
 * checkinterval, so with 200 servers it does far fewer checks per second than asked, and than
 * lvsd. The lab part therefore reports CPU per check served beside the totals, and runs a second
 * CPU window (no kills) with `--matched-servers` servers, few enough that ldirectord's pass fits
 * in the interval (0: skipped). Every ratio is printed, met or not.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../test/netns/lvsd-harness.js';
import { benchEntry, log } from './bench-entry.js';
import { fmtMs, summarize, type Summary } from './sample-stats.js';
import { runLdLab, type LdLabOptions, type LdLabResult } from './ldirectord-lab.js';
import { runTakeover, type TakeoverOptions, type TakeoverResult } from './ldirectord-takeover.js';

const RESULTS = join(REPO, 'results');
const FILES = { lab: join(RESULTS, 'bench-ldirectord-lab.json'), takeover: join(RESULTS, 'bench-ldirectord-takeover.json'), text: join(RESULTS, 'bench-ldirectord.txt') };

interface Stamped<T> { readonly command: string; readonly date: string; readonly result: T }

/** The lab file: the main run, and the matched-load CPU window when it ran. */
export type LdLabRuns = LdLabResult & { readonly matched?: LdLabResult };

const NUMERIC = ['--servers', '--per-service', '--check-interval', '--check-timeout', '--window', '--warmup', '--kills', '--poll-ms', '--seed', '--keepalive', '--deadtime', '--rounds', '--matched-servers'] as const;

export function parseArgs(argv: readonly string[]): { part: 'lab' | 'takeover' | 'report'; lab: LdLabOptions; matchedServers: number; takeover: TakeoverOptions } {
  const [part, ...rest] = argv;
  if (part !== 'lab' && part !== 'takeover' && part !== 'report') throw new Error('usage: ldirectord.js lab|takeover|report [OPTIONS] (see bench/ldirectord.ts)');
  const n = new Map<string, number>();
  for (let i = 0; i < rest.length; i += 2) {
    const [a, v] = [rest[i]!, rest[i + 1]];
    if (!(NUMERIC as readonly string[]).includes(a) || v === undefined || !(Number(v) >= 0)) throw new Error(`bad option ${a} ${v ?? ''} (see bench/ldirectord.ts)`);
    n.set(a, Number(v));
  }
  const get = (k: (typeof NUMERIC)[number], d: number): number => n.get(k) ?? d;
  const servers = get('--servers', 200);
  return {
    part,
    lab: {
      layout: { servers, perService: Math.max(1, get('--per-service', 10)) },
      check: { checkIntervalS: get('--check-interval', 1), checkTimeoutS: get('--check-timeout', 5) },
      windowS: get('--window', 60), warmupS: get('--warmup', 60), kills: Math.min(servers, get('--kills', 10)), pollMs: get('--poll-ms', 2), seed: get('--seed', 1),
    },
    matchedServers: get('--matched-servers', 20),
    takeover: { keepaliveS: get('--keepalive', 1), deadtimeS: get('--deadtime', 4), rounds: get('--rounds', 10), seed: get('--seed', 1) },
  };
}

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
const row = (name: string, s: Summary): string => `    ${name.padEnd(11)} n=${s.n}  median ${fmtMs(s.median)}  p90 ${fmtMs(s.p90)}  max ${fmtMs(s.max)}`;

/** The CPU lines of one run: totals, checks served, per check, and both ratios. */
function cpuText(r: LdLabResult): string[] {
  const o = r.options;
  const s = r.windowMs / 1000;
  const pct = (ms: number): string => `${((100 * ms) / r.windowMs).toFixed(1)} % of a core`;
  const ld = r.cpu.ldirectord.totalMs + r.ldirectordChildrenMs;
  const ratio = ld / r.cpu.lvsd.totalMs;
  const perCheck = { lvsd: (1000 * r.cpu.lvsd.totalMs) / Math.max(1, r.cpu.lvsd.requests), ldirectord: (1000 * ld) / Math.max(1, r.cpu.ldirectord.requests) };
  const perCheckRatio = perCheck.ldirectord / perCheck.lvsd;
  return [
    `  CPU over ${s.toFixed(1)} s, ${o.layout.servers} real servers, checkinterval ${o.check.checkIntervalS} s (asked: ${(o.layout.servers / o.check.checkIntervalS).toFixed(0)} checks/s):`,
    `    lvsd        ${r.cpu.lvsd.totalMs.toFixed(0)} ms (user ${r.cpu.lvsd.userMs.toFixed(0)}, system ${r.cpu.lvsd.systemMs.toFixed(0)}; ${pct(r.cpu.lvsd.totalMs)}), ${r.cpu.lvsd.requests} checks served (${(r.cpu.lvsd.requests / s).toFixed(1)}/s)`,
    `    ldirectord  ${ld.toFixed(0)} ms (user ${r.cpu.ldirectord.userMs.toFixed(0)}, system ${r.cpu.ldirectord.systemMs.toFixed(0)}, children ${r.ldirectordChildrenMs.toFixed(0)}; ${pct(ld)}), ${r.cpu.ldirectord.requests} checks served (${(r.cpu.ldirectord.requests / s).toFixed(1)}/s)`,
    `    ldirectord checks one server after the other, then sleeps checkinterval: a pass over all ${o.layout.servers} took ${(o.layout.servers / (r.cpu.ldirectord.requests / s)).toFixed(1)} s`,
    `    ratio ldirectord / lvsd, total CPU: ${ratio.toFixed(1)}x  (${(r.cpu.lvsd.requests / Math.max(1, r.cpu.ldirectord.requests)).toFixed(2)}x as many checks by lvsd)`,
    `    ratio ldirectord / lvsd, CPU per check served: ${perCheckRatio.toFixed(1)}x (lvsd ${perCheck.lvsd.toFixed(0)} µs, ldirectord ${perCheck.ldirectord.toFixed(0)} µs)  (goal >= 10x for the same checks: ${verdict(perCheckRatio >= 10)})`,
  ];
}

function traceRow(r: LdLabResult, i: number): string {
  const k = r.kills[i];
  const t = r.lvsdTraces?.[i];
  if (k === undefined || t === undefined) return '';
  const f = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(0));
  const attempts = k.by.lvsd.attemptsMs.filter((a) => k.by.lvsd.goneMs === undefined || a <= k.by.lvsd.goneMs).map((a) => a.toFixed(0)).join(',');
  return `    kill ${i + 1}: farm saw lvsd's attempts at +${attempts} ms; check.state down +${f(t.checkDownMs)} (attempt ${f(t.attemptMs)} ms); ipvs.apply +${f(t.applyMs)} (took ${f(t.applyTookMs)} ms, ${t.applyScope ?? '?'});`
    + ` gone +${f(k.by.lvsd.goneMs)}; other check.state lines meanwhile ${t.otherChecks}`;
}

export function labText(s: Stamped<LdLabRuns>): string[] {
  const r = s.result;
  const o = r.options;
  const gone = (k: 'lvsd' | 'keepalived'): number[] => r.kills.map((x) => x.by[k].goneMs).filter((v): v is number => v !== undefined);
  const lv = summarize(gone('lvsd'));
  const ldd = summarize(gone('keepalived'));
  const missed = r.kills.filter((x) => x.by.lvsd.goneMs === undefined || x.by.keepalived.goneMs === undefined).length;
  const m = r.matched;
  return [
    `=== bench/ldirectord lab (${s.date}; kernel ${r.kernel}; load ${r.load.start} → ${r.load.end})`,
    `    ${s.command}`,
    `  ${o.layout.servers} real servers in ${Math.ceil(o.layout.servers / o.layout.perService)} virtual services, negotiate http every ${o.check.checkIntervalS} s (checktimeout ${o.check.checkTimeoutS} s), one ldirectord.cf for both`,
    `  full table after start: lvsd ${fmtMs(r.fullTableMs.lvsd)}, ldirectord ${fmtMs(r.fullTableMs.ldirectord)}; destinations after the window: lvsd ${r.destsAfterWindow.lvsd}, ldirectord ${r.destsAfterWindow.ldirectord}`,
    ...cpuText(r),
    ...(m !== undefined ? ['  the same, with few enough servers that ldirectord keeps up (--matched-servers; a second start, no kills):', ...cpuText(m)] : []),
    `  detection (server killed: connections reset → destination gone from the kernel table), ${r.kills.length} kills${missed ? `, ${missed} without a sample` : ''}:`,
    row('lvsd', lv),
    row('ldirectord', ldd),
    `    ratio ldirectord / lvsd: median ${(ldd.median / lv.median).toFixed(1)}x, p90 ${(ldd.p90 / lv.p90).toFixed(1)}x  (goal lvsd <= ldirectord's median and p90: ${verdict(lv.median <= ldd.median && lv.p90 <= ldd.p90)})`,
    ...(r.lvsdTraces !== undefined ? ['  lvsd per kill (times after the kill):', ...r.kills.map((_, i) => traceRow(r, i))] : []),
    ...r.notes.map((n) => `  note: ${n}`),
  ];
}

export function takeoverText(s: Stamped<TakeoverResult>): string[] {
  const r = s.result;
  const t = summarize(r.takeoverMs);
  const deadMs = r.options.deadtimeS * 1000;
  return [
    `=== bench/ldirectord takeover (${s.date}): two lvsd from one heartbeat directory, host namespaces`,
    `    ${s.command}`,
    `  ha.cf keepalive ${r.options.keepaliveS} s, deadtime ${r.options.deadtimeS} s → VRRP adverts every ${r.advertMs} ms (backup's master-down ${r.masterDownMs.toFixed(0)} ms)`,
    row('kill -9 →VIP', t),
    `    max / deadtime: ${(t.max / deadMs).toFixed(2)}  (goal takeover <= deadtime ${deadMs} ms: ${verdict(t.max <= deadMs)})`,
  ];
}

function commandLine(): string {
  return `${process.argv[2] === 'lab' ? 'scripts/lab run -- ' : ''}node dist/bench/ldirectord.js ${process.argv.slice(2).join(' ')}`;
}

function save<T>(file: string, result: T): Stamped<T> {
  mkdirSync(RESULTS, { recursive: true });
  const stamped: Stamped<T> = { command: commandLine(), date: new Date().toISOString(), result };
  writeFileSync(file, `${JSON.stringify(stamped, null, 1)}\n`);
  return stamped;
}

function report(): string {
  const read = <T>(file: string): Stamped<T> | undefined => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Stamped<T> : undefined);
  const lab = read<LdLabRuns>(FILES.lab);
  const takeover = read<TakeoverResult>(FILES.takeover);
  return `${[
    ...(lab ? labText(lab) : ['=== bench/ldirectord lab: not run (results/bench-ldirectord-lab.json missing)']),
    '',
    ...(takeover ? takeoverText(takeover) : ['=== bench/ldirectord takeover: not run (results/bench-ldirectord-takeover.json missing)']),
  ].join('\n')}\n`;
}

const o = parseArgs(process.argv.slice(2));
await benchEntry('ldirectord', { ...(o.part === 'report' ? { report: { file: FILES.text, text: report } } : {}), run: async () => {
  if (o.part === 'lab') {
    if (!existsSync('/proc/net/ip_vs') || !existsSync('/usr/sbin/ldirectord')) {
      log('bench/ldirectord lab: needs IPVS and /usr/sbin/ldirectord (run it in the lab: scripts/lab run -- node dist/bench/ldirectord.js lab)');
      return 1;
    }
    const main = await runLdLab(o.lab, log);
    const matched = o.matchedServers > 0
      ? await runLdLab({ ...o.lab, layout: { ...o.lab.layout, servers: o.matchedServers }, kills: 0 }, (line) => log(`matched: ${line}`), '-matched')
      : undefined;
    const runs: LdLabRuns = { ...main, ...(matched !== undefined ? { matched } : {}) };
    process.stdout.write(`${labText(save(FILES.lab, runs)).join('\n')}\n`);
    return 0;
  }
  process.stdout.write(`${takeoverText(save(FILES.takeover, await runTakeover(o.takeover, log))).join('\n')}\n`);
  return 0;
} });
