/**
 * What both front-ends share about VRRP (pure): the draft of an instance as written, its
 * address family, the build into the model with a format's defaults, virtual IPs with their
 * `dev` / `label` options, and sync-group membership. Each front-end keeps its own keywords
 * and decides what its format means by them (version, advert interval, preemption, GARP
 * settings, checksum form) in `InstanceChoices`.
 */
import { type FormatDefaults, formatLoc, type GarpSettings, type IpAddress, type IpFamily, type Loc, type NotifyScripts, type TrackRef, type Vip, type VrrpInstance, type VrrpSyncGroup } from '../model/index.js';
import { error, type Sink } from './keywords.js';
import type { Word } from './lex.js';
import { bad, ipWithPrefix } from './values.js';

export type NotifyField = 'master' | 'backup' | 'fault' | 'stop' | 'any';

export interface NotifyDraft {
  scripts: Partial<Record<NotifyField, string[]>>;
  timeoutMs?: number;
}

export type GarpDraft = { -readonly [K in keyof GarpSettings]?: GarpSettings[K] };

/** An instance as written: only what the file says, no defaults. */
export interface InstanceDraft {
  readonly name: string;
  readonly at: Loc;
  /** Keywords present, valid or not (so a "missing keyword" check does not repeat a value's error). */
  readonly written: Set<string>;
  interface?: string;
  vrid?: number;
  priority?: number;
  state?: 'MASTER' | 'BACKUP';
  preemptDelayMs?: number;
  vips: Vip[];
  unicastSrc?: IpAddress;
  peers: IpAddress[];
  authPass?: string;
  notify: NotifyDraft;
  garp: GarpDraft;
}

export interface SyncGroupDraft {
  readonly name: string;
  readonly at: Loc;
  members: Word[];
  notify: NotifyDraft;
}

/** The parts of an instance whose meaning differs between formats. */
export interface InstanceChoices {
  readonly version: VrrpInstance['version'];
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  readonly garp: GarpSettings;
  readonly v3Checksum: VrrpInstance['v3Checksum'];
  readonly skipCheckAdvAddr?: VrrpInstance['skipCheckAdvAddr'];
  readonly lowerPrioNoAdvert?: VrrpInstance['lowerPrioNoAdvert'];
  readonly higherPrioSendAdvert?: VrrpInstance['higherPrioSendAdvert'];
}

export function newInstanceDraft(name: string, at: Loc): InstanceDraft {
  return { name, at, written: new Set(), vips: [], peers: [], notify: { scripts: {} }, garp: {} };
}

export function newSyncGroupDraft(name: string, at: Loc): SyncGroupDraft {
  return { name, at, members: [], notify: { scripts: {} } };
}

/** An instance's family: its first VIP's, else its unicast source's, else its first peer's, else IPv4 (keepalived does the same). */
export function draftFamily(d: InstanceDraft): IpFamily {
  return d.vips[0]?.family ?? d.unicastSrc?.family ?? d.peers[0]?.family ?? 4;
}

export function buildNotify(n: NotifyDraft, defaults: FormatDefaults): NotifyScripts {
  return { ...n.scripts, timeoutMs: n.timeoutMs ?? defaults.notifyTimeoutMs };
}

/** What an instance tracks, as its front-end resolved it. */
export interface InstanceTracks {
  readonly trackInterfaces: readonly string[];
  readonly tracks: readonly TrackRef[];
}

/**
 * The model's instance, or undefined (with an error per missing keyword) when the interface
 * or the VRID was not written. `block` names the block in messages (`vrrp_instance`, `vrrp`);
 * `required` gives the format's keywords for the interface and the VRID.
 */
export function buildInstance(
  d: InstanceDraft,
  o: { block: string; required: readonly [string, string]; defaults: FormatDefaults; choices: InstanceChoices; tracks: InstanceTracks; syncGroup?: string; sink: Sink },
): VrrpInstance | undefined {
  for (const k of o.required) {
    if (!d.written.has(k)) error(o.sink, d.at, `expected "${k}" in ${o.block} ${d.name}, got none`);
  }
  if (d.interface === undefined || d.vrid === undefined) return undefined;
  const D = o.defaults;
  return {
    name: d.name,
    at: d.at,
    family: draftFamily(d),
    interface: d.interface,
    vrid: d.vrid,
    priority: d.priority ?? D.priority,
    initialState: d.state ?? D.initialState,
    preemptDelayMs: d.preemptDelayMs ?? D.preemptDelayMs,
    vips: d.vips,
    ...(d.unicastSrc ? { unicastSrc: d.unicastSrc.address } : {}),
    unicastPeers: d.peers.map((p) => p.address),
    ...(d.authPass !== undefined ? { authPass: d.authPass } : {}),
    trackInterfaces: o.tracks.trackInterfaces,
    ...(o.tracks.tracks.length > 0 ? { tracks: o.tracks.tracks } : {}),
    notify: buildNotify(d.notify, D),
    ...o.choices,
    ...(o.syncGroup !== undefined ? { syncGroup: o.syncGroup } : {}),
  };
}

/** The model's sync group; `tracking`: what a front-end's sync-group tracking resolved to. */
export function buildSyncGroup(g: SyncGroupDraft, o: { defaults: FormatDefaults; tracks?: readonly TrackRef[]; trackingWeight?: boolean }): VrrpSyncGroup {
  return {
    name: g.name, at: g.at, members: g.members.map((m) => m.text), notify: buildNotify(g.notify, o.defaults),
    ...(o.tracks !== undefined && o.tracks.length > 0 ? { tracks: o.tracks } : {}), ...(o.trackingWeight === true ? { trackingWeight: true } : {}),
  };
}

/** instance name → its sync group; an instance listed in a second group is an error at that listing. */
export function syncGroupMembership(groups: readonly SyncGroupDraft[], o: { block: string; sink: Sink }): Map<string, string> {
  const first = new Map<string, SyncGroupDraft>();
  for (const g of groups) {
    for (const m of g.members) {
      const prev = first.get(m.text);
      if (prev) error(o.sink, m.at, `expected ${m.text} in one ${o.block}, got it in ${g.name} and in ${prev.name} (at ${formatLoc(prev.at)})`);
      else first.set(m.text, g);
    }
  }
  return new Map([...first].map(([m, g]) => [m, g.name]));
}

/**
 * A virtual IP `ADDR[/PREFIX] [dev IF] [label LABEL]`: `addr` is the address word, `options`
 * the words after it. `expected` names, for messages, the address and an option not known.
 */
export function vipFromWords(addr: Word, options: readonly Word[], o: { expected: { address: string; option: string }; at: Loc; sink: Sink }): Vip | undefined {
  const a = ipWithPrefix(o.sink, addr, o.expected.address);
  const extra: { dev?: string; label?: string } = {};
  for (let i = 0; i < options.length; i += 2) {
    const name = options[i];
    if (name === undefined) break;
    const key = name.text === 'dev' || name.text === 'label' ? name.text : undefined;
    const value = options[i + 1];
    if (key === undefined || value === undefined) {
      bad(o.sink, name, key === undefined ? o.expected.option : `a value after "${key}"`);
      return undefined;
    }
    extra[key] = value.text;
  }
  return a ? { address: a.address, family: a.family, prefix: a.prefix, ...extra, at: o.at } : undefined;
}
