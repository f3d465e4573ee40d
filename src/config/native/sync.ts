/**
 * lvsd native format: `sync-daemon { ... }`, the kernel IPVS connection sync daemon
 * (conf/README.md). Either `follow INSTANCE` (master on that instance's VRRP master, backup
 * elsewhere) or `active-active yes` (master and backup on every director); never both, never
 * neither. The sync id defaults to the followed instance's VRID, as keepalived's does.
 */
import { defaultsFor, type Loc, type SyncDaemonSettings } from '../../model/index.js';
import { error, kw, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import { bool, int, multicastGroup, port } from '../values.js';

const D = defaultsFor('native');

export interface NativeSync {
  readonly at: Loc;
  interface?: string;
  follow?: Word;
  activeActive?: boolean;
  syncId?: number;
  maxLen?: number;
  group?: string;
  port?: number;
  ttl?: number;
}

export const NATIVE_SYNC: readonly Keyword<NativeSync>[] = [
  kw('interface', 1, (s, d) => { d.interface = s.args[0]?.text; }),
  kw('follow', 1, (s, d) => { d.follow = s.args[0]; }),
  kw('active-active', 1, (s, d, sink) => { const v = s.args[0] && bool(sink, s.args[0], 'active-active'); if (v !== undefined) d.activeActive = v; }),
  kw('sync-id', 1, (s, d, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a sync-id', min: 0, max: 255 }); if (v !== undefined) d.syncId = v; }),
  kw('max-length', 1, (s, d, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a max-length in bytes', min: 1, max: 65507 }); if (v !== undefined) d.maxLen = v; }),
  kw('group', 1, (s, d, sink) => { const g = s.args[0] && multicastGroup(sink, s.args[0]); if (g) d.group = g; }),
  kw('port', 1, (s, d, sink) => { const v = s.args[0] && port(sink, s.args[0]); if (v !== undefined) d.port = v; }),
  kw('ttl', 1, (s, d, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a ttl', min: 1, max: 255 }); if (v !== undefined) d.ttl = v; }),
];

/** `instances`: VRRP instance name → VRID, for the default sync id. */
export function buildNativeSync(d: NativeSync, instances: ReadonlyMap<string, number>, sink: Sink): SyncDaemonSettings | undefined {
  if (d.interface === undefined) error(sink, d.at, 'expected "interface" in sync-daemon, got none');
  if (d.follow !== undefined && d.activeActive === true) error(sink, d.follow.at, 'expected either "follow INSTANCE" or "active-active yes" in sync-daemon, got both');
  if (d.follow === undefined && d.activeActive !== true) error(sink, d.at, 'expected "follow INSTANCE" or "active-active yes" in sync-daemon, got neither');
  if (d.interface === undefined || (d.follow === undefined) === (d.activeActive !== true)) return undefined;
  const name = d.follow?.text;
  const vrid = name !== undefined ? instances.get(name) : undefined;
  if (d.follow !== undefined && vrid === undefined) {
    error(sink, d.follow.at, `expected sync-daemon to follow a vrrp instance, got "${d.follow.text}" which is not defined`);
    return undefined;
  }
  return {
    at: d.at,
    mode: name !== undefined ? { kind: 'follow', instance: name } : { kind: 'both' },
    interface: d.interface,
    syncId: d.syncId ?? vrid ?? D.sync.syncIdWithoutInstance,
    ...(d.maxLen !== undefined ? { maxLen: d.maxLen } : {}),
    group: d.group ?? D.sync.group,
    port: d.port ?? D.sync.port,
    ttl: d.ttl ?? D.sync.ttl,
  };
}
