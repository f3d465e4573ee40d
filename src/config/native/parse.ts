/**
 * lvsd native format front-end: statements (include expanded) → Config. Top level:
 * `director { ... }`, `vrrp NAME { ... }`, `sync-group NAME { ... }`, `sync-daemon { ... }`,
 * `service ... { ... }`.
 * The format is documented in conf/README.md.
 */
import { type Config, defaultsFor, type IpvsSettings, type VrrpInstance } from '../../model/index.js';
import { buildInstance, buildSyncGroup, newSyncGroupDraft, syncGroupMembership, type SyncGroupDraft } from '../instance.js';
import { interpret, kw, namedBlock, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bool, oneOf } from '../values.js';
import { buildNativeService, NATIVE_SERVICE, serviceKey, type NativeService } from './service.js';
import { buildNativeSync, NATIVE_SYNC, type NativeSync } from './sync.js';
import { NATIVE_INSTANCE, NATIVE_SYNC_GROUP, nativeChoices, newNativeInstance, type NativeInstance } from './vrrp.js';

const D = defaultsFor('native');

interface Director { routerId?: string; ipvs: { -readonly [K in keyof IpvsSettings]?: IpvsSettings[K] } }

interface Drafts {
  readonly director: Director;
  readonly instances: NativeInstance[];
  readonly groups: SyncGroupDraft[];
  readonly services: NativeService[];
  sync?: NativeSync;
}

const yesNo = (field: 'ownWholeTable' | 'cleanStop') => (s: Stmt, d: Director, sink: Sink): void => {
  const v = s.args[0] && bool(sink, s.args[0], s.keyword.text);
  if (v !== undefined) d.ipvs[field] = v;
};

const DIRECTOR: readonly Keyword<Director>[] = [
  kw('router-id', 1, (s, d) => { d.routerId = s.args[0]?.text; }),
  kw('ipvs-backend', 1, (s, d, sink) => {
    const v = s.args[0] && oneOf(sink, s.args[0], { what: 'an ipvs-backend', values: ['auto', 'netlink', 'ipvsadm'] as const });
    if (v) d.ipvs.backend = v;
  }),
  kw('own-whole-table', 1, yesNo('ownWholeTable')),
  kw('clean-stop', 1, yesNo('cleanStop')),
];

const TOP: readonly Keyword<Drafts>[] = [
  {
    names: ['director'], minArgs: 0, maxArgs: 0, block: 'required',
    apply: (s, d, sink) => interpret(s.block?.body ?? [], DIRECTOR, d.director, { where: 'director', sink }),
  },
  namedBlock<Drafts, NativeInstance>('vrrp', { table: NATIVE_INSTANCE, create: newNativeInstance, add: (d, i) => d.instances.push(i), written: (i) => i.written }),
  namedBlock<Drafts, SyncGroupDraft>('sync-group', { table: NATIVE_SYNC_GROUP, create: newSyncGroupDraft, add: (d, g) => d.groups.push(g) }),
  {
    names: ['sync-daemon'], minArgs: 0, maxArgs: 0, block: 'required',
    apply: (s, d, sink) => {
      const sync: NativeSync = { at: s.keyword.at };
      interpret(s.block?.body ?? [], NATIVE_SYNC, sync, { where: 'sync-daemon', sink });
      d.sync = sync;
    },
  },
  {
    names: ['service'], minArgs: 2, maxArgs: 3, block: 'required', repeat: true,
    apply: (s, d, sink) => {
      const key = serviceKey(s, sink);
      if (key === undefined) return;
      const v: NativeService = { at: s.keyword.at, key, schedFlags: [], forward: { tunnel: {} }, reals: [], checks: [] };
      interpret(s.block?.body ?? [], NATIVE_SERVICE, v, { where: `service ${s.args.map((a) => a.text).join(' ')}`, sink });
      d.services.push(v);
    },
  },
];

export function interpretNative(path: string, body: readonly Stmt[], sink: Sink): Config {
  const d: Drafts = { director: { ipvs: {} }, instances: [], groups: [], services: [] };
  interpret(body, TOP, d, { where: 'the top level of the lvsd config', sink });
  const groupOf = syncGroupMembership(d.groups, { block: 'sync-group', sink });
  const vrrp: VrrpInstance[] = [];
  for (const i of d.instances) {
    const syncGroup = groupOf.get(i.name);
    const built = buildInstance(i, { block: 'vrrp', required: ['interface', 'vrid'], defaults: D, choices: nativeChoices(i), tracks: { trackInterfaces: i.track, tracks: [] }, ...(syncGroup !== undefined ? { syncGroup } : {}), sink });
    if (built) vrrp.push(built);
  }
  const vrids = new Map(d.instances.flatMap((i) => (i.vrid !== undefined ? [[i.name, i.vrid] as const] : [])));
  const sync = d.sync && buildNativeSync(d.sync, vrids, sink);
  // Built even with errors: the load validates what could be read, beside them (after-errors.ts).
  return {
    path,
    format: 'native',
    routerId: d.director.routerId ?? D.routerId,
    vrrp,
    syncGroups: d.groups.map((g) => buildSyncGroup(g, { defaults: D })),
    services: d.services.map(buildNativeService),
    ipvs: { ...D.ipvs, ...d.director.ipvs },
    ...(sync ? { sync } : {}),
  };
}
