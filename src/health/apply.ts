/**
 * Check states → the desired virtual services handed to the reconciler (pure).
 *
 * The output is the config model's `VirtualService[]` with each real server's weight set, or the
 * real server left out, as its health says; `ipvs/desired.ts` turns it into kernel objects and
 * `ipvs/reconcile.ts` into the minimal operations. Rules, after keepalived 2.2.7
 * (check/ipwrapper.c):
 *  - a real server is alive when all its checks are up (no checks: always alive); its
 *    effective weight is the dynamic weight a check reported (MISC_CHECK misc_dynamic), else
 *    its configured weight, plus the deltas its FILE_CHECKs report (track file value × weight,
 *    keepalived check_file.c / track_file.c: added to the effective weight), limited to
 *    0..65535 as keepalived's real_weight() limits it for IPVS;
 *  - a dead real server is removed, or kept at weight 0 with `inhibitOnFailure` (established
 *    connections finish);
 *  - quorum (update_quorum_state): the sum of alive effective weights. Starting: up when
 *    sum >= quorum + hysteresis. While up: lost when sum is 0 or < quorum - hysteresis. While
 *    down: gained when sum >= quorum + hysteresis;
 *  - the sorry server is in the table exactly while quorum is down; then the alive real
 *    servers leave the table (or sit at weight 0 with inhibit: perform_quorum_state deletes
 *    them, and a delete of an inhibited server is a weight-0 edit). While quorum is up the
 *    sorry server is absent, or at weight 0 with `sorry.inhibit` (sorry_server_inhibit). With
 *    the default quorum 1 and hysteresis 0 this is "present only while no real server is up";
 *  - operator overrides come last: `drain` sets weight 0 on a server that is in the table
 *    (a removed server stays removed); `enable` is the absence of an override. Overrides do
 *    not count in quorum (an operator draining servers does not summon the sorry server).
 */
import type { RealServer, VirtualService } from '../model/index.js';
import { realId, realKey, serviceId } from './plan.js';

export interface RealHealth {
  readonly up: boolean;
  /** Dynamic weight; absent = the configured weight. */
  readonly weight?: number;
  /** Added to the (dynamic or configured) weight; absent = 0. */
  readonly weightDelta?: number;
}

export type QuorumState = 'up' | 'down';
export type Override = 'drain';

export interface HealthInputs {
  /** By realKey (plan.ts); a real server missing here has no checks and is alive. */
  readonly reals: ReadonlyMap<string, RealHealth>;
  /** By realKey. */
  readonly overrides: ReadonlyMap<string, Override>;
  /** Quorum states from the previous call, by service id; empty on the first call. */
  readonly quorum: ReadonlyMap<string, QuorumState>;
}

export interface QuorumChange {
  readonly service: string;
  /** Absent on the first evaluation (keepalived logs "Starting with quorum up/down"). */
  readonly from?: QuorumState;
  readonly to: QuorumState;
  readonly weightSum: number;
  readonly threshold: number;
}

export interface AppliedHealth {
  readonly services: VirtualService[];
  readonly quorum: ReadonlyMap<string, QuorumState>;
  /** One entry per service whose quorum state is new or changed (for quorum_up/quorum_down). */
  readonly changes: readonly QuorumChange[];
}

const DEFAULT_QUORUM = 1;
/** IP_VS weights are 0..65535 (keepalived IPVS_WEIGHT_MAX). */
const WEIGHT_MAX = 65535;

/** keepalived update_quorum_state, as a function of the previous state. */
export function nextQuorum(prev: QuorumState | undefined, weightSum: number, quorum: number, hysteresis: number): { state: QuorumState; threshold: number } {
  if (prev === 'up') {
    const threshold = quorum - hysteresis;
    return { state: weightSum === 0 || weightSum < threshold ? 'down' : 'up', threshold };
  }
  const threshold = quorum + hysteresis;
  return { state: weightSum >= threshold ? 'up' : 'down', threshold };
}

interface Judged {
  readonly rs: RealServer;
  readonly key: string;
  readonly alive: boolean;
  readonly weight: number;
}

function judge(vs: VirtualService, svc: string, reals: ReadonlyMap<string, RealHealth>): Judged[] {
  return vs.reals.map((rs) => {
    const key = realKey(svc, realId(rs));
    const h = reals.get(key);
    const weight = (h?.weight ?? rs.weight) + (h?.weightDelta ?? 0);
    return { rs, key, alive: h?.up ?? true, weight: Math.min(WEIGHT_MAX, Math.max(0, weight)) };
  });
}

function placed(j: Judged, inTable: boolean): RealServer | undefined {
  if (inTable) return j.weight === j.rs.weight ? j.rs : { ...j.rs, weight: j.weight };
  return j.rs.health?.inhibitOnFailure === true ? { ...j.rs, weight: 0 } : undefined;
}

function override(rs: RealServer, svc: string, overrides: ReadonlyMap<string, Override>): RealServer {
  return overrides.get(realKey(svc, realId(rs))) === 'drain' && rs.weight !== 0 ? { ...rs, weight: 0 } : rs;
}

export function applyHealth(services: readonly VirtualService[], inputs: HealthInputs): AppliedHealth {
  const quorum = new Map<string, QuorumState>();
  const changes: QuorumChange[] = [];
  const out = services.map((vs) => {
    const svc = serviceId(vs.key);
    const judged = judge(vs, svc, inputs.reals);
    const weightSum = judged.reduce((s, j) => s + (j.alive ? j.weight : 0), 0);
    const prev = inputs.quorum.get(svc);
    const q = nextQuorum(prev, weightSum, vs.health?.quorum ?? DEFAULT_QUORUM, vs.health?.hysteresis ?? 0);
    quorum.set(svc, q.state);
    if (q.state !== prev) changes.push({ service: svc, ...(prev ? { from: prev } : {}), to: q.state, weightSum, threshold: q.threshold });
    const sorryOn = q.state === 'down' && vs.sorry !== undefined;
    const reals: RealServer[] = [];
    for (const j of judged) {
      const rs = placed(j, j.alive && !sorryOn);
      if (rs !== undefined) reals.push(override(rs, svc, inputs.overrides));
    }
    if (vs.sorry !== undefined && (sorryOn || vs.sorry.inhibit)) {
      const s = sorryOn ? vs.sorry.server : { ...vs.sorry.server, weight: 0 };
      reals.push(override(s, svc, inputs.overrides));
    }
    return { ...vs, reals };
  });
  return { services: out, quorum, changes };
}
