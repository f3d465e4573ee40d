/**
 * Health keywords of keepalived.conf virtual_server and real_server blocks (keepalived 2.2.7
 * keepalived/check/check_parser.c init_check_keywords): check timing defaults, alpha, omega,
 * quorum, quorum_up/down, hysteresis, inhibit_on_failure, ha_suspend, virtualhost,
 * notify_up/down, sorry_server* (smtp_alert and snmp_name are warned about as policy.ts
 * says). Drafts only; lvs-build.ts turns them into the model.
 */
import type { IpAddress, Loc, ScriptRun } from '../../model/index.js';
import { error, kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { int, ip, port } from '../values.js';
import { connectTimeout, optionalBool, timingKeywords, type CheckDraft, type TimingDraft } from './check-common.js';
import { notifyScript } from './script.js';

export interface RealHealthDraft {
  readonly timing: TimingDraft;
  readonly checks: CheckDraft[];
  alpha?: boolean;
  inhibit?: boolean;
  notifyUp?: ScriptRun;
  notifyDown?: ScriptRun;
  virtualhost?: string;
  /** Some rs-level health keyword was written (the server then carries health even without checks). */
  written: boolean;
}

export interface SorryDraft {
  readonly at: Loc;
  readonly ip: IpAddress;
  readonly port?: number;
  inhibit: boolean;
}

export interface VsHealthDraft {
  readonly timing: TimingDraft;
  alpha: boolean;
  inhibit: boolean;
  omega: boolean;
  quorum?: { value: number; at: Loc };
  hysteresis?: { value: number; at: Loc };
  quorumUp?: ScriptRun;
  quorumDown?: ScriptRun;
  virtualhost?: string;
  haSuspend?: Loc;
  /** Default real server weight (keepalived `weight` in virtual_server). */
  weight?: number;
  sorry?: SorryDraft;
  written: boolean;
}

export function newRealHealth(): RealHealthDraft {
  return { timing: {}, checks: [], written: false };
}

export function newVsHealth(): VsHealthDraft {
  return { timing: {}, alpha: false, inhibit: false, omega: false, written: false };
}

/** A flag that keepalived 2.2.7 sets on sight in virtual_server, whatever follows it. */
function vsFlag<A>(name: string, set: (a: A, at: Loc) => void): Keyword<A> {
  return {
    names: [name], minArgs: 0, maxArgs: Infinity, block: 'none',
    apply: (s, a, sink) => {
      const extra = s.args[0];
      if (extra) error(sink, extra.at, `expected nothing after "${name}" in virtual_server, got "${extra.text}" (keepalived 2.2.7 ignores it and turns ${name} on; remove the word, or the keyword to leave it off)`);
      else set(a, s.keyword.at);
    },
  };
}

export function realHealthKeywords<A>(get: (a: A) => RealHealthDraft): Keyword<A>[] {
  const mark = (a: A): RealHealthDraft => { const h = get(a); h.written = true; return h; };
  const bool = (field: 'alpha' | 'inhibit') => (s: Stmt, a: A, sink: Sink): void => { const v = optionalBool(sink, s); if (v !== undefined) mark(a)[field] = v; };
  const script = (field: 'notifyUp' | 'notifyDown') => (s: Stmt, a: A, sink: Sink): void => { const v = notifyScript(s, sink); if (v) mark(a)[field] = v; };
  return [
    ...timingKeywords<A>((a) => get(a).timing, 'server'),
    connectTimeout<A>((a, us) => { get(a).timing.connectTimeoutUs = us; }),
    { names: ['alpha'], minArgs: 0, maxArgs: 1, block: 'none', apply: bool('alpha') },
    { names: ['inhibit_on_failure'], minArgs: 0, maxArgs: 1, block: 'none', apply: bool('inhibit') },
    { names: ['notify_up'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: script('notifyUp') },
    { names: ['notify_down'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: script('notifyDown') },
    kw<A>('virtualhost', 1, (s, a) => { get(a).virtualhost = s.args[0]?.text; }),
  ];
}

/** quorum: keepalived 2.2.7 turns an invalid or 0 quorum into 1 and reports it (quorum_handler). */
function quorum<A>(get: (a: A) => VsHealthDraft): Keyword<A> {
  return kw<A>('quorum', 1, (s, a, sink) => {
    const w = s.args[0];
    if (w === undefined) return;
    if (w.text === '0') sink.warnings.push({ at: w.at, message: 'quorum 0 means 1: keepalived 2.2.7 sets it to 1 and reports it' });
    const v = w.text === '0' ? 1 : int(sink, w, { what: 'a quorum (sum of weights) between 1 and 4294967295', min: 1, max: 2 ** 32 - 1 });
    if (v !== undefined) get(a).quorum = { value: v, at: w.at };
  });
}

function sorryServer<A>(get: (a: A) => VsHealthDraft): Keyword<A> {
  return {
    names: ['sorry_server'], minArgs: 1, maxArgs: 2, block: 'none',
    apply: (s, a, sink) => {
      const [addr, p] = s.args;
      const at = addr && ip(sink, addr, 'a sorry_server address');
      const portValue = p === undefined ? undefined : port(sink, p);
      if (at === undefined || (p !== undefined && portValue === undefined)) return;
      get(a).sorry = { at: s.keyword.at, ip: at, ...(portValue !== undefined ? { port: portValue } : {}), inhibit: false };
    },
  };
}

/** virtual_server health keywords; sorry_server_lvs_method is in lvs.ts with the other forwarding keywords. */
export function vsHealthKeywords<A>(get: (a: A) => VsHealthDraft): Keyword<A>[] {
  const mark = (a: A): VsHealthDraft => { const h = get(a); h.written = true; return h; };
  const script = (field: 'quorumUp' | 'quorumDown') => (s: Stmt, a: A, sink: Sink): void => { const v = notifyScript(s, sink); if (v) mark(a)[field] = v; };
  return [
    ...timingKeywords<A>((a) => get(a).timing, 'server'),
    connectTimeout<A>((a, us) => { get(a).timing.connectTimeoutUs = us; }),
    vsFlag<A>('alpha', (a) => { get(a).alpha = true; }),
    vsFlag<A>('omega', (a) => { mark(a).omega = true; }),
    vsFlag<A>('inhibit_on_failure', (a) => { get(a).inhibit = true; }),
    vsFlag<A>('ha_suspend', (a, at) => { mark(a).haSuspend = at; }),
    quorum<A>(mark),
    kw<A>('hysteresis', 1, (s, a, sink) => {
      const w = s.args[0];
      const v = w && int(sink, w, { what: 'a hysteresis between 0 and 4294967295', min: 0, max: 2 ** 32 - 1 });
      if (w && v !== undefined) mark(a).hysteresis = { value: v, at: w.at };
    }),
    { names: ['quorum_up'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: script('quorumUp') },
    { names: ['quorum_down'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: script('quorumDown') },
    kw<A>('virtualhost', 1, (s, a) => { get(a).virtualhost = s.args[0]?.text; }),
    kw<A>('weight', 1, (s, a, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a default real server weight', min: 1, max: 65535 }); if (v !== undefined) get(a).weight = v; }),
    sorryServer<A>(get),
    kw<A>('sorry_server_inhibit', 0, (s, a, sink) => {
      const sorry = get(a).sorry;
      if (sorry) sorry.inhibit = true;
      else error(sink, s.keyword.at, 'expected sorry_server before sorry_server_inhibit, got none (keepalived 2.2.7 ignores it there)');
    }),
  ];
}
