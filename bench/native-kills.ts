/**
 * The kill part of the native calibrations (bench/checks native, bench/ldirectord-native): lvsd
 * alone with --debug-ipvs-memory, so "gone" is lvsd's own `ipvs.apply` log line for the change,
 * not a kernel table. Per kill of a farm server (mode 'reset': the farm reports every attempt on
 * it), from the farm's and lvsd's clocks (both CLOCK_MONOTONIC here; lvsd's wall-clock log stamps
 * are moved there by a measured offset): the first failing attempt (the failure observable),
 * lvsd's `check.state` down, and the `ipvs.apply` after it. Without emulation this is lvsd's own
 * detection overhead, to set against the configured retry x delay bound.
 */
import { wallOffsetMs } from '../test/netns/wall-clock.js';
import { waitUntil } from '../test/fixtures/wait.js';
import { farmAddress, FARM_PORT } from './checks-conf.js';
import { seeded, victim } from './checks-kills.js';
import type { JsonChannel } from './json-channel.js';
import { summarize, type Summary } from './sample-stats.js';

export interface NativeKill {
  readonly rs: string;
  /** Kill → first failing attempt (the farm's accept of it). */
  readonly firstMs: number;
  /** First failing attempt → check.state down. */
  readonly downMs: number;
  /** check.state down → the end of the ipvs.apply that followed it. */
  readonly applyMs: number;
  /** First failing attempt → the end of that apply: detection after the failure was observable. */
  readonly fromObservableMs: number;
  /** Last attempt before the apply → the end of the apply: the decision and the table op. */
  readonly fromDecidingMs: number;
  readonly attempts: number;
}

export interface NativeKillOptions {
  readonly farm: JsonChannel;
  /** lvsd's log lines so far (JSON objects, as the harness parses them). */
  readonly lines: () => readonly Record<string, unknown>[];
  readonly kills: number;
  /** Servers the kills choose from: 0 .. pool-1. */
  readonly pool: number;
  /** A random pause of up to this before each kill spreads the kills over the check cycle. */
  readonly spreadS: number;
  readonly seed: number;
  readonly log: (s: string) => void;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hrMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

export async function nativeKills(o: NativeKillOptions): Promise<NativeKill[]> {
  const offset = wallOffsetMs(hrMs);
  const at = (l: Record<string, unknown>): number => Date.parse(String(l.time)) - offset;
  const random = seeded(o.seed);
  const out: NativeKill[] = [];
  for (let k = 0; k < o.kills; k++) {
    await pause(random() * o.spreadS * 1000);
    const i = victim(k, o.kills, o.pool);
    const rs = `${farmAddress(i)}:${FARM_PORT}`;
    const fromFarm = o.farm.events.length;
    const fromLog = o.lines().length;
    const killAt = Number((await o.farm.ask({ cmd: 'kill', server: i, mode: 'reset' }, 'killed', 10_000, (e) => e.server === i)).t);
    const since = (): readonly Record<string, unknown>[] => o.lines().slice(fromLog);
    const applied = (): Record<string, unknown> | undefined => {
      const ls = since();
      const down = ls.findIndex((l) => l.event === 'check.state' && l.rs === rs && l.to === 'down');
      return down < 0 ? undefined : ls.slice(down).find((l) => l.event === 'ipvs.apply');
    };
    await waitUntil(() => applied() !== undefined, `${rs} down and applied`, 30_000, 5);
    const lines = since();
    const down = lines.find((l) => l.event === 'check.state' && l.rs === rs && l.to === 'down')!;
    const apply = applied()!;
    const attempts = o.farm.events.slice(fromFarm).filter((e) => e.ev === 'attempt' && e.server === i).map((e) => Number(e.t))
      // lvsd's log stamps are whole milliseconds (floored) and the offset between the clocks is
      // measured to about a millisecond: 5 ms of slack (the next attempt is a delay_loop away).
      .filter((t) => t <= at(apply) + 5);
    const first = attempts[0] ?? Number.NaN;
    const last = attempts.at(-1) ?? Number.NaN;
    const s: NativeKill = { rs, firstMs: first - killAt, downMs: at(down) - first, applyMs: at(apply) - at(down), fromObservableMs: at(apply) - first,
      fromDecidingMs: at(apply) - last, attempts: attempts.length };
    out.push(s);
    o.log(`  kill ${k + 1}/${o.kills} ${rs}: 1st failing attempt +${s.firstMs.toFixed(0)} ms; check.state down ${s.downMs.toFixed(1)} ms after it;`
      + ` ipvs.apply done ${s.applyMs.toFixed(1)} ms after that (${String(apply.ms)} ms, ${String(apply.scope)}); first failing attempt -> applied ${s.fromObservableMs.toFixed(1)} ms,`
      + ` deciding attempt -> applied ${s.fromDecidingMs.toFixed(1)} ms; ${s.attempts} attempts`);
    await o.farm.ask({ cmd: 'heal', server: i }, 'healed', 10_000, (e) => e.server === i);
    await waitUntil(() => since().some((l) => l.event === 'real.state' && l.rs === rs && l.to === 'up'), `${rs} up again`, 30_000, 5);
  }
  return out;
}

export function killSummary(kills: readonly NativeKill[]): { readonly fromObservable: Summary; readonly fromDeciding: Summary } {
  return { fromObservable: summarize(kills.map((k) => k.fromObservableMs)), fromDeciding: summarize(kills.map((k) => k.fromDecidingMs)) };
}
