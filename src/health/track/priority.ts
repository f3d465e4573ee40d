/**
 * An instance's effective priority and FAULT from the state of what it tracks, exactly as
 * keepalived 2.2.7 computes them (keepalived/vrrp/vrrp_track.c vrrp_set_effective_priority,
 * process_script_update_priority, initialise_*_tracking_priorities,
 * process_update_track_process_status; keepalived/trackers/track_file.c). Pure.
 *
 * - An up/down object (script, interface, process quorum) with weight w (× −1 with reverse):
 *   w > 0 adds w while up; w < 0 adds w while down; otherwise it adds nothing.
 * - Weight 0: down is FAULT (with reverse: up is FAULT). A script that has not reported yet
 *   holds the instance back (keepalived keeps it in INIT until its first result; lvsd reports
 *   that as FAULT "waiting for ...", which also keeps it silent and without VIPs).
 * - A track file: src/health/track/file-value.ts vrrpFileEffect.
 * - Effective priority = configured + the sum, limited to 1..254; an address owner (255) never
 *   moves. FAULT does not change the priority.
 */
import type { Binding, TrackKind } from './bindings.js';
import { vrrpFileEffect } from './file-value.js';

/** The state of one tracked object: up/down (undefined = not known yet), or a track file's value. */
export type ObjectState = { readonly up: boolean | undefined } | { readonly value: number };

/** Looks an object's state up; undefined = not tracked (e.g. a track file that cannot be watched). */
export type StateOf = (kind: TrackKind, name: string) => ObjectState | undefined;

export interface TrackEffect {
  readonly kind: TrackKind;
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
  /** 'up' | 'down' | 'unknown', or the track file's value as text. */
  readonly state: string;
  readonly delta: number;
  /** Why this object puts the instance in FAULT, or null. */
  readonly fault: string | null;
}

export interface InstanceTracking {
  readonly instance: string;
  readonly configured: number;
  readonly priority: number;
  /** Reasons joined, or null when no tracked object puts the instance in FAULT. */
  readonly fault: string | null;
  readonly effects: readonly TrackEffect[];
}

const OWNER = 255;

export function trackEffect(b: Binding, st: ObjectState | undefined): TrackEffect {
  const base = { kind: b.kind, name: b.name, weight: b.weight, reverse: b.reverse };
  if (st === undefined) return { ...base, state: 'unavailable', delta: 0, fault: null };
  if ('value' in st) {
    const e = vrrpFileEffect(st.value, b.weight, b.reverse);
    return { ...base, state: String(st.value), delta: e.fault ? 0 : e.contribution, fault: e.fault ? `track_file ${b.name} has value ${st.value}` : null };
  }
  const state = st.up === undefined ? 'unknown' : st.up ? 'up' : 'down';
  if (b.weight === 0) {
    if (st.up === undefined) return { ...base, state, delta: 0, fault: `waiting for the first result of ${b.kind} ${b.name}` };
    const faulty = st.up === b.reverse;
    return { ...base, state, delta: 0, fault: faulty ? `${b.kind} ${b.name} ${state}${b.reverse ? ' (reverse)' : ''}` : null };
  }
  const w = b.weight * (b.reverse ? -1 : 1);
  const counts = st.up === true ? b.weight > 0 : st.up === false ? b.weight < 0 : false;
  return { ...base, state, delta: counts ? w : 0, fault: null };
}

export function evaluateInstance(o: { instance: string; configured: number; bindings: readonly Binding[]; stateOf: StateOf }): InstanceTracking {
  const effects = o.bindings.map((b) => trackEffect(b, o.stateOf(b.kind, b.name)));
  const total = o.configured + effects.reduce((sum, e) => sum + e.delta, 0);
  const priority = o.configured === OWNER ? OWNER : Math.min(OWNER - 1, Math.max(1, total));
  const faults = effects.map((e) => e.fault).filter((f): f is string => f !== null);
  return { instance: o.instance, configured: o.configured, priority, fault: faults.length > 0 ? faults.join('; ') : null, effects };
}
