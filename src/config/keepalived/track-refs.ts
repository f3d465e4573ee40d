/**
 * `track_interface`, `track_script`, `track_file` and `track_process` blocks in a
 * vrrp_instance or vrrp_sync_group: entries `NAME [weight N [reverse|noreverse]]` (keepalived
 * 2.2.7 keepalived/vrrp/vrrp_track.c alloc_track_*, trackers/track_file.c), and the weight
 * rules keepalived applies afterwards (vrrp.c vrrp_complete_instance, sync_group_tracking_init):
 * a sync-group member (without sync_group_tracking_weight) or an address owner (priority 255)
 * cannot have its priority moved, so keepalived clears or drops weighted tracking and reports
 * it. lvsd does the same, with a warning at the entry.
 */
import { formatLoc, type Loc, type TrackRef } from '../../model/index.js';
import { error, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, int, oneOf } from '../values.js';
import { correctedValue } from './corrected-value.js';
import type { Registry } from './tracking.js';

export type RefKind = TrackRef['kind'];

export interface RefDraft {
  readonly kind: RefKind;
  readonly word: Word;
  readonly weight?: number;
  readonly reverse?: boolean;
  /** Defined before this reference (keepalived looks names up as it reads them). */
  readonly known: boolean;
}

const KEYWORD: Readonly<Record<RefKind, string>> = { interface: 'track_interface', script: 'track_script', file: 'track_file', process: 'track_process' };
const DEFINER: Readonly<Record<Exclude<RefKind, 'interface'>, string>> = { script: 'vrrp_script', file: 'track_file', process: 'vrrp_track_process' };

function known(kind: RefKind, name: string, reg: Registry): boolean {
  if (kind === 'interface') return true;
  return (kind === 'script' ? reg.scripts : kind === 'file' ? reg.files : reg.processes).has(name);
}

/** `weight N [reverse|noreverse]` after a tracked name (interfaces take only `reverse`). */
function entryWeight(e: Stmt, kind: RefKind, sink: Sink): { weight?: number; reverse?: boolean } | undefined {
  const [kwWord, value, opt, extra] = e.args;
  if (kwWord === undefined) return {};
  if (kwWord.text !== 'weight') return bad(sink, kwWord, `"weight N" or nothing after the ${KEYWORD[kind]} entry ${e.keyword.text}`);
  if (value === undefined) { error(sink, kwWord.at, `expected a value after "weight", got none`); return undefined; }
  if (extra !== undefined) return bad(sink, extra, 'nothing more after the weight option');
  // alloc_track_if: an invalid interface weight is 0 (the interface is tracked unweighted: down means FAULT), an unknown option is ignored; both reported.
  const lenient = kind === 'interface';
  const read = (l: Sink): number | undefined => int(l, value, { what: 'a weight', min: -254, max: 254 });
  let weight = lenient ? correctedValue(sink, `it is 0, so ${e.keyword.text} is tracked without a weight (down means FAULT)`, read) : read(sink);
  if (weight === undefined) return lenient ? {} : undefined;
  if ((kind === 'interface' || kind === 'script') && Math.abs(weight) === 254) {
    sink.warnings.push({ at: value.at, message: `weight ${weight} means ${Math.sign(weight) * 253}: keepalived 2.2.7 limits ${KEYWORD[kind]} weights to ±253 and reports it` });
    weight = Math.sign(weight) * 253;
  }
  if (opt === undefined) return { weight };
  const option = (l: Sink): 'reverse' | 'noreverse' | undefined => oneOf(l, opt, { what: 'a weight option', values: kind === 'interface' ? ['reverse'] : ['reverse', 'noreverse'] });
  const o = lenient ? correctedValue(sink, 'it is ignored', option) ?? 'noreverse' : option(sink);
  return o === undefined ? undefined : { weight, reverse: o === 'reverse' };
}

/** The four track_* blocks; entries go to `refs(a)`, looked up in the registry as read so far. */
export function trackKeywords<A>(refs: (a: A) => RefDraft[], reg: (a: A) => Registry): Keyword<A>[] {
  return (['interface', 'script', 'file', 'process'] as const).map((kind): Keyword<A> => ({
    names: [KEYWORD[kind]], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
    apply: (s, a, sink) => {
      for (const e of s.block?.body ?? []) {
        if (e.block) { error(sink, e.block.open, `expected no block after the ${KEYWORD[kind]} entry ${e.keyword.text}, got "{"`); continue; }
        const w = entryWeight(e, kind, sink);
        const list = refs(a);
        const dup = list.find((r) => r.kind === kind && r.word.text === e.keyword.text);
        // vrrp_track.c / track_file.c: "duplicate track_interface %s - ignoring".
        if (dup) { sink.warnings.push({ at: e.keyword.at, message: `${e.keyword.text} is already a ${KEYWORD[kind]} entry (first at ${formatLoc(dup.word.at)}): this one is ignored, as keepalived 2.2.7 does (and reports)` }); continue; }
        const removed = kind === 'script' && !reg(a).scripts.has(e.keyword.text) ? reg(a).removedScripts.get(e.keyword.text) : undefined;
        // vrrp_track.c alloc_track_script: "(VI_1) track script NAME not found, ignoring...".
        if (removed) { sink.warnings.push({ at: e.keyword.at, message: `track_script ${e.keyword.text} is ignored: vrrp_script ${e.keyword.text} (at ${formatLoc(removed)}) has no script and was removed, as keepalived 2.2.7 does ("track script ${e.keyword.text} not found, ignoring...")` }); continue; }
        if (w !== undefined) list.push({ kind, word: e.keyword, ...w, known: known(kind, e.keyword.text, reg(a)) });
      }
    },
  }));
}

/** References to names not defined before them: errors at the name. */
export function checkRefs(refs: readonly RefDraft[], reg: Registry, sink: Sink): void {
  for (const r of refs) {
    if (r.known || r.kind === 'interface') continue;
    const definer = DEFINER[r.kind];
    const later = known(r.kind, r.word.text, reg);
    const hint = later ? ` (it is defined further down; keepalived 2.2.7 looks ${definer} names up as it reads them and ignores this entry: move the definition up)` : '';
    error(sink, r.word.at, `expected a ${definer} named "${r.word.text}" defined before this ${KEYWORD[r.kind]} entry, got none${hint}`);
  }
}

interface Resolved { kind: RefKind; name: string; at: Loc; weight: number; reverse: boolean }

function effective(r: RefDraft, reg: Registry): Resolved {
  const def = r.kind === 'script' ? reg.scripts.get(r.word.text) : r.kind === 'file' ? reg.files.get(r.word.text) : r.kind === 'process' ? reg.processes.get(r.word.text) : undefined;
  const defWeight = r.kind === 'script' ? def?.weight ?? 0 : r.kind === 'file' ? def?.weight ?? 1 : def?.weight ?? 0;
  return { kind: r.kind, name: r.word.text, at: r.word.at, weight: r.weight ?? defWeight, reverse: r.reverse ?? def?.reverse ?? false };
}

/**
 * An instance's own entries under keepalived's rules for sync-group members and address
 * owners (vrrp.c vrrp_complete_instance): weighted interfaces lose their weight (sync group)
 * or are not tracked (owner); weighted scripts are not tracked; a file's default weight 1
 * becomes 0 and other weights are not tracked. Processes keep their weights (2.2.7 does).
 */
export function instanceRefs(refs: readonly RefDraft[], o: { instance: string; fixed?: 'sync group' | 'address owner'; reg: Registry; sink: Sink }): Resolved[] {
  const out: Resolved[] = [];
  for (const r of refs.filter((x) => x.known).map((x) => effective(x, o.reg))) {
    if (o.fixed === undefined || r.weight === 0 || r.kind === 'process') { out.push(r); continue; }
    const why = o.fixed === 'sync group'
      ? `${o.instance} is in a vrrp_sync_group without sync_group_tracking_weight`
      : `${o.instance} is the address owner (priority 255)`;
    const clear = (r.kind === 'interface' && o.fixed === 'sync group') || (r.kind === 'file' && r.weight === 1);
    const effect = clear ? 'its weight is ignored: a failure means FAULT' : 'it is not tracked at all';
    o.sink.warnings.push({ at: r.at, message: `${KEYWORD[r.kind]} ${r.name} with weight ${r.weight}: ${effect}, because ${why} (keepalived 2.2.7 does the same and reports it)` });
    if (clear) out.push({ ...r, weight: 0 });
  }
  return out;
}

/** A sync group's entries; with an address owner among the members, weights are cleared (sync_group_tracking_init). */
export function groupRefs(refs: readonly RefDraft[], o: { group: string; ownerMember?: string; reg: Registry; sink: Sink }): Resolved[] {
  return refs.filter((x) => x.known).map((x) => effective(x, o.reg)).map((r) => {
    if (o.ownerMember === undefined || r.weight === 0) return r;
    o.sink.warnings.push({ at: r.at, message: `${KEYWORD[r.kind]} ${r.name} with weight ${r.weight}: its weight is ignored (a failure means FAULT) because member ${o.ownerMember} of vrrp_sync_group ${o.group} is the address owner (keepalived 2.2.7 does the same and reports it)` });
    return { ...r, weight: 0 };
  });
}

/** Split into the link tracker's FAULT-only interfaces and everything else (model VrrpInstance). */
export function partition(all: readonly Resolved[]): { trackInterfaces: string[]; tracks: TrackRef[] } {
  const trackInterfaces: string[] = [];
  const tracks: TrackRef[] = [];
  for (const r of all) {
    if (r.kind === 'interface' && r.weight === 0 && !r.reverse) { if (!trackInterfaces.includes(r.name)) trackInterfaces.push(r.name); }
    else tracks.push({ kind: r.kind, name: r.name, at: r.at, weight: r.weight, reverse: r.reverse });
  }
  return { trackInterfaces, tracks };
}
