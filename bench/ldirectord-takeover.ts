/**
 * The heartbeat-directory part of bench/ldirectord (root, host network namespaces, no IPVS):
 * two lvsd started from one heartbeat directory (test/netns/ha-dir-harness.ts: lb1 preferred,
 * auto_failback on), N rounds of: lb1 MASTER with the VIP → kill -9 lb1 → time until the VIP is
 * on lb2 (polling `ip addr` every 2 ms; kills spread over the advert cycle) → restart lb1, which takes the VIP back. The takeover
 * time is compared with ha.cf's deadtime (heartbeat declares the peer dead after deadtime, then
 * starts its resources: deadtime is heartbeat's best case).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleOf } from '../test/netns/lvsd-harness.js';
import { makeLan } from '../test/netns/topology.js';
import { holdsVip, INSTANCE, masterDownMs, releaseUts, startHaLvsd, utsNamespace, writeHaDir, type HaDirector, type HaTiming } from '../test/netns/ha-dir-harness.js';
import { stillTrue, waitUntil } from '../test/fixtures/wait.js';
import { seeded } from './checks-kills.js';
import { chooseAdvert } from '../src/config/heartbeat/vrrp.js';

export interface TakeoverOptions {
  readonly keepaliveS: number;
  readonly deadtimeS: number;
  readonly rounds: number;
  readonly seed: number;
}

export interface TakeoverResult {
  readonly options: TakeoverOptions;
  /** kill -9 of the master → VIP on the other director, ms, per round. */
  readonly takeoverMs: readonly number[];
  /** VRRP's worst case for lb2 at the advert interval lvsd derived (3 × advert + skew), ms. */
  readonly masterDownMs: number;
  readonly advertMs: number;
}

const VIP = '198.51.100.100';

export async function runTakeover(o: TakeoverOptions, log: (s: string) => void): Promise<TakeoverResult> {
  const lan = makeLan(undefined, ['lb1', 'lb2']);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bld-ha-'));
  const timing: HaTiming = { keepaliveS: o.keepaliveS, deadtimeS: o.deadtimeS, autoFailback: true };
  const haDir = writeHaDir(dir, VIP, timing);
  const ns = { lb1: lan.ns.lb1!, lb2: lan.ns.lb2! };
  const names = { lb1: utsNamespace(undefined, dir, 'lb1'), lb2: utsNamespace(undefined, dir, 'lb2') };
  const started: HaDirector[] = [];
  const start = (node: 'lb1' | 'lb2', round: number): HaDirector => {
    const d = startHaLvsd(undefined, { ns: ns[node], uts: names[node], haDir, node, dir, tag: `-${round}`, logLevel: 'info' });
    started.push(d);
    return d;
  };
  const takeoverMs: number[] = [];
  const random = seeded(o.seed);
  try {
    const lb2 = start('lb2', 0);
    for (let round = 0; round < o.rounds; round++) {
      const lb1 = start('lb1', round);
      const leads = (): boolean => roleOf(lb1, INSTANCE) === 'MASTER' && roleOf(lb2, INSTANCE) === 'BACKUP' && holdsVip(ns.lb1, VIP) && !holdsVip(ns.lb2, VIP);
      await waitUntil(leads, `round ${round + 1}: lb1 MASTER with the VIP`, 30_000, 20);
      await stillTrue(leads, 'lb1 leading', 2 * o.keepaliveS * 1000);
      // lb1 became MASTER with an advert: a seeded pause of up to one interval spreads the kills over its advert cycle
      await stillTrue(leads, 'lb1 leading', random() * o.keepaliveS * 1000);
      lb1.kill('SIGKILL');
      const ms = await waitUntil(() => holdsVip(ns.lb2, VIP), `round ${round + 1}: VIP on lb2`, 4 * o.deadtimeS * 1000, 2);
      takeoverMs.push(ms);
      log(`  round ${round + 1}/${o.rounds}: VIP on lb2 ${ms} ms after kill -9 of lb1 (deadtime ${o.deadtimeS * 1000} ms)`);
      await lb1.exited;
    }
  } finally {
    for (const d of started) d.kill('SIGKILL');
    await Promise.all(started.map((d) => d.exited));
    releaseUts(names.lb1);
    releaseUts(names.lb2);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  // the advert interval lvsd derives from keepalive and deadtime (lb2, priority 100, is the lowest)
  const advert = chooseAdvert({ keepaliveMs: o.keepaliveS * 1000, deadtimeMs: o.deadtimeS * 1000, lowestPriority: 100, family: 4, v2: true }).advertIntervalCs * 10;
  return { options: o, takeoverMs, advertMs: advert, masterDownMs: masterDownMs(advert, 100) };
}
