/**
 * lvsd native format: `vrrp NAME { ... }` and `sync-group NAME { ... }` (conf/README.md).
 * Drafts hold what was written; defaults come from model/defaults.ts in build.
 */
import { defaultsFor, type Loc, type V3ChecksumMode, type VrrpVersion } from '../../model/index.js';
import { type InstanceChoices, type InstanceDraft, newInstanceDraft, type NotifyDraft, type NotifyField, type SyncGroupDraft, vipFromWords } from '../instance.js';
import { kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bad, bool, durationMs, int, ip, oneOf } from '../values.js';

const D = defaultsFor('native');

/** The native format's own keywords on top of what every instance draft holds. */
export interface NativeInstance extends InstanceDraft {
  /** track-interface: the interfaces whose loss puts the instance in FAULT. */
  track: string[];
  version?: VrrpVersion;
  advertCs?: number;
  preempt?: boolean;
  v3Checksum?: V3ChecksumMode;
}

const DAY_MS = 86_400_000;

function notifyKeywords<A extends { notify: NotifyDraft }>(): Keyword<A>[] {
  const set = (field: NotifyField): Keyword<A> => ({
    names: [field === 'any' ? 'notify' : `notify-${field}`], minArgs: 1, maxArgs: Infinity, block: 'none',
    apply: (s, a) => { a.notify.scripts[field] = s.args.map((w) => w.text); },
  });
  return [
    set('master'), set('backup'), set('fault'), set('stop'), set('any'),
    kw<A>('notify-timeout', 1, (s, a, sink) => {
      const ms = s.args[0] && durationMs(sink, s.args[0], { what: 'a notify-timeout', maxMs: DAY_MS });
      if (ms !== undefined && ms <= 0 && s.args[0]) bad(sink, s.args[0], 'a positive notify-timeout');
      else if (ms !== undefined) a.notify.timeoutMs = ms;
    }),
  ];
}

const VIP_EXPECTED = { address: 'a vip', option: 'a vip option "dev IF" or "label LABEL"' };

function vip(s: Stmt, i: NativeInstance, sink: Sink): void {
  const [addr, ...opts] = s.args;
  const v = addr && vipFromWords(addr, opts, { expected: VIP_EXPECTED, at: s.keyword.at, sink });
  if (v) i.vips.push(v);
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

export const NATIVE_SYNC_GROUP: readonly Keyword<SyncGroupDraft>[] = [
  { names: ['members'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true, apply: (s, g) => { g.members.push(...s.args); } },
  ...notifyKeywords<SyncGroupDraft>(),
];

export function newNativeInstance(name: string, at: Loc): NativeInstance {
  return { ...newInstanceDraft(name, at), track: [] };
}

/** The native format's meaning of an instance's version, advert interval, preemption, GARP settings and checksum. */
export function nativeChoices(i: NativeInstance): InstanceChoices {
  return {
    version: i.version ?? D.vrrpVersion,
    advertIntervalCs: i.advertCs ?? D.advertIntervalCs,
    preempt: i.preempt ?? D.preempt,
    garp: { ...D.garp, ...i.garp },
    v3Checksum: i.v3Checksum ?? D.v3Checksum,
  };
}
