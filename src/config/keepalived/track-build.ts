/**
 * Whole-file tracking decisions for keepalived.conf: each instance's and each sync group's
 * effective tracking (track-refs.ts), the tracked objects that end up in the model, and how
 * scripts run (global_defs script_user / enable_script_security).
 */
import type { Loc, ScriptPolicy, Tracking, TrackRef } from '../../model/index.js';
import type { Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import type { InstanceTracks } from '../instance.js';
import { checkRefs, groupRefs, instanceRefs, partition } from './track-refs.js';
import { buildFile, buildProcess, buildScript, type Registry } from './tracking.js';
import type { GlobalDraft, KeepalivedInstance, KeepalivedSyncGroup } from './vrrp.js';

const OWNER = 255;

export interface ResolvedTracks {
  /** Per instance: its own entries (its sync group's are in `groups`). */
  readonly instances: Map<string, InstanceTracks>;
  /** Per sync group: its entries, which apply to every member (model VrrpSyncGroup.tracks). */
  readonly groups: Map<string, TrackRef[]>;
}

/** Resolved tracking of every instance and sync group. Unknown names are reported here, once per entry. */
export function resolveTracks(o: {
  instances: readonly KeepalivedInstance[];
  syncGroups: readonly KeepalivedSyncGroup[];
  groupOf: ReadonlyMap<string, string>;
  registry: Registry;
  sink: Sink;
}): ResolvedTracks {
  const { registry: reg, sink } = o;
  for (const x of [...o.instances, ...o.syncGroups]) checkRefs(x.refs, reg, sink);
  const priority = new Map(o.instances.map((i) => [i.name, i.priority]));
  const fromGroup = new Map(o.syncGroups.map((g) => {
    const owner = g.members.find((m) => priority.get(m.text) === OWNER)?.text;
    return [g.name, groupRefs(g.refs, { group: g.name, ...(owner !== undefined ? { ownerMember: owner } : {}), reg, sink })] as const;
  }));
  const groups = new Map(o.syncGroups.map((g) => [g.name, g]));
  const instances = new Map<string, InstanceTracks>();
  for (const i of o.instances) {
    const groupName = o.groupOf.get(i.name);
    const g = groupName === undefined ? undefined : groups.get(groupName);
    const fixed = g !== undefined && !g.trackingWeight ? 'sync group' : i.priority === OWNER ? 'address owner' : undefined;
    instances.set(i.name, partition(instanceRefs(i.refs, { instance: i.name, ...(fixed ? { fixed } : {}), reg, sink })));
  }
  const asRefs = (rs: ReturnType<typeof groupRefs>): TrackRef[] => rs.map((r) => ({ kind: r.kind, name: r.name, at: r.at, weight: r.weight, reverse: r.reverse }));
  return { instances, groups: new Map([...fromGroup].map(([name, rs]) => [name, asRefs(rs)])) };
}

/**
 * The tracked objects in the model. A vrrp_script nothing tracks never runs: keepalived 2.2.7
 * drops it with "Warning - script X is not used" (vrrp.c vrrp_complete_init), lvsd too. Track
 * files stay even when unused (keepalived writes their init_file value at start), and so do
 * processes (the engine follows only the tracked ones).
 */
export function buildTracking(reg: Registry, resolved: ResolvedTracks, sink: Sink): Tracking | undefined {
  if (reg.scripts.size + reg.files.size + reg.processes.size === 0) return undefined;
  const refs = [...[...resolved.instances.values()].flatMap((t) => t.tracks), ...[...resolved.groups.values()].flat()];
  const used = new Set(refs.filter((r) => r.kind === 'script').map((r) => r.name));
  for (const s of reg.scripts.values()) {
    if (!used.has(s.name)) sink.warnings.push({ at: s.at, message: `vrrp_script ${s.name} is not tracked by any vrrp_instance or vrrp_sync_group, so it never runs (keepalived 2.2.7 drops it and reports it)` });
  }
  return {
    scripts: [...reg.scripts.values()].filter((s) => used.has(s.name)).map(buildScript),
    files: [...reg.files.values()].map(buildFile),
    processes: [...reg.processes.values()].map(buildProcess),
  };
}

/** Keywords whose value is a script keepalived runs (and checks under enable_script_security). */
const SCRIPT_KEYWORDS = new Set(['script', 'misc_path', 'notify_up', 'notify_down', 'quorum_up', 'quorum_down', 'notify', 'notify_master', 'notify_backup', 'notify_fault']);

function firstScript(body: readonly Stmt[]): Loc | undefined {
  for (const s of body) {
    if (SCRIPT_KEYWORDS.has(s.keyword.text) && s.args.length > 0) return s.keyword.at;
    const inner = s.block ? firstScript(s.block.body) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/**
 * global_defs script_user / enable_script_security. Without enable_script_security keepalived
 * 2.2.7 still runs the scripts but `keepalived -t` fails with "SECURITY VIOLATION - scripts
 * are being executed but script_security not enabled"; lvsd warns at the first script.
 */
export function scriptPolicy(g: GlobalDraft, body: readonly Stmt[], sink: Sink): ScriptPolicy | undefined {
  const at = g.scriptSecurity ? undefined : firstScript(body);
  if (at) {
    sink.warnings.push({ at, message: 'scripts run without enable_script_security: as script_user (default keepalived_script if that user exists, else root), and nobody checks who may modify them; keepalived 2.2.7 does the same and reports a SECURITY VIOLATION' });
  }
  if (g.scriptUser === undefined && g.scriptSecurity === undefined) return undefined;
  return { ...(g.scriptUser ?? {}), security: g.scriptSecurity ?? false };
}
