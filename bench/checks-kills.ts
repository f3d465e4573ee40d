/**
 * Detection-time part of bench/checks: kill one farm server at a time, time its destination
 * leaving each director's kernel table (checks-watch.ts polling that one service), heal it and
 * wait until both directors have it back, then the next one. Both directors watch the same kill,
 * so every sample is paired. A random pause of up to one delay_loop before each kill spreads the
 * kills over the checkers' cycles (seeded: the same pauses in every run).
 *
 * With mode 'reset' the farm reports every attempt on the killed server, so each sample also has
 * the moment the failure became observable to that director (its first failing attempt) and the
 * attempt that decided (its last one before the destination went).
 */
import { detectPool, farmAddress, FARM_PORT, servicePortOf, VIP, type FarmLayout } from './checks-conf.js';
import type { Event, JsonChannel } from './json-channel.js';
import { rng } from '../test/lab/table.js';

export type Impl = 'lvsd' | 'keepalived';
export const IMPLS: readonly Impl[] = ['lvsd', 'keepalived'];

export interface KillObservation {
  /** The destination was already out of the table at the kill (a false down before it): no sample. */
  readonly absentAtKill?: boolean;
  /** Kill → destination gone from the table; absent when it did not go within the timeout. */
  readonly goneMs?: number;
  /** The watcher saw the change within this much before `goneMs`. */
  readonly resolutionMs?: number;
  /** Attempts on the killed server after the kill, ms after the kill (mode 'reset' only). */
  readonly attemptsMs: readonly number[];
  /** First failing attempt → gone: detection after the failure was observable. */
  readonly fromObservableMs?: number;
  /** Last attempt before gone → gone: the decision and the table update. */
  readonly fromDecidingMs?: number;
  /** Heal → destination back in the table. */
  readonly backMs?: number;
}

export interface KillSample {
  readonly server: number;
  readonly by: Readonly<Record<Impl, KillObservation>>;
}

export interface KillOptions {
  readonly farm: JsonChannel;
  readonly watch: Readonly<Record<Impl, JsonChannel>>;
  readonly source: Readonly<Record<Impl, string>>;
  readonly layout: FarmLayout;
  readonly kills: number;
  readonly mode: 'reset' | 'refuse';
  readonly delayLoopS: number;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly log: (s: string) => void;
}

/** mulberry32 (test/lab/table.ts): a small seeded PRNG in [0, 1). */
export const seeded = rng;

/** Server k of n kills from a pool of the first `pool` servers: spread evenly, all distinct while n <= pool, else in turn. */
export const victim = (k: number, n: number, pool: number): number => (n <= pool ? Math.floor(((k + 0.5) * pool) / n) : k % pool);

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const num = (e: Event, k: string): number => Number(e[k]);

function observe(o: { until: Event; killAt: number; attempts: readonly Event[]; back: Event | undefined; healAt: number }): KillObservation {
  const attemptsMs = o.attempts.map((a) => num(a, 't') - o.killAt);
  if (o.until.ok !== true) return { attemptsMs };
  const gone = num(o.until, 't');
  if (gone < o.killAt) return { attemptsMs, absentAtKill: true };
  const before = o.attempts.map((a) => num(a, 't')).filter((t) => t <= gone);
  const first = before[0];
  const last = before[before.length - 1];
  return {
    goneMs: gone - o.killAt,
    resolutionMs: num(o.until, 'resolutionMs'),
    attemptsMs,
    ...(first !== undefined ? { fromObservableMs: gone - first } : {}),
    ...(last !== undefined ? { fromDecidingMs: gone - last } : {}),
    ...(o.back?.ok === true ? { backMs: num(o.back, 't') - o.healAt } : {}),
  };
}

async function oneKill(o: KillOptions, k: number, server: number): Promise<KillSample> {
  const rip = farmAddress(server);
  const target = { vip: VIP, port: servicePortOf(o.layout, server), rip, rport: FARM_PORT };
  // both tables must hold the victim first (an overloaded checker may have taken it out by mistake)
  await Promise.all(IMPLS.map((impl) => o.watch[impl]
    .ask({ cmd: 'until', id: 1e6 + k, ...target, present: true, timeoutMs: o.timeoutMs }, 'until', o.timeoutMs + 5000, (e) => e.id === 1e6 + k)));
  const fromFarm = o.farm.events.length;
  const untilGone = Object.fromEntries(IMPLS.map((impl) => {
    const w = o.watch[impl];
    return [impl, w.ask({ cmd: 'until', id: k, ...target, present: false, timeoutMs: o.timeoutMs }, 'until', o.timeoutMs + 5000, (e) => e.id === k)];
  })) as Record<Impl, Promise<Event>>;
  const killed = await o.farm.ask({ cmd: 'kill', server, mode: o.mode }, 'killed', 10_000, (e) => e.server === server);
  const killAt = num(killed, 't');
  const gone = { lvsd: await untilGone.lvsd, keepalived: await untilGone.keepalived };
  const healed = await o.farm.ask({ cmd: 'heal', server }, 'healed', 10_000, (e) => e.server === server);
  const healAt = num(healed, 't');
  const back = await Promise.all(IMPLS.map((impl) => o.watch[impl]
    .ask({ cmd: 'until', id: -1 - k, ...target, present: true, timeoutMs: o.timeoutMs }, 'until', o.timeoutMs + 5000, (e) => e.id === -1 - k)));
  const attempts = o.farm.events.slice(fromFarm).filter((e) => e.ev === 'attempt' && e.server === server && num(e, 't') < healAt);
  const by = Object.fromEntries(IMPLS.map((impl, i) => [impl, observe({
    until: gone[impl], killAt, healAt, back: back[i],
    attempts: attempts.filter((a) => a.from === o.source[impl] || a.from === `::ffff:${o.source[impl]}`),
  })])) as Record<Impl, KillObservation>;
  return { server, by };
}

export async function runKills(o: KillOptions): Promise<KillSample[]> {
  const random = seeded(o.seed);
  const out: KillSample[] = [];
  for (let k = 0; k < o.kills; k++) {
    await pause(random() * o.delayLoopS * 1000);
    const server = victim(k, o.kills, detectPool(o.layout));
    const s = await oneKill(o, k, server);
    out.push(s);
    const show = (x: KillObservation): string => (x.absentAtKill ? 'absent at the kill' : x.goneMs === undefined ? 'NOT GONE' : `${x.goneMs.toFixed(1)} ms`
      + (x.fromObservableMs !== undefined ? ` (${x.fromObservableMs.toFixed(1)} after the 1st failing attempt, ${(x.fromDecidingMs ?? NaN).toFixed(1)} after the last)` : ''));
    o.log(`  kill ${k + 1}/${o.kills} server ${farmAddress(server)}: lvsd ${show(s.by.lvsd)}; keepalived ${show(s.by.keepalived)}`);
  }
  return out;
}
