/**
 * Calibration for part A of bench/checks (host kernel, root): lvsd alone with the lab's
 * keepalived.conf (same layout and check settings) against the same farm, natively, with
 * `--debug-ipvs-memory` (the host has no ip_vs; with every server up the table does not change,
 * so no IPVS work is missing from the window). CPU time over the window per check served, and
 * the check latencies, to set beside the lab's numbers: keepalived's checker cannot run here
 * (it exits without IPVS), so this is lvsd's native cost, not a ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../src/control/socket.js';
import { startPeer } from '../test/netns/bench-run.js';
import { killNamespace } from '../test/netns/kp-peers.js';
import { makeLan, nsExec } from '../test/netns/topology.js';
import { waitUntil } from '../test/fixtures/wait.js';
import { detectPool, FARM_NET, farmConfig } from './checks-conf.js';
import type { LabOptions } from './checks-lab.js';
import { checksSettled, latencies } from './checks-lab.js';
import { pendingTeardowns } from './checks-topology.js';
import { JsonChannel } from './json-channel.js';
import { nativeKills, type NativeKill } from './native-kills.js';
import { cpuMs, readCpu } from './proc-cpu.js';
import { summarize, type Summary } from './sample-stats.js';

export interface NativeResult {
  readonly options: LabOptions;
  readonly windowMs: number;
  readonly cpu: { readonly userMs: number; readonly systemMs: number; readonly totalMs: number; readonly requests: number };
  readonly latencyMs: Summary;
  /** After the window: kills of the detect servers (native-kills.ts); absent with --kills 0 and in older results. */
  readonly kills?: readonly NativeKill[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `nodeArgs` go to lvsd's node (e.g. `--cpu-prof --cpu-prof-dir DIR` to profile the checks);
 * with them, lvsd is stopped with SIGTERM after the window so that node writes its profile.
 */
export async function runNative(o: LabOptions, log: (s: string) => void, nodeArgs?: readonly string[]): Promise<NativeResult> {
  const lan = makeLan(undefined, ['d', 'farm']);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bchk-native-'));
  nsExec(lan.ns.farm!, 'ip', ['route', 'add', 'local', `${FARM_NET}.0.0/16`, 'dev', 'lo']);
  nsExec(lan.ns.d!, 'ip', ['route', 'add', `${FARM_NET}.0.0/16`, 'via', lan.ip4.farm!]);
  const farm = new JsonChannel(lan.ns.farm!, [process.execPath, join(here, 'checks-farm.js'), String(o.layout.servers)]);
  const teardown = (): void => {
    pendingTeardowns.delete(teardown);
    farm.close();
    for (const ns of Object.values(lan.ns)) killNamespace(ns);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  pendingTeardowns.add(teardown);
  try {
    await farm.next((e) => e.ev === 'ready', 120_000);
    const peer = startPeer({ impl: 'lvsd', ns: lan.ns.d!, name: 'd', dir, config: farmConfig(o.layout, o.check), extraArgs: ['--debug-ipvs-memory', ...(o.watchConnections === true ? ['--watch-connections'] : [])], ...(nodeArgs ? { nodeArgs } : {}) });
    const d = peer.director;
    if (!d) throw new Error('no lvsd');
    await waitUntil(() => d.lines.some((l) => l.event === 'director.start') || d.child.exitCode !== null, 'lvsd started', 120_000, 100);
    if (d.child.exitCode !== null) throw new Error(`lvsd exited: ${d.stderr.join('').slice(-500)}`);
    log(`lvsd started natively; warm-up ${o.warmupS} s, window ${o.windowS} s`);
    // As in the lab: the warm-up starts once every check has run once (and every watch is up).
    log(`every check run once after ${(await checksSettled(d.socket, 900_000)).toFixed(0)} s`);
    await pause(o.warmupS * 1000);
    await farm.ask({ cmd: 'counts' }, 'counts', 10_000);
    const pid = d.child.pid ?? NaN;
    const t0 = performance.now();
    const before = readCpu(pid);
    await pause(o.windowS * 1000);
    const after = readCpu(pid);
    const windowMs = performance.now() - t0;
    const counts = (await farm.ask({ cmd: 'counts' }, 'counts', 10_000)).byClient as Record<string, number>;
    const lat = latencies(await controlRequest(d.socket, 'checks', undefined, { timeoutMs: 30_000 }));
    const requests = (counts[lan.ip4.d!] ?? 0) + (counts[`::ffff:${lan.ip4.d!}`] ?? 0);
    log(`kills: ${o.kills} of the ${detectPool(o.layout)} servers checked every ${o.check.detectDelayLoopS ?? o.check.delayLoopS} s`);
    const kills = await nativeKills({ farm, lines: () => d.lines, kills: o.kills, pool: detectPool(o.layout), spreadS: o.check.detectDelayLoopS ?? o.check.delayLoopS, seed: o.seed, log });
    if (nodeArgs !== undefined) {
      d.kill('SIGTERM');
      await d.exited;
    }
    return { options: o, windowMs, cpu: { ...cpuMs(before, after), requests }, latencyMs: summarize(lat), kills };
  } finally {
    teardown();
  }
}
