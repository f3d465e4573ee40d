/**
 * Host calibration for bench/ldirectord (root, no ip_vs needed): lvsd alone with the bench's
 * ldirectord.cf (ldirectord-conf.ts) against the same farm, natively, with
 * `--debug-ipvs-memory`. It measures what the lab cannot separate:
 *  - CPU over the window per check served (with `--cpu-prof` in LVSD_NODE_ARGS-free runs:
 *    `nodeArgs` go to lvsd's node, and lvsd is stopped with SIGTERM so node writes its profile);
 *  - for each kill (native-kills.ts), the first failing attempt → `check.state` down →
 *    `ipvs.apply` of that service, from lvsd's own log, and how many attempts came before it.
 *
 *   node dist/bench/ldirectord-native.js [--servers 200] [--check-interval 1] [--window 20] [--kills 5] [--prof DIR] [--strace]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { LVSD, LVSD_NODE_FLAGS } from '../test/netns/lvsd-harness.js';
import { killNamespace } from '../test/netns/kp-peers.js';
import { makeLan, nsExec, startIn } from '../test/netns/topology.js';
import { waitUntil } from '../test/fixtures/wait.js';
import { FARM_NET } from './checks-conf.js';
import { JsonChannel } from './json-channel.js';
import { nativeKills } from './native-kills.js';
import { ldirectordFarmConfig } from './ldirectord-conf.js';
import { cpuMs, readCpu } from './proc-cpu.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hrMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

function option(name: string, d: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
}
const prof = process.argv.includes('--prof') ? process.argv[process.argv.indexOf('--prof') + 1] : undefined;
const servers = option('--servers', 200);
const layout = { servers, perService: 10 };
const intervalS = option('--check-interval', 1);
const windowS = option('--window', 20);
const kills = option('--kills', 5);

const lan = makeLan(undefined, ['d', 'farm']);
const dir = mkdtempSync(join(tmpdir(), 'lvsd-bld-native-'));
nsExec(lan.ns.farm!, 'ip', ['route', 'add', 'local', `${FARM_NET}.0.0/16`, 'dev', 'lo']);
nsExec(lan.ns.d!, 'ip', ['route', 'add', `${FARM_NET}.0.0/16`, 'via', lan.ip4.farm!]);
const farm = new JsonChannel(lan.ns.farm!, [process.execPath, join(here, 'checks-farm.js'), String(servers)]);
const teardown = (): void => {
  farm.close();
  for (const ns of Object.values(lan.ns)) killNamespace(ns);
  lan.destroy();
  rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => { teardown(); process.exit(130); });

try {
  await farm.next((e) => e.ev === 'ready', 120_000);
  const conf = join(dir, 'ldirectord.cf');
  writeFileSync(conf, ldirectordFarmConfig(layout, { checkIntervalS: intervalS, checkTimeoutS: 5 }));
  const nodeArgs = [...LVSD_NODE_FLAGS, ...(prof !== undefined ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), ...(process.env['LD_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')];
  const d = startIn(undefined, lan.ns.d!, process.execPath, [...nodeArgs, LVSD, '-n', '-f', conf, '--socket', join(dir, 's.sock'), '--pid-file', join(dir, 's.pid'),
    '--log-level', 'info', '--debug-ipvs-memory']);
  await waitUntil(() => d.lines.filter((l) => l.event === 'real.state' && l.to === 'up').length >= servers || d.child.exitCode !== null, 'all up', 120_000, 100);
  if (d.child.exitCode !== null) throw new Error(`lvsd exited: ${d.stderr.join('').slice(-500)}`);
  await pause(5000);
  await farm.ask({ cmd: 'counts' }, 'counts', 10_000);
  const pid = d.child.pid ?? NaN;
  const before = readCpu(pid);
  const t0 = hrMs();
  // --strace: syscall counts of lvsd over the window (strace -c), to stderr.
  const tracer = process.env['LD_TRACER'] ?? 'strace';
  const strace = process.argv.includes('--strace') ? spawn(tracer, [...(process.env['LD_STRACE_ARGS'] ?? '-c').split(' '), ...(tracer === 'strace' ? ['-f'] : []), '-p', String(pid)], { stdio: ['ignore', 'inherit', 'inherit'] }) : undefined;
  await pause(windowS * 1000);
  strace?.kill('SIGINT');
  const cpu = cpuMs(before, readCpu(pid));
  const windowMs = hrMs() - t0;
  const counts = (await farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
  const req = (counts[lan.ip4.d!] ?? 0) + (counts[`::ffff:${lan.ip4.d!}`] ?? 0);
  process.stdout.write(`lvsd ${servers} servers, checkinterval ${intervalS}: CPU ${cpu.totalMs.toFixed(0)} ms (user ${cpu.userMs}, sys ${cpu.systemMs}) over ${(windowMs / 1000).toFixed(1)} s, ${req} checks (${(req / (windowMs / 1000)).toFixed(1)}/s), ${((1000 * cpu.totalMs) / Math.max(1, req)).toFixed(0)} µs/check\n`);
  await nativeKills({ farm, lines: () => d.lines, kills, pool: servers, spreadS: intervalS, seed: 1, log: (line) => process.stdout.write(`${line}\n`) });
  d.kill('SIGTERM');
  await d.exited;
} finally {
  teardown();
}
