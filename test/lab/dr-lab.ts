/**
 * The direct-routing lab world of dr.test.ts and dr-restart.test.ts (dr-world.ts): a client, two
 * directors running lvsd (VRRPv3 at `advert`, priorities 150 / 100, the kernel sync daemon
 * following the roles), nginx on rs1 and a Node server on rs2, prepared with `lvsd realserver`.
 * The client (dr-client.js) holds four long-lived connections (two on :80, two on :8080 with
 * persistence) and starts a request every 50 ms. The helpers the scenarios share.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleOf, startLvsd, type Director } from '../netns/lvsd-harness.js';
import { nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { PERSISTENT_PORT, PLAIN_PORT, VIP, makeWorld, startRealServers, directorConfig, establishedPorts, syncStates, type World } from './dr-world.js';
import { describe, monoMs, startTraffic, summarize, type Traffic, type TrafficSummary } from './dr-traffic.js';

export const PRIORITY = { dirA: 150, dirB: 100 } as const;
/** Longest gap in plain operation (no failover): a few request periods, plus emulation stalls. */
export const CALM_GAP_MS = 2000;
export const SLOW = 60_000;

export type Host = 'dirA' | 'dirB';
interface Scope { teardown(f: () => void): void }

export interface DrLab {
  readonly w: World;
  readonly advert: string;
  readonly scope: Scope;
  a: Director;
  b: Director;
  readonly traffic: Traffic;
  rs1Weight: number;
  persistentRs?: string;
  setupMs: number;
}

export const configOf = (lab: Pick<DrLab, 'w' | 'advert'>, host: Host, rs1Weight: number): string =>
  directorConfig(lab.w, { name: host, priority: PRIORITY[host], advertInt: lab.advert, sync: true, rs1Weight });

/** lvsd on `host`, always with the same file, socket and pid file (a restart reuses them). */
export const startDirector = (lab: Pick<DrLab, 'w' | 'advert' | 'scope'>, host: Host, rs1Weight: number): Director =>
  startLvsd(lab.scope, { ns: lab.w.lan.ns[host]!, name: host, dir: lab.w.dir, config: configOf(lab, host, rs1Weight) });

/** The world, the directors and the traffic, settled (dirA MASTER); removed by `scope`. */
export async function openDrLab(scope: Scope, advert: string): Promise<DrLab> {
  const t0 = monoMs();
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-dr-'));
  scope.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const w = makeWorld(scope, dir);
  const base = { w, advert, scope };
  // the directors start while the real servers are prepared: each Node process takes seconds under emulation
  const a = startDirector(base, 'dirA', 1);
  const b = startDirector(base, 'dirB', 1);
  await startRealServers(w);
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(b, 'VI_1') === 'BACKUP', 'dirA MASTER, dirB BACKUP', SLOW, 50);
  const traffic = startTraffic(scope, w.lan.ns.client!, {
    host: VIP, ports: [PLAIN_PORT, PERSISTENT_PORT], everyMs: 50,
    heldPorts: [PLAIN_PORT, PLAIN_PORT, PERSISTENT_PORT, PERSISTENT_PORT], heldEveryMs: 200, timeoutMs: 10_000,
  });
  const lab: DrLab = { ...base, a, b, traffic, rs1Weight: 1, setupMs: 0 };
  await settled(lab);
  lab.setupMs = monoMs() - t0;
  return lab;
}

/**
 * The file's hooks: the world opened once before its tests (`opened` gets it) and removed after
 * the last, even on failure. Returns the scope the tests register more removals with.
 */
export function labPerFile(advert: string, inLab: boolean, opened: (lab: DrLab) => void): Scope {
  const cleanups: Array<() => void> = [];
  const scope = { teardown: (f: () => void): void => { cleanups.push(f); } };
  test.after.always(() => { for (const f of cleanups.splice(0).reverse()) f(); });
  test.before(async () => {
    if (inLab) opened(await openDrLab(scope, advert));
  });
  return scope;
}

export const applies = (d: Director): Array<Record<string, unknown>> => d.lines.filter((l) => l.event === 'ipvs.apply');

/** dirX's role changes as (role, monotonic ms): lvsd logs wall-clock ISO times. */
export function roleChanges(d: Director): Array<{ to: string; at: number }> {
  const offset = Date.now() - monoMs();
  return d.lines.filter((l) => l.event === 'vrrp.role').map((l) => ({ to: String(l.to), at: Date.parse(String(l.at)) - offset }));
}

export const heldPorts = (lab: DrLab): number[] => lab.traffic.events.flatMap((e) => (e.ev === 'held-up' ? [e.local] : []));
const heldAnsweredAfter = (lab: DrLab, t0: number): boolean => summarize(lab.traffic.events, t0, monoMs()).held.every((h) => h.lost !== undefined || h.answers > 0);

/** dirA MASTER, dirB BACKUP, sync daemons master / backup, the held connections synced to dirB, 2 s of calm traffic. */
export async function settled(lab: DrLab): Promise<void> {
  const { w } = lab;
  await waitUntil(() => roleOf(lab.a, 'VI_1') === 'MASTER' && roleOf(lab.b, 'VI_1') === 'BACKUP', 'dirA MASTER, dirB BACKUP', SLOW, 50);
  await waitUntil(() => syncStates(w.lan.ns.dirA!).join() === 'master' && syncStates(w.lan.ns.dirB!).join() === 'backup', 'sync daemons master on dirA, backup on dirB', SLOW, 100);
  await waitUntil(() => heldPorts(lab).length === 4, 'four held connections up', SLOW, 50);
  await waitUntil(() => { const synced = establishedPorts(w, w.lan.ns.dirB!); return heldPorts(lab).every((p) => synced.has(p)); }, 'the held connections synced to dirB', SLOW, 200);
  await waitUntil(() => {
    const s = summarize(lab.traffic.events, monoMs() - 2000, monoMs());
    return s.failed === 0 && s.ok >= 10 && s.maxGapMs < CALM_GAP_MS && s.held.every((h) => h.answers > 0);
  }, '2 s of calm traffic', SLOW, 200);
}

/** Waits until every held connection answered (or was lost) after `since` and 2 s of traffic passed; sums up from `from`. */
export async function aftermath(lab: DrLab, from: number, since: number): Promise<TrafficSummary> {
  await waitUntil(() => heldAnsweredAfter(lab, since) && monoMs() > since + 2000, 'every held connection answering again', SLOW, 100);
  return summarize(lab.traffic.events, from, monoMs());
}

/** What every scenario checks on the client side, and the :8080 real server kept through all of them. */
export function checkClient(t: ExecutionContext, lab: DrLab, s: TrafficSummary): void {
  t.log(describe(s));
  t.deepEqual(s.held.filter((h) => h.lost).map((h) => `#${h.id} ${h.lost!.err}`), [], 'every held connection survives');
  const persistent = Object.keys(s.servers[PERSISTENT_PORT] ?? {});
  lab.persistentRs ??= persistent[0];
  t.deepEqual(persistent, [lab.persistentRs], `:${PERSISTENT_PORT} answers come from one real server (persistence)`);
}

/** dirA back (link up, lvsd started with its config) and settled again. */
export async function recoverA(lab: DrLab): Promise<void> {
  nsExec(lab.w.lan.ns.dirA!, 'ip', ['link', 'set', 'eth0', 'up']);
  lab.a = startDirector(lab, 'dirA', lab.rs1Weight);
  await settled(lab);
}
