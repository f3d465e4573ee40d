/**
 * keepalived.conf front-end: statements (include already expanded) → Config.
 * Top-level blocks: global_defs, vrrp_instance, vrrp_sync_group, virtual_server_group,
 * virtual_server. Everything else keepalived knows is refused by name, anything else is an
 * unknown keyword with a suggestion.
 */
import { type Config, defaultsFor, formatLoc, type VirtualService, type VrrpInstance } from '../../model/index.js';
import { error, interpret, unsupported, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { buildInstance, buildServices, buildSyncGroup, syncGroupOf } from './build.js';
import { buildKeepalivedSync } from './sync.js';
import { newVs, parseVsgEntry, parseVsHead, VS_KEYWORDS, type VsDraft, type VsgDraft } from './lvs.js';
import { buildTracking, resolveTracks, scriptPolicy } from './track-build.js';
import { newRegistry, trackingDefinitions, type Registry } from './tracking.js';
import { GLOBAL_KEYWORDS, INSTANCE_KEYWORDS, newInstance, newSyncGroup, SYNC_GROUP_KEYWORDS, type GlobalDraft, type InstanceDraft, type SyncGroupDraft } from './vrrp.js';

interface Drafts {
  readonly globals: GlobalDraft;
  readonly instances: InstanceDraft[];
  readonly syncGroups: SyncGroupDraft[];
  readonly groups: Map<string, VsgDraft>;
  readonly servers: VsDraft[];
  readonly registry: Registry;
}

/** The name of a named block (`vrrp_instance NAME {`), reported when missing. */
function blockName(s: Stmt, sink: Sink): string | undefined {
  const name = s.args[0]?.text;
  if (name === undefined) error(sink, s.keyword.at, `expected a name after "${s.keyword.text}", got none`);
  return name;
}

const TOP: readonly Keyword<Drafts>[] = [
  {
    names: ['global_defs'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
    apply: (s, d, sink) => interpret(s.block?.body ?? [], GLOBAL_KEYWORDS, d.globals, { where: 'global_defs', sink }),
  },
  {
    names: ['vrrp_instance'], minArgs: 1, maxArgs: 1, block: 'required', repeat: true,
    apply: (s, d, sink) => {
      const name = blockName(s, sink);
      if (name === undefined) return;
      const inst = newInstance(name, s.keyword.at, d.registry);
      interpret(s.block?.body ?? [], INSTANCE_KEYWORDS, inst, { where: `vrrp_instance ${name}`, sink, seen: inst.written });
      d.instances.push(inst);
    },
  },
  {
    names: ['vrrp_sync_group'], minArgs: 1, maxArgs: 1, block: 'required', repeat: true,
    apply: (s, d, sink) => {
      const name = blockName(s, sink);
      if (name === undefined) return;
      const g = newSyncGroup(name, s.keyword.at, d.registry);
      interpret(s.block?.body ?? [], SYNC_GROUP_KEYWORDS, g, { where: `vrrp_sync_group ${name}`, sink });
      d.syncGroups.push(g);
    },
  },
  {
    names: ['virtual_server_group'], minArgs: 1, maxArgs: 1, block: 'required', repeat: true,
    apply: (s, d, sink) => {
      const name = blockName(s, sink);
      if (name === undefined) return;
      const prev = d.groups.get(name);
      if (prev) error(sink, s.keyword.at, `expected unique virtual_server_group names, got "${name}" again (first at ${formatLoc(prev.at)})`);
      const entries = (s.block?.body ?? []).flatMap((e) => parseVsgEntry(e, sink) ?? []);
      d.groups.set(name, { name, at: s.keyword.at, entries });
    },
  },
  {
    names: ['virtual_server'], minArgs: 1, maxArgs: 2, block: 'required', repeat: true,
    apply: (s, d, sink) => {
      const head = parseVsHead(s, sink);
      if (head === undefined) return;
      const vs = newVs(s.keyword.at, head, d.registry);
      const label = s.args.map((a) => a.text).join(' ');
      interpret(s.block?.body ?? [], VS_KEYWORDS, vs, { where: `virtual_server ${label}`, sink });
      d.servers.push(vs);
    },
  },
  ...trackingDefinitions<Drafts>((d) => d.registry),
  ...unsupported<Drafts>(
    ['bfd_instance', 'static_ipaddress', 'static_routes', 'static_rules',
      'garp_group', 'linkbeat_interfaces', 'net_namespace', 'instance', 'use_pid_dir', 'child_wait_time', 'track_group', 'SSL'],
    'not implemented yet',
  ),
];

export function interpretKeepalived(path: string, body: readonly Stmt[], sink: Sink): Config | undefined {
  const d: Drafts = { globals: { garp: {} }, instances: [], syncGroups: [], groups: new Map(), servers: [], registry: newRegistry() };
  interpret(body, TOP, d, { where: 'the top level of keepalived.conf', sink });
  const groupOf = syncGroupOf(d.syncGroups, sink);
  const resolved = resolveTracks({ instances: d.instances, syncGroups: d.syncGroups, groupOf, registry: d.registry, sink });
  const vrrp: VrrpInstance[] = [];
  for (const i of d.instances) {
    const syncGroup = groupOf.get(i.name);
    const tracks = resolved.instances.get(i.name) ?? { trackInterfaces: [], tracks: [] };
    const built = buildInstance(i, { globals: d.globals, ...(syncGroup !== undefined ? { syncGroup } : {}), tracks, sink });
    if (built) vrrp.push(built);
  }
  const services: VirtualService[] = d.servers.flatMap((vs) => buildServices(vs, { groups: d.groups, sink }));
  const sync = buildKeepalivedSync(d.globals.sync, d.instances.map((i) => ({
    instance: i.name, ...(i.vrid !== undefined ? { vrid: i.vrid } : {}), ...(i.syncIface ? { iface: i.syncIface } : {}),
  })), sink);
  const tracking = buildTracking(d.registry, resolved, sink);
  const scripts = scriptPolicy(d.globals, body, sink);
  if (sink.errors.length > 0) return undefined;
  const D = defaultsFor('keepalived');
  return {
    path,
    format: 'keepalived',
    routerId: d.globals.routerId ?? D.routerId,
    vrrp,
    syncGroups: d.syncGroups.map((g) => buildSyncGroup(g, resolved.groups.get(g.name) ?? [])),
    services,
    ipvs: D.ipvs,
    ...(sync ? { sync } : {}),
    ...(tracking ? { tracking } : {}),
    ...(scripts ? { scripts } : {}),
  };
}
