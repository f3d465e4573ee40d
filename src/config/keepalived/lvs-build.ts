/**
 * Health drafts of one virtual_server → the model's RealServerHealth and ServiceHealth, with
 * the corrections keepalived 2.2.7 makes and reports (check_data.c validate_check_config):
 * a quorum above the real servers' total weight is lowered to it, a hysteresis not below the
 * quorum becomes quorum - 1, ha_suspend is cleared on fwmark services. lvsd does the same and
 * warns at the keyword.
 */
import { defaultsFor, type RealServerHealth, type ServiceHealth } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import { buildChecks } from './check-build.js';
import type { RealDraft, VsDraft } from './lvs.js';

const D = defaultsFor('keepalived');

export interface VsHealth {
  /** Per real server, in order; undefined = no health (always up). */
  readonly reals: ReadonlyArray<RealServerHealth | undefined>;
  readonly service?: ServiceHealth;
}

function fileDefault(vs: VsDraft) {
  return (name: string): { weight: number; reverse: boolean } | undefined => {
    const f = vs.registry.files.get(name);
    return f === undefined ? undefined : { weight: f.weight ?? D.tracking.fileWeight, reverse: f.reverse };
  };
}

function unknownFiles(r: RealDraft, vs: VsDraft, sink: Sink): void {
  for (const c of r.health.checks) {
    if (c.track === undefined || c.trackKnown === true) continue;
    const later = vs.registry.files.has(c.track.text);
    const hint = later ? ' (it is defined further down; keepalived 2.2.7 looks track_file names up as it reads them: move the definition up)' : '';
    error(sink, c.track.at, `expected a track_file named "${c.track.text}" defined before this FILE_CHECK, got none${hint}`);
  }
}

function realHealth(r: RealDraft, vs: VsDraft, sink: Sink): RealServerHealth | undefined {
  unknownFiles(r, vs, sink);
  const h = r.health;
  const checks = h.checks.flatMap((c) => buildChecks(c, {
    rs: { timing: h.timing, ...(h.alpha !== undefined ? { alpha: h.alpha } : {}), ...(h.virtualhost !== undefined ? { virtualhost: h.virtualhost } : {}), ip: r.ip },
    vs: { timing: vs.health.timing, alpha: vs.health.alpha, ...(vs.health.virtualhost !== undefined ? { virtualhost: vs.health.virtualhost } : {}) },
    fileDefault: fileDefault(vs),
    sink,
  }));
  if (checks.length === 0 && !h.written) return undefined;
  return {
    checks,
    inhibitOnFailure: h.inhibit ?? vs.health.inhibit,
    startDown: checks.some((c) => c.startDown),
    ...(h.notifyUp ? { notifyUp: h.notifyUp } : {}),
    ...(h.notifyDown ? { notifyDown: h.notifyDown } : {}),
  };
}

/** The real servers' configured weights as keepalived sums them for the quorum check. */
export function realWeight(r: RealDraft, vs: VsDraft): number {
  return r.weight ?? vs.health.weight ?? D.weight;
}

function quorum(vs: VsDraft, sink: Sink): { quorum: number; hysteresis: number } {
  const h = vs.health;
  const total = vs.reals.reduce((sum, r) => sum + realWeight(r, vs), 0);
  let q = h.quorum?.value ?? D.checks.quorum;
  if (q > total) {
    sink.warnings.push({ at: h.quorum?.at ?? vs.at, message: `quorum ${q} exceeds the real servers' total weight ${total}: it is lowered to ${total}, as keepalived 2.2.7 does (and reports)` });
    q = total;
  }
  let hyst = h.hysteresis?.value ?? D.checks.hysteresis;
  if (q > 0 && hyst >= q) {
    sink.warnings.push({ at: h.hysteresis?.at ?? vs.at, message: `hysteresis ${hyst} is not below the quorum ${q}: it is set to ${q - 1}, as keepalived 2.2.7 does (and reports)` });
    hyst = q - 1;
  }
  return { quorum: q, hysteresis: hyst };
}

/** ha_suspend watches the virtual address; fwmark services have none (keepalived clears it). */
function haSuspend(vs: VsDraft, hasFwmark: boolean, sink: Sink): boolean {
  const at = vs.health.haSuspend;
  if (at === undefined) return false;
  if (!hasFwmark) return true;
  sink.warnings.push({ at, message: 'ha_suspend is ignored on a fwmark virtual_server (there is no virtual address to watch); keepalived 2.2.7 clears it and reports it' });
  return false;
}

/** Health of a virtual_server and its real servers; `hasFwmark`: some service of it is a fwmark. */
export function buildVsHealth(vs: VsDraft, o: { hasFwmark: boolean; sink: Sink }): VsHealth {
  const reals = vs.reals.map((r) => realHealth(r, vs, o.sink));
  if (!reals.some((r) => r !== undefined) && !vs.health.written) return { reals };
  const h = vs.health;
  return {
    reals,
    service: {
      ...quorum(vs, o.sink),
      ...(h.quorumUp ? { quorumUp: h.quorumUp } : {}),
      ...(h.quorumDown ? { quorumDown: h.quorumDown } : {}),
      omega: h.omega,
      haSuspend: haSuspend(vs, o.hasFwmark, o.sink),
    },
  };
}
