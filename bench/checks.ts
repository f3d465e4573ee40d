/**
 * bench/checks (issue 8 item 6), root only; scripts/bench-checks runs all of it:
 *   node dist/bench/checks.js host [OPTIONS]   part B on the host kernel → results/bench-checks-host.json
 *   scripts/lab run -- node dist/bench/checks.js lab [OPTIONS]
 *                                              part A in the IPVS lab   → results/bench-checks-lab.json
 *   node dist/bench/checks.js native [OPTIONS] lvsd alone on the host with A's config (calibration)
 *                                              → results/bench-checks-native.json
 *   node dist/bench/checks.js report           all → results/bench-checks.txt (and stdout)
 * Options (each part reads its own, ignores the other's):
 *   A: --servers 1000 --per-service 10 --delay-loop 1 --connect-timeout 5 --retry 1 --retry-delay 1
 *      --window 60 --warmup 60 --kills 20 --kill reset|refuse --poll-ms 2 --seed 1
 *      --watch-connections (lvsd only: its idle connection per server, src/health/watch.ts; a
 *      kill ends the killed server's open connections as a dead process's kernel would)
 *      --detect-servers K --detect-delay-loop D: the kills choose among the first K servers (whole
 *      services, all by default), whose services check every D s (default: --delay-loop); the
 *      others keep --delay-loop. Scales the load down under emulation without slow detections.
 *   B: --checks 2000 --minutes 3 --advert-int 0.02 [--no-baseline] (the baseline: the same pair
 *      without checks for as long, after the run with them) [--lvsd-node-flags "FLAGS"]
 *      (node options for both lvsd instead of bin/lvsd's shebang ones, "" for none; the results
 *      then go to bench-checks-host-flags.json; with
 *      native, for its lvsd, e.g. "--cpu-prof --cpu-prof-dir /tmp/prof")
 * Environment (passed on to lvsd, recorded in the results): LVSD_STEADY_LANE=off keeps every
 * attempt in lvsd's engine (no steady lane, src/health/checks/steady-lane.ts); LVSD_TCP_PROBES=net runs plain
 * TCP/HTTP checks through net.Socket instead of the addon (src/health/checks/native-stream.ts),
 * for before/after runs of the same build.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LVSD_NODE_FLAGS, REPO } from '../test/netns/lvsd-harness.js';
import { runLab, type LabOptions } from './checks-lab.js';
import { benchEntry, log } from './bench-entry.js';
import { labText, nativeText, vrrpText, type HostResult, type Stamped } from './checks-report.js';
import { runNative, type NativeResult } from './checks-native.js';
import { runVrrp, type VrrpOptions } from './checks-vrrp.js';

const RESULTS = join(REPO, 'results');
const FILES = { lab: join(RESULTS, 'bench-checks-lab.json'), host: join(RESULTS, 'bench-checks-host.json'), native: join(RESULTS, 'bench-checks-native.json'), hostFlags: join(RESULTS, 'bench-checks-host-flags.json'), text: join(RESULTS, 'bench-checks.txt') };

interface Opts { part: 'lab' | 'host' | 'native' | 'report'; lab: LabOptions; vrrp: VrrpOptions; baseline: boolean }

const NUMERIC = ['--servers', '--per-service', '--detect-servers', '--detect-delay-loop', '--delay-loop', '--connect-timeout', '--retry', '--retry-delay', '--window', '--warmup', '--kills', '--poll-ms', '--seed', '--checks', '--minutes'] as const;

export function parseArgs(argv: readonly string[]): Opts {
  const [part, ...rest] = argv;
  if (part !== 'lab' && part !== 'host' && part !== 'native' && part !== 'report') throw new Error('usage: checks.js lab|host|native|report [OPTIONS] (see bench/checks.ts)');
  const n = new Map<string, number>();
  let kill: 'reset' | 'refuse' = 'reset';
  let advertInt = '0.02';
  let baseline = true;
  let watchConnections = false;
  let nodeArgs: string[] | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const v = rest[i + 1];
    if (a === '--kill' && (v === 'reset' || v === 'refuse')) kill = v;
    else if (a === '--advert-int' && v !== undefined && Number(v) > 0) advertInt = v;
    else if (a === '--lvsd-node-flags' && v !== undefined) nodeArgs = v.split(' ').filter((x) => x.length > 0);
    else if (a === '--no-baseline') {
      baseline = false;
      continue;
    } else if (a === '--watch-connections') {
      watchConnections = true;
      continue;
    }
    else if ((NUMERIC as readonly string[]).includes(a) && v !== undefined && Number.isFinite(Number(v)) && Number(v) >= 0) n.set(a, Number(v));
    else throw new Error(`bad option ${a} ${v ?? ''} (see bench/checks.ts)`);
    i++;
  }
  const get = (k: (typeof NUMERIC)[number], d: number): number => n.get(k) ?? d;
  const servers = get('--servers', 1000);
  const lab: LabOptions = {
    layout: { servers, perService: Math.max(1, get('--per-service', 10)), detectServers: get('--detect-servers', servers) },
    check: { kind: 'http', delayLoopS: get('--delay-loop', 1), detectDelayLoopS: get('--detect-delay-loop', get('--delay-loop', 1)), connectTimeoutS: get('--connect-timeout', 5), retry: get('--retry', 1), retryDelayS: get('--retry-delay', 1) },
    windowS: get('--window', 60), warmupS: get('--warmup', 60), kills: Math.min(servers, get('--kills', 20)), kill, pollMs: get('--poll-ms', 2), seed: get('--seed', 1),
    nodeArgs: nodeArgs ?? LVSD_NODE_FLAGS,
    ...(watchConnections ? { watchConnections } : {}),
    ...(process.env['LVSD_TCP_PROBES'] !== undefined ? { tcpProbes: process.env['LVSD_TCP_PROBES'] } : {}),
    ...(process.env['LVSD_STEADY_LANE'] !== undefined ? { steadyLane: process.env['LVSD_STEADY_LANE'] } : {}),
  };
  if (servers < 1 || lab.check.delayLoopS <= 0) throw new Error('--servers and --delay-loop must be positive');
  return { part, lab, vrrp: { checks: get('--checks', 2000), minutes: get('--minutes', 3), advertInt, nodeArgs }, baseline };
}

const commandLine = (): string => `${process.argv[2] === 'lab' ? 'scripts/lab run -- ' : ''}node dist/bench/checks.js ${process.argv.slice(2).join(' ')}`;

function save<T>(file: string, result: T): void {
  mkdirSync(RESULTS, { recursive: true });
  const stamped: Stamped<T> = { command: commandLine(), date: new Date().toISOString(), result };
  writeFileSync(file, `${JSON.stringify(stamped, null, 1)}\n`);
}

function report(): string {
  const read = <T>(file: string): Stamped<T> | undefined => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Stamped<T> : undefined);
  const lab = read<Parameters<typeof labText>[0]['result']>(FILES.lab);
  const native = read<NativeResult>(FILES.native);
  const hostFlags = read<HostResult>(FILES.hostFlags);
  const host = read<Parameters<typeof vrrpText>[0]['result']>(FILES.host);
  const rows = [
    ...(lab ? labText(lab) : ['=== bench/checks A: not run (results/bench-checks-lab.json missing) ===']),
    ...(native ? nativeText(native, lab?.result) : []),
    '',
    ...(host ? vrrpText(host) : ['=== bench/checks B: not run (results/bench-checks-host.json missing) ===']),
    ...(hostFlags ? ['', ...vrrpText(hostFlags)] : []),
  ];
  return `${rows.join('\n')}\n`;
}

const o = parseArgs(process.argv.slice(2));
await benchEntry('checks', { ...(o.part === 'report' ? { report: { file: FILES.text, text: report } } : {}), run: async () => {
  if (o.part === 'lab') {
    if (!existsSync('/proc/net/ip_vs')) {
      log('bench/checks lab: no IPVS in this kernel (run it in the lab: scripts/lab run -- node dist/bench/checks.js lab)');
      return 1;
    }
    const r = await runLab(o.lab, log);
    save(FILES.lab, r);
    process.stdout.write(`${labText({ command: commandLine(), date: new Date().toISOString(), result: r }).join('\n')}\n`);
    return 0;
  }
  if (o.part === 'native') {
    const r = await runNative(o.lab, log, o.vrrp.nodeArgs);
    save(FILES.native, r);
    process.stdout.write(`${nativeText({ command: commandLine(), date: new Date().toISOString(), result: r }).join('\n')}\n`);
    return 0;
  }
  const flagged = o.vrrp.nodeArgs !== undefined;
  const withChecks = await runVrrp(o.vrrp, log);
  const baseline = o.baseline ? (log('baseline: the same pair without checks'), await runVrrp({ ...o.vrrp, checks: 0 }, log)) : undefined;
  const r: HostResult = { withChecks, ...(baseline ? { baseline } : {}) };
  save(flagged ? FILES.hostFlags : FILES.host, r);
  process.stdout.write(`${vrrpText({ command: commandLine(), date: new Date().toISOString(), result: r }).join('\n')}\n`);
  return 0;
} });
