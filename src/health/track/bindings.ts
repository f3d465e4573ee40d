/**
 * Which tracked objects move which VRRP instance, with which weight, as keepalived 2.2.7 wires
 * them (keepalived/vrrp/vrrp.c vrrp_complete_instance and sync_group_tracking_init,
 * keepalived/vrrp/vrrp_track.c alloc_track_*). Pure.
 *
 * - A reference's weight overrides the object's (`track_script { chk weight 10 [reverse] }`);
 *   `reverse` too. Interfaces have no weight of their own: 0 (FAULT when down).
 * - An instance in a sync group without `sync_group_tracking_weight`, and an address owner
 *   (priority 255), cannot float: weighted scripts are dropped, weighted interfaces become
 *   weight 0 in a sync group (an owner drops them), a track file of weight 1 (the default) becomes
 *   weight 0 and any other weighted one is dropped. Track processes keep their weight (2.2.7
 *   does not restrict them; for an owner the priority cannot move anyway).
 * - The group's own track_* apply to every member, weight 0 when a member is an owner. An object
 *   tracked by both the instance and its group takes the group's weight unless the instance's
 *   is 0 (for a process only the weight is taken, not `reverse`, as in add_vrrp_to_track_process).
 */
import type { Tracking, TrackRef, VrrpInstance, VrrpSyncGroup } from '../../model/index.js';

export type TrackKind = TrackRef['kind'];

export interface Binding {
  readonly kind: TrackKind;
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
  readonly via: 'instance' | 'group';
}

/** A reference that takes no part, and why (for one warning at start). */
export interface DroppedRef {
  readonly instance: string;
  readonly kind: TrackKind;
  readonly name: string;
  readonly why: string;
}

const OWNER = 255;

function defaults(kind: TrackKind, name: string, tracking: Tracking): { weight: number; reverse: boolean } | undefined {
  switch (kind) {
    case 'interface': return { weight: 0, reverse: false };
    case 'script': return tracking.scripts.find((s) => s.name === name);
    case 'file': return tracking.files.find((f) => f.name === name);
    case 'process': return tracking.processes.find((p) => p.name === name);
    default: {
      const never: never = kind;
      throw new Error(`unknown track kind ${String(never)}`);
    }
  }
}

const noun = (k: TrackKind): string => ({ script: 'vrrp_script', interface: 'interface', file: 'track_file', process: 'vrrp_track_process' })[k];

/** The restriction of an instance in a sync group without tracking weights, or of an owner. */
function restrict(b: Binding, inGroup: boolean): Binding | string {
  if (b.weight === 0) return b;
  const cause = inGroup ? 'sync group without sync_group_tracking_weight' : 'address owner (priority 255)';
  switch (b.kind) {
    case 'interface': return inGroup ? { ...b, weight: 0 } : `weighted track_interface ignored: ${cause}`;
    case 'script': return `weighted track_script ignored: ${cause}`;
    case 'file': return b.weight === 1 ? { ...b, weight: 0 } : `weighted track_file ignored: ${cause}`;
    case 'process': return b;
    default: {
      const never: never = b.kind;
      throw new Error(`unknown track kind ${String(never)}`);
    }
  }
}

function bind(ref: TrackRef, via: Binding['via'], tracking: Tracking): Binding | undefined {
  const d = defaults(ref.kind, ref.name, tracking);
  if (!d) return undefined;
  return { kind: ref.kind, name: ref.name, weight: ref.weight ?? d.weight, reverse: ref.reverse ?? d.reverse, via };
}

export interface BindingContext {
  readonly group: VrrpSyncGroup | undefined;
  readonly tracking: Tracking;
  /** Some member of the group is an address owner: the group's tracks lose their weights. */
  readonly groupHasOwner: boolean;
}

/** The bindings of one instance and the references dropped on the way. */
export function instanceBindings(inst: VrrpInstance, ctx: BindingContext): { bindings: Binding[]; dropped: DroppedRef[] } {
  const { group, tracking } = ctx;
  const owner = inst.priority === OWNER;
  const inGroupNoWeight = group !== undefined && group.trackingWeight !== true;
  const bindings: Binding[] = [];
  const dropped: DroppedRef[] = [];
  const drop = (r: TrackRef, why: string): void => void dropped.push({ instance: inst.name, kind: r.kind, name: r.name, why });
  const find = (r: TrackRef): number => bindings.findIndex((b) => b.kind === r.kind && b.name === r.name);
  for (const ref of inst.tracks ?? []) {
    if (find(ref) >= 0) continue; // keepalived: "duplicate track_* - ignoring"
    const b = bind(ref, 'instance', tracking);
    if (!b) {
      drop(ref, `no ${noun(ref.kind)} "${ref.name}"`);
      continue;
    }
    const r = inGroupNoWeight || owner ? restrict(b, inGroupNoWeight) : b;
    if (typeof r === 'string') drop(ref, r);
    else bindings.push(r);
  }
  for (const ref of group?.tracks ?? []) {
    const b = bind(ref, 'group', tracking);
    if (!b) {
      drop(ref, `no ${noun(ref.kind)} "${ref.name}"`);
      continue;
    }
    const g = ctx.groupHasOwner && b.weight !== 0 ? { ...b, weight: 0 } : b;
    const i = find(ref);
    const cur = bindings[i];
    if (i < 0 || !cur) bindings.push(g);
    else if (cur.weight !== 0) bindings[i] = ref.kind === 'process' ? { ...cur, weight: g.weight } : { ...cur, weight: g.weight, reverse: g.reverse };
  }
  return { bindings, dropped };
}

/** Every instance's bindings (by instance name) and every dropped reference. */
export function allBindings(instances: readonly VrrpInstance[], groups: readonly VrrpSyncGroup[], tracking: Tracking): { byInstance: Map<string, Binding[]>; dropped: DroppedRef[] } {
  const byInstance = new Map<string, Binding[]>();
  const dropped: DroppedRef[] = [];
  const owners = new Set(instances.filter((i) => i.priority === OWNER).map((i) => i.name));
  for (const inst of instances) {
    const group = groups.find((g) => g.members.includes(inst.name));
    const groupHasOwner = group !== undefined && group.members.some((m) => owners.has(m));
    const r = instanceBindings(inst, { group, tracking, groupHasOwner });
    byInstance.set(inst.name, r.bindings);
    dropped.push(...r.dropped);
  }
  return { byInstance, dropped };
}
