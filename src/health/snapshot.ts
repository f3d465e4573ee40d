/**
 * What `lvsctl checks [--json]` shows, per real server (pure): each check's kind, target, state,
 * since when, and the last attempt with its reason text and latency. Plain JSON-ready data.
 */
import type { Us } from '../clock.js';
import type { FailReason } from './checker.js';
import type { RealHealth } from './apply.js';
import type { CheckState } from './hysteresis.js';
import { hostPort, type HealthPlan, type ProbePlan } from './plan.js';
import type { ProbeView } from './scheduler.js';

export interface CheckSnapshot {
  readonly index: number;
  readonly kind: ProbePlan['probe']['kind'];
  /** Where the probe goes ("10.0.0.2:80"; connect_ip/connect_port applied). */
  readonly target: string;
  readonly state: CheckState;
  /** Monotonic µs of the last state change (or of the probe's start). */
  readonly sinceUs: Us;
  /** How long the check has been in this state, in ms. */
  readonly forMs: number;
  /** Virtual services sharing this probe (1 = not shared). */
  readonly sharedBy: number;
  /** lvsd --watch-connections: whether the target's watch connection is established; absent = not watched. */
  readonly watch?: 'connected' | 'not connected';
  /** Rise/fall progress: passes while down, failures while up. */
  readonly passes: number;
  readonly fails: number;
  readonly last?: {
    readonly ok: boolean;
    readonly reason?: FailReason;
    /** "HTTP 503", "timeout after 3 s", "connection refused", "ok". */
    readonly detail: string;
    readonly latencyMs: number;
    readonly agoMs: number;
  };
}

export interface RealSnapshot {
  readonly service: string;
  readonly real: string;
  readonly up: boolean;
  /** Dynamic weight (misc_dynamic); absent = the configured weight. */
  readonly weight?: number;
  /** Sum of FILE_CHECK deltas added to the weight. */
  readonly weightDelta?: number;
  readonly checks: readonly CheckSnapshot[];
}

/** A probe's watch state (lvsd --watch-connections); undefined = not watched. */
export type WatchOf = (key: string) => CheckSnapshot['watch'];

function checkOf(index: number, v: ProbeView, nowUs: Us, watch: CheckSnapshot['watch']): CheckSnapshot {
  const r = v.last?.result;
  return {
    index,
    kind: v.plan.probe.kind,
    target: hostPort(v.plan.address, v.plan.port),
    state: v.h.state,
    sinceUs: v.sinceUs,
    forMs: Math.max(0, Math.round((nowUs - v.sinceUs) / 1000)),
    sharedBy: v.plan.subscribers.length,
    ...(watch !== undefined ? { watch } : {}),
    passes: v.h.passes,
    fails: v.h.fails,
    ...(v.last && r
      ? {
          last: {
            ok: r.ok,
            ...(r.ok ? {} : { reason: r.reason }),
            detail: r.ok ? (r.detail ?? 'ok') : r.detail,
            latencyMs: Math.round(r.latencyMs * 10) / 10,
            agoMs: Math.max(0, Math.round((nowUs - v.last.atUs) / 1000)),
          },
        }
      : {}),
  };
}

export function snapshotOf(
  plan: HealthPlan, probe: (key: string) => ProbeView | undefined, reals: ReadonlyMap<string, RealHealth>, nowUs: Us, watchOf: WatchOf = () => undefined,
): RealSnapshot[] {
  const out: RealSnapshot[] = [];
  for (const [rk, keys] of plan.reals) {
    const cut = rk.lastIndexOf('|');
    const h = reals.get(rk);
    const checks: CheckSnapshot[] = [];
    keys.forEach((key, i) => {
      const v = probe(key);
      if (v !== undefined) checks.push(checkOf(i, v, nowUs, watchOf(key)));
    });
    out.push({
      service: rk.slice(0, cut), real: rk.slice(cut + 1), up: h?.up ?? true,
      ...(h?.weight !== undefined ? { weight: h.weight } : {}), ...(h?.weightDelta !== undefined ? { weightDelta: h.weightDelta } : {}), checks,
    });
  }
  return out;
}
