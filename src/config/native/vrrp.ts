/**
 * lvsd native format: `vrrp NAME { ... }` and `sync-group NAME { ... }` (conf/README.md).
 * Drafts hold what was written; defaults come from model/defaults.ts in build.
 */
import { defaultsFor, type GarpSettings, type IpAddress, type Loc, type NotifyScripts, type V3ChecksumMode, type Vip, type VrrpInstance, type VrrpSyncGroup, type VrrpVersion } from '../../model/index.js';
import { error, kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bad, bool, durationMs, int, ip, ipWithPrefix, oneOf } from '../values.js';

const D = defaultsFor('native');

type NotifyField = 'master' | 'backup' | 'fault' | 'any';

interface NotifyDraft { scripts: Partial<Record<NotifyField, string[]>>; timeoutMs?: number }

export interface NativeInstance {
  readonly name: string;
  readonly at: Loc;
  /** Keywords present, valid or not. */
  readonly written: Set<string>;
  interface?: string;
  vrid?: number;
  priority?: number;
  state?: 'MASTER' | 'BACKUP';
  version?: VrrpVersion;
  advertCs?: number;
  preempt?: boolean;
  preemptDelayMs?: number;
  vips: Vip[];
  unicastSrc?: IpAddress;
  peers: IpAddress[];
  authPass?: string;
  track: string[];
  notify: NotifyDraft;
  garp: { -readonly [K in keyof GarpSettings]?: GarpSettings[K] };
  v3Checksum?: V3ChecksumMode;
}

export interface NativeSyncGroup { readonly name: string; readonly at: Loc; members: string[]; notify: NotifyDraft }

const DAY_MS = 86_400_000;

function notifyKeywords<A extends { notify: NotifyDraft }>(): Keyword<A>[] {
  const set = (field: NotifyField): Keyword<A> => ({
    names: [field === 'any' ? 'notify' : `notify-${field}`], minArgs: 1, maxArgs: Infinity, block: 'none',
    apply: (s, a) => { a.notify.scripts[field] = s.args.map((w) => w.text); },
  });
  return [
    set('master'), set('backup'), set('fault'), set('any'),
    kw<A>('notify-timeout', 1, (s, a, sink) => {
      const ms = s.args[0] && durationMs(sink, s.args[0], { what: 'a notify-timeout', maxMs: DAY_MS });
      if (ms !== undefined && ms <= 0 && s.args[0]) bad(sink, s.args[0], 'a positive notify-timeout');
      else if (ms !== undefined) a.notify.timeoutMs = ms;
    }),
  ];
}

function vip(s: Stmt, i: NativeInstance, sink: Sink): void {
  const [addr, ...opts] = s.args;
  const a = addr && ipWithPrefix(sink, addr, 'a vip');
  const extra: { dev?: string; label?: string } = {};
  for (let k = 0; k < opts.length; k += 2) {
    const name = opts[k];
    const value = opts[k + 1];
    if (name && (name.text === 'dev' || name.text === 'label') && value) extra[name.text] = value.text;
    else if (name) { bad(sink, name, 'a vip option "dev IF" or "label LABEL"'); return; }
  }
  if (a) i.vips.push({ address: a.address, family: a.family, prefix: a.prefix, ...extra, at: s.keyword.at });
}

function garpCount(field: 'masterRepeat' | 'refreshRepeat') {
  return (s: Stmt, i: NativeInstance, sink: Sink): void => {
    const v = s.args[0] && int(sink, s.args[0], { what: `a ${s.keyword.text} count`, min: 1, max: 255 });
    if (v !== undefined) i.garp[field] = v;
  };
}

function garpTime(field: 'masterDelayMs' | 'masterRefreshMs' | 'intervalMs') {
  return (s: Stmt, i: NativeInstance, sink: Sink): void => {
    const v = s.args[0] && durationMs(sink, s.args[0], { what: `a ${s.keyword.text}`, maxMs: field === 'intervalMs' ? 1000 : DAY_MS });
    if (v !== undefined) i.garp[field] = v;
  };
}

export const NATIVE_INSTANCE: readonly Keyword<NativeInstance>[] = [
  kw('interface', 1, (s, i) => { i.interface = s.args[0]?.text; }),
  kw('vrid', 1, (s, i, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a vrid', min: 1, max: 255 }); if (v) i.vrid = v; }),
  kw('priority', 1, (s, i, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a priority', min: 1, max: 255 }); if (v) i.priority = v; }),
  kw('state', 1, (s, i, sink) => { const v = s.args[0] && oneOf(sink, s.args[0], { what: 'an initial state', values: ['master', 'backup'] as const }); if (v) i.state = v === 'master' ? 'MASTER' : 'BACKUP'; }),
  kw('version', 1, (s, i, sink) => { const v = s.args[0] && oneOf(sink, s.args[0], { what: 'a VRRP version', values: ['2', '3'] as const }); if (v) i.version = v === '2' ? 2 : 3; }),
  kw('advert-interval', 1, (s, i, sink) => {
    const w = s.args[0];
    const ms = w && durationMs(sink, w, { what: 'an advert-interval', maxMs: 255_000 });
    if (w && ms !== undefined && (ms < 10 || ms % 10 !== 0)) bad(sink, w, 'an advert-interval in whole centiseconds (10ms steps), at least 10ms');
    else if (ms !== undefined) i.advertCs = ms / 10;
  }),
  kw('preempt', 1, (s, i, sink) => { const v = s.args[0] && bool(sink, s.args[0], 'preempt'); if (v !== undefined) i.preempt = v; }),
  kw('preempt-delay', 1, (s, i, sink) => { const v = s.args[0] && durationMs(sink, s.args[0], { what: 'a preempt-delay', maxMs: 1_000_000 }); if (v !== undefined) i.preemptDelayMs = v; }),
  { names: ['vip'], minArgs: 1, maxArgs: 5, block: 'none', repeat: true, apply: vip },
  kw('unicast-src', 1, (s, i, sink) => { const a = s.args[0] && ip(sink, s.args[0], 'a unicast-src'); if (a) i.unicastSrc = a; }),
  {
    names: ['unicast-peer'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true,
    apply: (s, i, sink) => s.args.forEach((w) => { const a = ip(sink, w, 'a unicast-peer'); if (a) i.peers.push(a); }),
  },
  kw('auth-pass', 1, (s, i) => { i.authPass = s.args[0]?.text; }),
  { names: ['track-interface'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true, apply: (s, i) => { i.track.push(...s.args.map((w) => w.text)); } },
  ...notifyKeywords<NativeInstance>(),
  kw('garp-repeat', 1, garpCount('masterRepeat')),
  kw('garp-delay', 1, garpTime('masterDelayMs')),
  kw('garp-refresh', 1, garpTime('masterRefreshMs')),
  kw('garp-refresh-repeat', 1, garpCount('refreshRepeat')),
  kw('garp-interval', 1, garpTime('intervalMs')),
  kw('v3-checksum', 1, (s, i, sink) => { const v = s.args[0] && oneOf(sink, s.args[0], { what: 'a v3-checksum mode', values: ['rfc9568', 'pseudo'] as const }); if (v) i.v3Checksum = v; }),
];

export const NATIVE_SYNC_GROUP: readonly Keyword<NativeSyncGroup>[] = [
  { names: ['members'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true, apply: (s, g) => { g.members.push(...s.args.map((w) => w.text)); } },
  ...notifyKeywords<NativeSyncGroup>(),
];

export function newNativeInstance(name: string, at: Loc): NativeInstance {
  return { name, at, written: new Set(), vips: [], peers: [], track: [], notify: { scripts: {} }, garp: {} };
}

function buildNotify(n: NotifyDraft): NotifyScripts {
  return { ...n.scripts, timeoutMs: n.timeoutMs ?? D.notifyTimeoutMs };
}

export function buildNativeInstance(i: NativeInstance, o: { syncGroup?: string; sink: Sink }): VrrpInstance | undefined {
  for (const k of ['interface', 'vrid']) {
    if (!i.written.has(k)) error(o.sink, i.at, `expected "${k}" in vrrp ${i.name}, got none`);
  }
  if (i.interface === undefined || i.vrid === undefined) return undefined;
  const family = i.vips[0]?.family ?? i.unicastSrc?.family ?? i.peers[0]?.family ?? 4;
  return {
    name: i.name,
    at: i.at,
    version: i.version ?? D.vrrpVersion,
    family,
    interface: i.interface,
    vrid: i.vrid,
    priority: i.priority ?? D.priority,
    advertIntervalCs: i.advertCs ?? D.advertIntervalCs,
    initialState: i.state ?? D.initialState,
    preempt: i.preempt ?? D.preempt,
    preemptDelayMs: i.preemptDelayMs ?? D.preemptDelayMs,
    vips: i.vips,
    ...(i.unicastSrc ? { unicastSrc: i.unicastSrc.address } : {}),
    unicastPeers: i.peers.map((p) => p.address),
    ...(i.authPass !== undefined ? { authPass: i.authPass } : {}),
    trackInterfaces: i.track,
    notify: buildNotify(i.notify),
    garp: { ...D.garp, ...i.garp },
    v3Checksum: i.v3Checksum ?? D.v3Checksum,
    ...(o.syncGroup !== undefined ? { syncGroup: o.syncGroup } : {}),
  };
}

export function buildNativeSyncGroup(g: NativeSyncGroup): VrrpSyncGroup {
  return { name: g.name, at: g.at, members: g.members, notify: buildNotify(g.notify) };
}
