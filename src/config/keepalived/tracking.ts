/**
 * keepalived.conf tracked objects, defined at the top level: `vrrp_script`, `track_file`
 * (and its deprecated synonym `vrrp_track_file`), `vrrp_track_process`. Semantics and
 * defaults of keepalived 2.2.7 keepalived/vrrp/vrrp_parser.c, vrrp_data.c and
 * keepalived/trackers/track_file.c. keepalived looks a tracked name up when it reads the
 * reference, so a definition must come before its first use (the Registry records them in
 * reading order).
 */
import { defaultsFor, formatLoc, type Loc, type TrackFile, type TrackProcess, type TrackScript } from '../../model/index.js';
import { keepalivedRules } from './repeats.js';
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bad, decimalSecondsUs, int, oneOf } from '../values.js';
import { commandOnly } from './script.js';

const D = defaultsFor('keepalived').tracking;

export interface ScriptDraft {
  readonly name: string;
  readonly at: Loc;
  argv?: string[];
  intervalS?: number;
  timeoutS?: number;
  weight?: number;
  reverse: boolean;
  rise?: number;
  fall?: number;
  user?: string;
  group?: string;
  initFail: boolean;
}

export interface FileDraft {
  readonly name: string;
  readonly at: Loc;
  path?: string;
  weight?: number;
  reverse: boolean;
  init?: number;
  initOverwrite: boolean;
}

export interface ProcessDraft {
  readonly name: string;
  readonly at: Loc;
  process?: string;
  params?: string[];
  paramMatch?: 'exact' | 'partial' | 'initial';
  fullCommand: boolean;
  /** Current values, checked against each other as each keyword is read (vrrp_parser.c). */
  quorum: number;
  quorumMax?: number;
  weight?: number;
  reverse: boolean;
  terminateDelayUs?: number;
  forkDelayUs?: number;
}

/** Tracked objects defined so far, in reading order. */
export interface Registry {
  readonly scripts: Map<string, ScriptDraft>;
  readonly files: Map<string, FileDraft>;
  readonly processes: Map<string, ProcessDraft>;
  /** vrrp_script blocks without `script`, which keepalived removes: where each was written. */
  readonly removedScripts: Map<string, Loc>;
}

export function newRegistry(): Registry {
  return { scripts: new Map(), files: new Map(), processes: new Map(), removedScripts: new Map() };
}

/** `weight N [reverse]` of a definition, N within ±limit. */
function weightReverse(s: Stmt, limit: number, sink: Sink): { weight: number; reverse: boolean } | undefined {
  const [w, opt] = s.args;
  const weight = w && int(sink, w, { what: 'a weight', min: -limit, max: limit });
  const reverse = opt === undefined ? false : oneOf(sink, opt, { what: 'a weight option', values: ['reverse'] }) !== undefined;
  if (weight === undefined || (opt !== undefined && !reverse)) return undefined;
  return { weight, reverse };
}

/** vrrp_script interval/timeout: whole seconds; keepalived turns 0 into 1 and reports it. */
function seconds(field: 'intervalS' | 'timeoutS') {
  return (s: Stmt, d: ScriptDraft, sink: Sink): void => {
    const w = s.args[0];
    const v = w && int(sink, w, { what: `a ${s.keyword.text} in whole seconds`, min: 0, max: Math.floor((2 ** 32 - 1) / 1e6) });
    if (w && v === 0) sink.warnings.push({ at: w.at, message: `${s.keyword.text} 0 means 1 second: keepalived 2.2.7 sets it to 1 and reports it` });
    if (v !== undefined) d[field] = Math.max(1, v);
  };
}

export const SCRIPT_KEYWORDS: readonly Keyword<ScriptDraft>[] = [
  { names: ['script'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: (s, d, sink) => { const argv = commandOnly(s, sink); if (argv) d.argv = argv; } },
  kw('interval', 1, seconds('intervalS')),
  kw('timeout', 1, seconds('timeoutS')),
  { names: ['weight'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, d, sink) => { const v = weightReverse(s, 253, sink); if (v) { d.weight = v.weight; d.reverse = v.reverse; } } },
  kw('rise', 1, (s, d, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a rise count', min: 1, max: 2 ** 31 - 1 }); if (v !== undefined) d.rise = v; }),
  kw('fall', 1, (s, d, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a fall count', min: 1, max: 2 ** 31 - 1 }); if (v !== undefined) d.fall = v; }),
  { names: ['user'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, d) => { d.user = s.args[0]?.text; d.group = s.args[1]?.text; } },
  kw('init_fail', 0, (_s, d) => { d.initFail = true; }),
];

/** init_file [VALUE] [overwrite] (track_file.c track_file_init_handler). */
function initFile(s: Stmt, d: FileDraft, sink: Sink): void {
  d.init = D.fileInit;
  for (const w of s.args) {
    if (w.text === 'overwrite') { d.initOverwrite = true; continue; }
    const v = int(sink, w, { what: 'an init_file value (or "overwrite")', min: -(2 ** 31), max: 2 ** 31 - 1 });
    if (v === undefined) continue;
    if (v < -254 || v > 254) sink.warnings.push({ at: w.at, message: `init_file value ${v} is outside [-254, 254], so a VRRP instance tracking it goes to FAULT (keepalived 2.2.7 reports it and writes it anyway)` });
    d.init = v;
  }
}

export const FILE_KEYWORDS: readonly Keyword<FileDraft>[] = [
  kw('file', 1, (s, d) => { d.path = s.args[0]?.text; }),
  { names: ['weight'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, d, sink) => { const v = weightReverse(s, 254, sink); if (v) { d.weight = v.weight; d.reverse = v.reverse; } } },
  { names: ['init_file'], minArgs: 0, maxArgs: 2, block: 'none', apply: initFile },
];

function delay(field: 'terminateDelayUs' | 'forkDelayUs' | 'both') {
  return (s: Stmt, d: ProcessDraft, sink: Sink): void => {
    const us = s.args[0] && decimalSecondsUs(sink, s.args[0], { what: `a ${s.keyword.text}`, minUs: 1, maxUs: 3600e6 });
    if (us === undefined) return;
    if (field !== 'forkDelayUs') d.terminateDelayUs = us;
    if (field !== 'terminateDelayUs') d.forkDelayUs = us;
  };
}

export const PROCESS_KEYWORDS: readonly Keyword<ProcessDraft>[] = [
  {
    names: ['process'], minArgs: 1, maxArgs: Infinity, block: 'none',
    apply: (s, d) => {
      const [name, ...params] = s.args.map((w) => w.text);
      d.process = name;
      if (params.length === 0) return;
      d.params = params;
      d.paramMatch ??= 'exact';
      d.fullCommand = true;
    },
  },
  {
    names: ['param_match'], minArgs: 0, maxArgs: 1, block: 'none',
    apply: (s, d, sink) => {
      const v = s.args[0] && oneOf(sink, s.args[0], { what: 'a param_match type', values: ['initial', 'partial'] as const });
      if (s.args[0] && v === undefined) return;
      d.paramMatch = v ?? 'exact';
      d.fullCommand = true;
    },
  },
  { names: ['weight'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, d, sink) => { const v = weightReverse(s, 254, sink); if (v) { d.weight = v.weight; d.reverse = v.reverse; } } },
  kw('quorum', 1, (s, d, sink) => {
    const w = s.args[0];
    const v = w && int(sink, w, { what: 'a quorum between 1 and 65535', min: 1, max: 65535 });
    if (w && v !== undefined && d.quorumMax !== undefined && v > d.quorumMax) bad(sink, w, `a quorum no greater than quorum_max ${d.quorumMax}`);
    else if (v !== undefined) d.quorum = v;
  }),
  kw('quorum_max', 1, (s, d, sink) => {
    const w = s.args[0];
    const v = w && int(sink, w, { what: 'a quorum_max between 0 and 65535', min: 0, max: 65535 });
    if (w === undefined || v === undefined) return;
    // vrrp_parser.c: quorum_max 0 (fail while any runs) is allowed when quorum is at most 1, and sets it to 0
    if ((v > 0 || d.quorum > 1) && v < d.quorum) { bad(sink, w, `a quorum_max no less than quorum ${d.quorum}`); return; }
    d.quorumMax = v;
    d.quorum = v === 0 ? 0 : Math.max(d.quorum, 1);
  }),
  kw('delay', 1, delay('both')),
  kw('terminate_delay', 1, delay('terminateDelayUs')),
  kw('fork_delay', 1, delay('forkDelayUs')),
  kw('full_command', 0, (_s, d) => { d.fullCommand = true; }),
];

type Kind = 'vrrp_script' | 'track_file' | 'vrrp_track_process';

function define<T extends { name: string; at: Loc }>(map: Map<string, T>, d: T, kind: Kind, sink: Sink): void {
  const prev = map.get(d.name);
  if (prev) error(sink, d.at, `expected unique ${kind} names, got "${d.name}" again (first at ${formatLoc(prev.at)})`);
  else map.set(d.name, d);
}

/** The top-level definition keywords, filling `reg` as they are read. */
export function trackingDefinitions<A>(reg: (a: A) => Registry): Keyword<A>[] {
  const block = (names: string[], apply: (name: string, s: Stmt, a: A, sink: Sink) => void): Keyword<A> => ({
    names, minArgs: 1, maxArgs: 1, block: 'required', repeat: true,
    apply: (s, a, sink) => apply(s.args[0]?.text ?? '', s, a, sink),
  });
  return [
    block(['vrrp_script'], (name, s, a, sink) => {
      const d: ScriptDraft = { name, at: s.keyword.at, reverse: false, initFail: false };
      const seen = new Set<string>();
      interpret(s.block?.body ?? [], SCRIPT_KEYWORDS, d, { where: `vrrp_script ${name}`, sink, seen, ...keepalivedRules('vrrp_script') });
      // vrrp_parser.c vrrp_script_end_handler: "No script set for vrrp_script %s - removing".
      if (!seen.has('script')) {
        sink.warnings.push({ at: d.at, message: `vrrp_script ${name} has no "script": it is removed, as keepalived 2.2.7 does ("No script set for vrrp_script ${name} - removing"), and track_script entries naming it are ignored` });
        if (!reg(a).scripts.has(name)) reg(a).removedScripts.set(name, d.at);
        return;
      }
      define(reg(a).scripts, d, 'vrrp_script', sink);
    }),
    block(['track_file', 'vrrp_track_file'], (name, s, a, sink) => {
      if (s.keyword.text === 'vrrp_track_file') sink.warnings.push({ at: s.keyword.at, message: 'vrrp_track_file is deprecated: it means track_file, as in keepalived 2.2.7 (which logs so); write track_file' });
      const d: FileDraft = { name, at: s.keyword.at, reverse: false, initOverwrite: false };
      const seen = new Set<string>();
      interpret(s.block?.body ?? [], FILE_KEYWORDS, d, { where: `${s.keyword.text} ${name}`, sink, seen, ...keepalivedRules(s.keyword.text) });
      if (!seen.has('file')) error(sink, d.at, `expected "file" in ${s.keyword.text} ${name} (keepalived 2.2.7 drops it without one), got none`);
      define(reg(a).files, d, 'track_file', sink);
    }),
    block(['vrrp_track_process'], (name, s, a, sink) => {
      const d: ProcessDraft = { name, at: s.keyword.at, fullCommand: false, quorum: D.processQuorum, reverse: false };
      const seen = new Set<string>();
      interpret(s.block?.body ?? [], PROCESS_KEYWORDS, d, { where: `vrrp_track_process ${name}`, sink, seen, ...keepalivedRules('vrrp_track_process') });
      if (!seen.has('process')) error(sink, d.at, `expected "process" in vrrp_track_process ${name} (keepalived 2.2.7 drops it without one), got none`);
      define(reg(a).processes, d, 'vrrp_track_process', sink);
    }),
  ];
}

export function buildScript(d: ScriptDraft): TrackScript {
  const intervalMs = d.intervalS !== undefined ? d.intervalS * 1000 : D.scriptIntervalMs;
  return {
    name: d.name, at: d.at, argv: d.argv ?? [],
    ...(d.user !== undefined ? { user: d.user } : {}), ...(d.group !== undefined ? { group: d.group } : {}),
    intervalMs, timeoutMs: d.timeoutS !== undefined ? d.timeoutS * 1000 : D.scriptTimeoutMs ?? intervalMs,
    weight: d.weight ?? D.scriptWeight, reverse: d.reverse, rise: d.rise ?? D.rise, fall: d.fall ?? D.fall, initFail: d.initFail,
  };
}

export function buildFile(d: FileDraft): TrackFile {
  return {
    name: d.name, at: d.at, path: d.path ?? '', weight: d.weight ?? D.fileWeight, reverse: d.reverse,
    ...(d.init !== undefined ? { init: d.init, initOverwrite: d.initOverwrite } : {}),
  };
}

export function buildProcess(d: ProcessDraft): TrackProcess {
  return {
    name: d.name, at: d.at, process: d.process ?? '',
    ...(d.params ? { params: d.params } : {}), ...(d.paramMatch ? { paramMatch: d.paramMatch } : {}),
    fullCommand: d.fullCommand, quorum: d.quorum, ...(d.quorumMax !== undefined ? { quorumMax: d.quorumMax } : {}),
    weight: d.weight ?? D.processWeight, reverse: d.reverse,
    terminateDelayMs: (d.terminateDelayUs ?? 0) / 1000, forkDelayMs: (d.forkDelayUs ?? 0) / 1000,
  };
}
