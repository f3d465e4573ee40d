/**
 * keepalived.conf front-end: statements (include already expanded) → Config.
 * Top-level blocks: global_defs, vrrp_instance, vrrp_sync_group, virtual_server_group,
 * virtual_server, and the tracking definitions. Every other keyword keepalived 2.2.7 knows is
 * warned about or refused as policy.ts says (fallback.ts); anything else is an unknown keyword
 * with a suggestion.
 */
import { type Config, defaultsFor, formatLoc, type Loc, type VirtualService, type VrrpInstance } from '../../model/index.js';
import { buildInstance, buildSyncGroup, syncGroupMembership } from '../instance.js';
import { error, interpret, namedBlock, type Keyword, type Sink } from '../keywords.js';
import { correctInstance } from './corrections.js';
import { keepalivedRules } from './repeats.js';
import type { Stmt } from '../tree.js';
import { buildServices, keepalivedChoices } from './build.js';
import { buildKeepalivedSync } from './sync.js';
import { newVs, parseVsgEntry, parseVsHead, VS_KEYWORDS, type VsDraft, type VsgDraft, type VsHead } from './lvs.js';
import { withExtras } from './instance-extras.js';
import { buildFifos } from './notify-fifo.js';
import { buildTracking, resolveTracks, scriptPolicy } from './track-build.js';
import { sslKeyword, withSslFiles, type SslDraft } from './ssl.js';
import { buildStatics, newStaticDrafts, staticKeywords, type StaticDrafts } from './statics.js';
import { newRegistry, trackingDefinitions, type Registry } from './tracking.js';
import { GLOBAL_KEYWORDS, INSTANCE_KEYWORDS, newInstance, newSyncGroup, SYNC_GROUP_KEYWORDS, type GlobalDraft, type KeepalivedInstance, type KeepalivedSyncGroup } from './vrrp.js';

const D = defaultsFor('keepalived');

interface Drafts {
  readonly globals: GlobalDraft;
  readonly instances: KeepalivedInstance[];
  readonly syncGroups: KeepalivedSyncGroup[];
  readonly groups: Map<string, VsgDraft>;
  readonly servers: VsDraft[];
  readonly registry: Registry;
  readonly statics: StaticDrafts;
  ssl?: SslDraft;
}

/** The name of a named block (`vrrp_instance NAME {`), reported when missing. */
function blockName(s: Stmt, sink: Sink): string | undefined {
  const name = s.args[0]?.text;
  if (name === undefined) error(sink, s.keyword.at, `expected a name after "${s.keyword.text}", got none`);
  return name;
}

/**
 * vrrp_instance / vrrp_sync_group with a name already defined: keepalived 2.2.7 skips the block
 * ("vrrp instance VI_1 already defined", skip_block), so lvsd keeps the first and warns.
 */
function firstKept(defined: (d: Drafts) => ReadonlyArray<{ name: string; at: Loc }>, k: Keyword<Drafts>): Keyword<Drafts> {
  return {
    ...k,
    apply: (s, d, sink) => {
      const first = defined(d).find((x) => x.name === s.args[0]?.text);
      if (first === undefined) return k.apply(s, d, sink);
      sink.warnings.push({ at: s.keyword.at, message: `${s.keyword.text} ${first.name} is already defined (first at ${formatLoc(first.at)}): this block is skipped, as keepalived 2.2.7 does (and reports); give it its own name` });
    },
  };
}

export const TOP: readonly Keyword<Drafts>[] = [
  {
    names: ['global_defs'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
    apply: (s, d, sink) => interpret(s.block?.body ?? [], GLOBAL_KEYWORDS, d.globals, { where: 'global_defs', sink, ...keepalivedRules('global_defs') }),
  },
  firstKept((d) => d.instances, namedBlock<Drafts, KeepalivedInstance>('vrrp_instance', {
    table: INSTANCE_KEYWORDS, create: (name, at, d) => newInstance(name, at, d.registry), add: (d, i) => d.instances.push(i), written: (i) => i.written, ...keepalivedRules('vrrp_instance'),
  })),
  firstKept((d) => d.syncGroups, namedBlock<Drafts, KeepalivedSyncGroup>('vrrp_sync_group', {
    table: SYNC_GROUP_KEYWORDS, create: (name, at, d) => newSyncGroup(name, at, d.registry), add: (d, g) => d.syncGroups.push(g), ...keepalivedRules('vrrp_sync_group'),
  })),
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
    names: ['virtual_server'], minArgs: 1, maxArgs: 2, block: 'required', repeat: true, usage: 'IP [PORT] | fwmark N | group NAME { ... }',
    apply: (s, d, sink) => {
      const head = parseVsHead(s, sink);
      // A bad head is reported; the block is still checked (one pass), and not kept.
      const vs = newVs(s.keyword.at, head ?? placeholderHead(s), d.registry);
      const label = s.args.map((a) => a.text).join(' ');
      interpret(s.block?.body ?? [], VS_KEYWORDS, vs, { where: `virtual_server ${label}`, sink, ...keepalivedRules('virtual_server') });
      if (head !== undefined) d.servers.push(vs);
    },
    orphan: (s, d, sink) => interpret(s.block?.body ?? [], VS_KEYWORDS, newVs(s.keyword.at, placeholderHead(s), d.registry), { where: 'virtual_server', sink, ...keepalivedRules('virtual_server') }),
  },
  ...trackingDefinitions<Drafts>((d) => d.registry),
  ...staticKeywords<Drafts>((d) => d.statics),
  sslKeyword<Drafts>((d) => d.ssl, (d, ssl) => { d.ssl = ssl; }),
];

/** The head a virtual_server with an unreadable one is checked under: the kind it was written as. */
function placeholderHead(s: Stmt): VsHead {
  const kind = s.args[0]?.text;
  if (kind === 'fwmark') return { kind: 'fwmark', mark: 1 };
  if (kind === 'group') return { kind: 'group', name: s.args[1]?.text ?? '', at: s.keyword.at };
  return { kind: 'addr', ip: { address: '0.0.0.0', family: 4 }, ...(s.args[1] !== undefined ? { port: 1 } : {}) };
}

/** `hostname`: this host's name, keepalived's router_id when global_defs sets none (global_data.c init_global_data). */
export function interpretKeepalived(path: string, body: readonly Stmt[], sink: Sink, hostname?: string): Config {
  const d: Drafts = { globals: { garp: {}, fifos: {} }, instances: [], syncGroups: [], groups: new Map(), servers: [], registry: newRegistry(), statics: newStaticDrafts() };
  interpret(body, TOP, d, { where: 'the top level of keepalived.conf', sink, ...keepalivedRules('top') });
  const groupOf = syncGroupMembership(d.syncGroups, { block: 'vrrp_sync_group', sink });
  const resolved = resolveTracks({ instances: d.instances, syncGroups: d.syncGroups, groupOf, registry: d.registry, sink });
  const vrrp: VrrpInstance[] = [];
  for (const i of d.instances) {
    const syncGroup = groupOf.get(i.name);
    const tracks = resolved.instances.get(i.name) ?? { trackInterfaces: [], tracks: [] };
    correctInstance(i, sink);
    const choices = keepalivedChoices(i, { globals: d.globals, sink });
    const built = buildInstance(i, { block: 'vrrp_instance', required: ['interface', 'virtual_router_id'], defaults: D, choices, tracks, ...(syncGroup !== undefined ? { syncGroup } : {}), sink });
    if (built) vrrp.push(withExtras(built, i, { globals: d.globals, group: d.syncGroups.find((g) => g.name === syncGroup), sink }));
  }
  const services: VirtualService[] = withSslFiles(d.servers.flatMap((vs) => buildServices(vs, { groups: d.groups, sink })), d.ssl);
  const sync = buildKeepalivedSync(d.globals.sync, d.instances.map((i) => ({
    instance: i.name, ...(i.vrid !== undefined ? { vrid: i.vrid } : {}), ...(i.syncIface ? { iface: i.syncIface } : {}),
  })), sink);
  const tracking = buildTracking(d.registry, resolved, sink);
  const scripts = scriptPolicy(d.globals, body, sink);
  const notifyFifos = buildFifos(d.globals, { hasServers: services.length > 0, sink });
  const statics = buildStatics(d.statics, d.globals.defaultInterface);
  // Built even with errors: the load validates what could be read, beside them (after-errors.ts).
  return {
    path,
    format: 'keepalived',
    routerId: d.globals.routerId ?? hostname ?? D.routerId,
    vrrp,
    syncGroups: d.syncGroups.map((g) => buildSyncGroup(g, { defaults: D, tracks: resolved.groups.get(g.name) ?? [], trackingWeight: g.trackingWeight })),
    services,
    ipvs: d.globals.lvsTimeouts ? { ...D.ipvs, timeouts: d.globals.lvsTimeouts } : D.ipvs,
    ...(sync ? { sync } : {}),
    ...(tracking ? { tracking } : {}),
    ...(scripts ? { scripts } : {}),
    ...(notifyFifos.length > 0 ? { notifyFifos } : {}),
    ...(statics ? { statics } : {}),
  };
}
