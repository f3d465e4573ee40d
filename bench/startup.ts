/**
 * Start-up: from exec to VRRP running (root; natively, or in the lab with ip_vs:
 * `scripts/lab run -- node dist/bench/startup.js`).
 *   node dist/bench/startup.js [--runs 5] [--advert-int 1]
 * One director alone in a namespace holds its VIP, as the master does when lvsd is started again
 * after a crash. Its keepalived.conf has one VRRP instance and, where the kernel has ip_vs, one
 * direct-routing virtual server and the sync daemon. Each run starts, in turn:
 *   - lvsd as bin/lvsd runs it (the bundle of scripts/bundle.mjs);
 *   - lvsd from tsc's output, unbundled (dist/src/cli/lvsd.js, bin/lvsd's node flags), as before;
 *   - keepalived 2.2.7 with the same file (its VRRP child: `--vrrp`).
 * Times, from the spawn as the parent sees it: the instance's first state (BACKUP: lvsd's
 * vrrp.role log event, keepalived's "Entering BACKUP STATE"), and for lvsd its MASTER (one
 * interval + skew later, the VIP being held; README "Restarting lvsd on the master").
 * Without ip_vs lvsd runs with --debug-ipvs-memory and the file has no virtual server.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LVSD, LVSD_NODE_FLAGS, REPO } from '../test/netns/lvsd-harness.js';
import { killNamespace } from '../test/netns/kp-peers.js';
import { eachLine, makeLan, nsExec } from '../test/netns/topology.js';
import { quantile } from './sample-stats.js';

const arg = (name: string, d: string): string => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] ?? d : d);
const runs = Number(arg('--runs', '5'));
const advertInt = arg('--advert-int', '1');
const ipvs = existsSync('/proc/net/ip_vs');
const VIP = '198.51.100.100';
const TIMEOUT_MS = 60_000;

type Variant = 'lvsd (bundle)' | 'lvsd (unbundled)' | 'keepalived';
const VARIANTS: readonly Variant[] = ['lvsd (bundle)', 'lvsd (unbundled)', 'keepalived'];

function config(): string {
  return [
    'global_defs {', '    router_id a', '    vrrp_version 3', ...(ipvs ? ['    lvs_sync_daemon eth0 VI_1'] : []), '}',
    'vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', '    virtual_router_id 51', '    priority 150',
    `    advert_int ${advertInt}`, '    virtual_ipaddress {', `        ${VIP}/24`, '    }', '}',
    ...(ipvs ? ['virtual_server 198.51.100.100 80 {', '    lb_algo rr', '    lb_kind DR', '    protocol TCP',
      '    real_server 198.51.100.5 80 {', '        weight 1', '    }', '}'] : []),
    '',
  ].join('\n');
}

function argv(v: Variant, dir: string, file: string): string[] {
  if (v === 'keepalived') {
    return ['keepalived', '-n', '-l', '-D', ...(ipvs ? [] : ['--vrrp']), '-f', file, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid'), '-c', join(dir, 'c.pid')];
  }
  // bin/lvsd imports the bundle; the same two lines importing tsc's output are the unbundled start
  let entry = LVSD;
  if (v === 'lvsd (unbundled)') {
    entry = join(dir, 'lvsd-unbundled.mjs');
    writeFileSync(entry, `import { main } from ${JSON.stringify(join(REPO, 'dist/src/cli/lvsd.js'))};\nprocess.exit(await main(process.argv.slice(2)));\n`);
  }
  return [process.execPath, ...LVSD_NODE_FLAGS, entry, '-n', '-f', file, '--socket', join(dir, 's'), '--pid-file', join(dir, 'p'),
    ...(ipvs ? [] : ['--debug-ipvs-memory'])];
}

interface Sample { readonly backupMs: number; readonly masterMs?: number }

/** One start of `v` in `ns` (its VIP in place): spawn → BACKUP (and, for lvsd, MASTER); then killed. */
async function once(v: Variant, ns: string): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-startup-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, config());
    const t0 = performance.now();
    const child = spawn('ip', ['netns', 'exec', ns, ...argv(v, dir, file)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: { backup?: number; master?: number } = {};
    const on = (line: string): void => {
      const at = performance.now() - t0;
      const lvsd = /"event":"vrrp\.role"/.test(line) ? /"to":"(\w+)"/.exec(line)?.[1] : undefined;
      const to = lvsd ?? /\(VI_1\) Entering (\w+) STATE/.exec(line)?.[1];
      if (to === 'BACKUP') seen.backup ??= at;
      if (to === 'MASTER') seen.master ??= at;
    };
    eachLine(child.stdout, on);
    eachLine(child.stderr, on);
    const done = (): boolean => seen.backup !== undefined && (v === 'keepalived' || seen.master !== undefined);
    for (const end = performance.now() + TIMEOUT_MS; !done() && performance.now() < end;) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    killNamespace(ns);
    if (seen.backup === undefined) throw new Error(`${v}: no BACKUP state within ${TIMEOUT_MS} ms`);
    return { backupMs: seen.backup, ...(seen.master !== undefined ? { masterMs: seen.master } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const lan = makeLan(undefined, ['dirA']);
  const ns = lan.ns.dirA!;
  const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  try {
    for (let k = 0; k < runs; k++) {
      for (const v of k % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        if (!nsExec(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']).includes(` ${VIP}/`)) nsExec(ns, 'ip', ['addr', 'add', `${VIP}/24`, 'dev', 'eth0']);
        if (ipvs) {
          nsExec(ns, 'ipvsadm', ['-C']);
          const daemons = nsExec(ns, 'ipvsadm', ['-L', '-n', '--daemon']);
          for (const state of ['master', 'backup']) if (daemons.includes(`${state} sync daemon`)) nsExec(ns, 'ipvsadm', ['--stop-daemon', state]);
        }
        const s = await once(v, ns);
        samples.get(v)!.push(s);
        process.stderr.write(`  ${v} run ${k + 1}/${runs}: BACKUP ${s.backupMs.toFixed(0)} ms${s.masterMs !== undefined ? `, MASTER ${s.masterMs.toFixed(0)} ms` : ''}\n`);
      }
    }
  } finally {
    lan.destroy();
  }
  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
  const fmt = (xs: number[]): string => `${quantile(sorted(xs), 0.5).toFixed(0)} / ${Math.max(...xs).toFixed(0)} ms`;
  const med = (v: Variant): number => quantile(sorted(samples.get(v)!.map((s) => s.backupMs)), 0.5);
  const rows = [
    `=== bench/startup: exec to VRRP running, one director holding its VIP (${ipvs ? 'with ip_vs: a DR virtual server and the sync daemon' : 'no ip_vs: lvsd --debug-ipvs-memory'}), advert_int ${advertInt} ===`,
    `runs ${runs} (variants alternating in order); median / max`,
    'variant          | spawn -> BACKUP   | spawn -> MASTER (lvsd: VIP held, one interval + skew)',
    ...VARIANTS.map((v) => {
      const ss = samples.get(v)!;
      const masters = ss.flatMap((s) => (s.masterMs !== undefined ? [s.masterMs] : []));
      return `${v.padEnd(16)} | ${fmt(ss.map((s) => s.backupMs)).padEnd(17)} | ${masters.length > 0 ? fmt(masters) : '-'}`;
    }),
    `ratio to keepalived (spawn -> BACKUP, medians): bundle ${(med('lvsd (bundle)') / med('keepalived')).toFixed(2)}, unbundled ${(med('lvsd (unbundled)') / med('keepalived')).toFixed(2)}; bundle / unbundled ${(med('lvsd (bundle)') / med('lvsd (unbundled)')).toFixed(2)}`,
  ];
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.getuid?.() !== 0) {
  process.stderr.write('bench/startup: must run as root (network namespaces)\n');
  process.exitCode = 1;
} else {
  await main();
}
