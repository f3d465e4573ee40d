/**
 * keepalived.conf's IPVS sync daemon keywords → the model's `sync` (keepalived 2.2.7):
 *   global_defs:   lvs_sync_daemon <INTERFACE> [[inst] <VRRP_INSTANCE>] [id <SYNC_ID>]
 *                                  [maxlen <LEN>] [port <PORT>] [ttl <TTL>] [group <IP ADDR>]
 *   vrrp_instance: lvs_sync_daemon_interface <INTERFACE>   (deprecated since 1.2.19)
 * Read as global_parser.c lvs_syncd_handler and vrrp_parser.c vrrp_lvs_syncd_handler do: the
 * second word, when not an option name, is the instance (`inst` may be omitted), the third a
 * sync id (keepalived: "Please use keyword "id""). Without an instance keepalived runs master and
 * backup for as long as it runs (check_daemon.c checker_ipvs_syncd_needed); with one, the
 * daemon follows that instance's role. Where keepalived logs and carries on (a bad value, a
 * second declaration, an unknown instance) lvsd refuses.
 */
import { defaultsFor, formatLoc, type Loc, type SyncDaemonSettings } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, int, multicastGroup, port } from '../values.js';

const D = defaultsFor('keepalived');

export interface SyncDraft {
  readonly at: Loc;
  readonly iface: string;
  instance?: Word;
  syncId?: number;
  maxLen?: number;
  port?: number;
  ttl?: number;
  group?: string;
}

type Option = 'inst' | 'id' | 'maxlen' | 'port' | 'ttl' | 'group';
const OPTIONS: readonly Option[] = ['inst', 'id', 'maxlen', 'port', 'ttl', 'group'];

function setOption(d: SyncDraft, name: Option, w: Word, sink: Sink): void {
  switch (name) {
    case 'inst': d.instance = w; return;
    case 'id': { const v = int(sink, w, { what: 'a sync id', min: 0, max: 255 }); if (v !== undefined) d.syncId = v; return; }
    case 'maxlen': { const v = int(sink, w, { what: 'a sync maxlen', min: 1, max: 65507 }); if (v !== undefined) d.maxLen = v; return; }
    case 'port': { const v = port(sink, w); if (v !== undefined) d.port = v; return; }
    case 'ttl': { const v = int(sink, w, { what: 'a sync TTL', min: 1, max: 255 }); if (v !== undefined) d.ttl = v; return; }
    case 'group': { const g = multicastGroup(sink, w); if (g) d.group = g; return; }
    default: {
      const never: never = name;
      throw new Error(`unknown option ${String(never)}`);
    }
  }
}

/**
 * `lvs_sync_daemon ...` in global_defs; the keyword table has checked there is an interface.
 * Bad values are reported and the rest still read, so cross-references are checked too.
 */
export function parseLvsSyncDaemon(s: Stmt, sink: Sink): SyncDraft | undefined {
  const [iface, ...rest] = s.args;
  if (iface === undefined) return undefined;
  const d: SyncDraft = { at: s.keyword.at, iface: iface.text };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === undefined) break;
    const option = OPTIONS.find((o) => o === w.text);
    if (option !== undefined) {
      const value = rest[i + 1];
      if (value === undefined) error(sink, w.at, `expected a value after "${w.text}", got none`);
      else setOption(d, option, value, sink);
      i++;
    } else if (i === 0) {
      d.instance = w;
    } else if (i === 1 && d.instance !== undefined) {
      sink.warnings.push({ at: w.at, message: 'a sync id without "id" before it is deprecated (keepalived asks for "id N" too)' });
      setOption(d, 'id', w, sink);
    } else {
      bad(sink, w, `an lvs_sync_daemon option (${OPTIONS.join(', ')})`);
    }
  }
  return d;
}

/** `lvs_sync_daemon_interface IF` in vrrp_instance NAME. */
export interface InstanceSyncDraft {
  readonly instance: string;
  readonly vrid?: number;
  readonly iface?: Word;
}

/**
 * The model's sync settings from the global form and the deprecated instance form; at most
 * one declaration in all. The sync id defaults to the followed instance's VRID.
 */
export function buildKeepalivedSync(global: SyncDraft | undefined, instances: readonly InstanceSyncDraft[], sink: Sink): SyncDaemonSettings | undefined {
  const drafts: SyncDraft[] = global ? [global] : [];
  for (const i of instances) {
    if (i.iface === undefined) continue;
    sink.warnings.push({ at: i.iface.at, message: `lvs_sync_daemon_interface is deprecated (keepalived warns too): write "lvs_sync_daemon ${i.iface.text} ${i.instance}" in global_defs` });
    drafts.push({ at: i.iface.at, iface: i.iface.text, instance: { text: i.instance, quoted: false, at: i.iface.at } });
  }
  const [d, ...again] = [...drafts].sort((a, b) => a.at.line - b.at.line);
  for (const x of again) if (d) error(sink, x.at, `expected one sync daemon declaration (lvs_sync_daemon or lvs_sync_daemon_interface), got another (first at ${formatLoc(d.at)})`);
  if (d === undefined) return undefined;
  const name = d.instance?.text;
  const followed = instances.find((i) => i.instance === name);
  if (d.instance !== undefined && followed === undefined) {
    error(sink, d.instance.at, `expected lvs_sync_daemon to name a vrrp_instance, got "${d.instance.text}" which is not defined`);
    return undefined;
  }
  return {
    at: d.at,
    mode: name !== undefined ? { kind: 'follow', instance: name } : { kind: 'both' },
    interface: d.iface,
    syncId: d.syncId ?? followed?.vrid ?? D.sync.syncIdWithoutInstance,
    ...(d.maxLen !== undefined ? { maxLen: d.maxLen } : {}),
    group: d.group ?? D.sync.group,
    port: d.port ?? D.sync.port,
    ttl: d.ttl ?? D.sync.ttl,
  };
}
