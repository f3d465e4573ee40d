/**
 * What the ldirectord runtime sees of the HealthRunner's passes (HealthObserver), and two inputs
 * it adds to them (pure):
 *  - forced-down real servers (maintenancedir): down whatever their checks say;
 *  - the first-verdict hold: an ldirectord service joins the table once each of its real
 *    servers has a first verdict, so a restart over a programmed table takes no server out only
 *    to put it back (ldirectord adopts the servers it finds at weight > 0). Until then the
 *    kernel keeps what it has. Other formats are never held.
 */
import { realId, realKey, serviceId, type AttemptResult, type HealthEngine, type ProbePlan, type QuorumChange, type RealHealth } from '../health/index.js';
import type { Config, VirtualService } from '../model/index.js';

/** What one pass decided, before IPVS applies it. */
export interface HealthPass {
  /** Every service as IPVS will have it (real servers removed or at weight 0, sorry servers in; a held service without servers). */
  readonly services: readonly VirtualService[];
  readonly changes: readonly QuorumChange[];
  /** realKeys whose checks have not all given a first verdict yet. */
  readonly pending: ReadonlySet<string>;
}

/** Sees each pass of an ldirectord config (daemon/ldirectord/runtime.ts: fallbackcommand, e-mail alerts); must not throw. */
export interface HealthObserver {
  passed(config: Config, pass: HealthPass): void;
  /** Each attempt's result, for every (service, real server) it serves (ldirectord's monitorfile). */
  checked?(config: Config, subscribers: ProbePlan['subscribers'], result: AttemptResult): void;
}

export function forceDown(reals: ReadonlyMap<string, RealHealth>, forced: ReadonlySet<string>): ReadonlyMap<string, RealHealth> {
  if (forced.size === 0) return reals;
  const out = new Map(reals);
  for (const k of forced) out.set(k, { up: false });
  return out;
}

/** realKeys with a check that has not given a first verdict yet. */
export function pendingReals(snapshot: ReturnType<HealthEngine['snapshot']>): Set<string> {
  return new Set(snapshot.filter((r) => r.checks.some((c) => c.last === undefined)).map((r) => realKey(r.service, r.real)));
}

export class FirstVerdictHold {
  /** Services handed to IPVS at least once. */
  private readonly programmed = new Set<string>();

  /** A reload: a service no longer configured is held again if it comes back. */
  prune(config: Config): void {
    const services = new Set(config.services.map((vs) => serviceId(vs.key)));
    for (const svc of [...this.programmed]) if (!services.has(svc)) this.programmed.delete(svc);
  }

  /** Service ids to keep out of this pass; the others are programmed from now on. */
  held(config: Config, pending: ReadonlySet<string>): Set<string> {
    const held = new Set<string>();
    for (const vs of config.services) {
      const svc = serviceId(vs.key);
      if (vs.ldirectord === undefined || this.programmed.has(svc)) continue;
      if (vs.reals.some((rs) => pending.has(realKey(svc, realId(rs))))) held.add(svc);
      else this.programmed.add(svc);
    }
    return held;
  }
}
