/**
 * What `lvsctl checks` receives (pure): every virtual service of the running config with its
 * quorum state, and every real server (the sorry server last) with its checks from the
 * engine's snapshot, its weight in the table lvsd wants now, and the operator's override.
 */
import type { Override, QuorumState, RealSnapshot } from '../health/index.js';
import { realId, realKey, serviceId } from '../health/index.js';
import type { RealServer, VirtualService } from '../model/index.js';
import type { RealCheckStatus, ServiceChecks } from '../control/index.js';

export interface ChecksInputs {
  readonly services: readonly VirtualService[];
  readonly snapshot: readonly RealSnapshot[];
  readonly overrides: ReadonlyMap<string, Override>;
  /** Weight per realKey in the last table handed to IPVS; absent = not in the table. */
  readonly table: ReadonlyMap<string, number>;
  readonly quorum: ReadonlyMap<string, QuorumState>;
  /** Wall-clock now (ms since the epoch), for each check's `since`. */
  readonly nowMs: number;
}

export function checksStatus(i: ChecksInputs): ServiceChecks[] {
  const snaps = new Map(i.snapshot.map((s) => [realKey(s.service, s.real), s]));
  return i.services.map((vs) => {
    const service = serviceId(vs.key);
    const one = (rs: RealServer, sorry: boolean): RealCheckStatus => {
      const key = realKey(service, realId(rs));
      const snap = snaps.get(key);
      return {
        realServer: realId(rs),
        sorry,
        up: snap?.up ?? true,
        configuredWeight: rs.weight,
        weight: i.table.get(key) ?? null,
        override: i.overrides.get(key) ?? null,
        checks: (snap?.checks ?? []).map((c) => ({ ...c, since: new Date(i.nowMs - c.forMs).toISOString() })),
      };
    };
    const reals = vs.reals.map((rs) => one(rs, false));
    if (vs.sorry) reals.push(one(vs.sorry.server, true));
    return { service, quorum: i.quorum.get(service) ?? 'up', reals };
  });
}

/** Weight per realKey of the services handed to IPVS. */
export function tableWeights(services: readonly VirtualService[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const vs of services) {
    const service = serviceId(vs.key);
    for (const rs of vs.reals) out.set(realKey(service, realId(rs)), rs.weight);
  }
  return out;
}
