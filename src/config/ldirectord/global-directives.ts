/**
 * Global ldirectord.cf directives (column 0), and the readers shared with virtual blocks
 * (the "both" directives of keywords.ts). Each entry applies ldirectord 4.12's reading of the
 * value (values.ts); deprecated `timeout` and `connecttimeout`, which ldirectord refuses, are
 * read as their replacements with a warning.
 */
import { nearest } from '../suggest.js';
import { readFallback, resolveFallback } from './address.js';
import type { Directive } from './blocks.js';
import type { GlobalDraft, ResolvedFallback, SharedDraft } from './drafts.js';
import { scopeOf, KNOWN_NAMES } from './keywords.js';
import type { NameService } from './names.js';
import { shellWords } from './shell-words.js';
import {
  digits, emailAlert, emailAlertFreq, emailAlertStatus, errorAt, quoted, rest, smtpHost, take, warnAt, yesNo,
  type Read, type Report,
} from './values.js';

export interface Ctx {
  readonly report: Report;
  readonly ns: NameService;
}

export type Apply<A> = (d: Directive, acc: A, ctx: Ctx) => void;

export function set<A, T>(read: (v: string) => Read<T>, put: (acc: A, v: T, d: Directive, ctx: Ctx) => void): Apply<A> {
  return (d, acc, ctx) => {
    const v = take(ctx.report, d, read);
    if (v !== undefined) put(acc, v, d, ctx);
  };
}

export function command(what: string, unquote: (v: string) => Read<string>): (v: string) => Read<readonly string[]> {
  return (v) => {
    const r = unquote(v);
    return r.ok ? shellWords(r.value, what) : r;
  };
}

const DEPRECATED_CHECKCOUNT = 'checkcount is deprecated (ldirectord warns too: "slated for removal, please see failurecount"); it is the number of ping attempts';

/** The "both" directives; `fallback` and `fallbackcommand` differ per scope and are in each table. */
export const SHARED: Readonly<Record<string, Apply<SharedDraft>>> = {
  checktimeout: set(digits('checktimeout'), (a, v) => { a.checkTimeoutS = v; }),
  negotiatetimeout: set(digits('negotiatetimeout'), (a, v) => { a.negotiateTimeoutS = v; }),
  connecttimeout: set(digits('connecttimeout'), (a, v, d, ctx) => {
    a.negotiateTimeoutS = v;
    warnAt(ctx.report, d.at, 'connecttimeout is refused by ldirectord 4.12 ("deprecated in favour of negotiatetimeout"); lvsd reads it as negotiatetimeout');
  }),
  checkinterval: set(digits('checkinterval'), (a, v, d) => { a.checkIntervalS = { value: v, at: d.at }; }),
  checkcount: set(digits('checkcount'), (a, v, d, ctx) => { a.checkCount = v; warnAt(ctx.report, d.at, DEPRECATED_CHECKCOUNT); }),
  failurecount: set(digits('failurecount'), (a, v) => { a.failureCount = v; }),
  quiescent: set(yesNo('quiescent'), (a, v) => { a.quiescent = v; }),
  cleanstop: set(yesNo('cleanstop'), (a, v) => { a.cleanStop = v; }),
  emailalert: set(emailAlert, (a, v) => { a.emailAlert = v; }),
  emailalertfreq: set(emailAlertFreq, (a, v) => { a.emailAlertFreqS = v; }),
  emailalertstatus: set(emailAlertStatus, (a, v) => { a.emailAlertStatus = v; }),
  smtp: set(smtpHost, (a, v) => { a.smtp = v; }),
};

function globalFallback(d: Directive, acc: GlobalDraft, ctx: Ctx): void {
  const f = take(ctx.report, d, readFallback);
  if (f === undefined) return;
  const family = d.name === 'fallback6' ? 6 : 4;
  const both: ResolvedFallback[] = [];
  for (const protocol of ['tcp', 'udp']) {
    const r = resolveFallback(f, { protocol, family, ns: ctx.ns });
    if (!r.ok) {
      errorAt(ctx.report, d.valueAt, `${r.error}${protocol === 'udp' ? ' (ldirectord resolves a global fallback port for tcp and for udp)' : ''}`);
      return;
    }
    both.push({ at: d.at, ...r.value });
  }
  const [tcp, udp] = both;
  if (tcp === undefined || udp === undefined) return;
  if (family === 4) acc.fallback4 = { tcp, udp };
  else acc.fallback6 = { tcp, udp };
}

function supervised(d: Directive, acc: GlobalDraft, ctx: Ctx): void {
  if (d.bare && d.value.trim() === '') {
    acc.supervised = true;
    warnAt(ctx.report, d.at, 'bare "supervised" is read as supervised=yes; ldirectord asks to write supervised=yes');
    return;
  }
  const v = take(ctx.report, d, yesNo('supervised'));
  if (v !== undefined) acc.supervised = v;
}

const GLOBAL: Readonly<Record<string, Apply<GlobalDraft>>> = {
  ...SHARED,
  timeout: set(digits('timeout'), (a, v, d, ctx) => {
    a.checkTimeoutS = v;
    warnAt(ctx.report, d.at, 'timeout is refused by ldirectord 4.12 ("deprecated in favour of checktimeout and negotiatetimeout"); lvsd reads it as checktimeout');
  }),
  fallback: globalFallback,
  fallback6: globalFallback,
  fallbackcommand: set(command('fallbackcommand', rest('fallbackcommand')), (a, v) => { a.fallbackCommand = v; }),
  autoreload: set(yesNo('autoreload'), (a, v) => { a.autoreload = v; }),
  // ldirectord runs the callback only when the whole value is an executable file (-x), so it has no arguments.
  callback: set(quoted('callback', { empty: true }), (a, v, d, ctx) => {
    if (v === '') delete a.callback;
    else a.callback = [v];
    if (/\s/.test(v)) warnAt(ctx.report, d.valueAt, `callback "${v}" contains a space: ldirectord runs it only if that whole text is an executable file, so with arguments it never runs; lvsd does the same`);
  }),
  logfile: set(quoted('logfile', { empty: true }), (a, v) => { a.logfile = v; }),
  // ldirectord runs `ldirectord VALUE start|stop|reload` through sh: one word after sh's quoting.
  execute: set(command('execute', rest('execute')), (a, v, d, ctx) => {
    const [name, ...more] = v;
    if (name !== undefined && more.length === 0) a.execute.push(name);
    else warnAt(ctx.report, d.valueAt, `execute "${d.value}" is ${v.length} words: ldirectord would run "ldirectord ${d.value} start", which fails; lvsd starts nothing for it`);
  }),
  fork: set(yesNo('fork'), (a, v) => { a.fork = v; }),
  supervised,
  readdquiescent: set(yesNo('readdquiescent'), (a, v) => { a.readdQuiescent = v; }),
  emailalertfrom: set(rest('emailalertfrom'), (a, v) => { a.emailAlertFrom = v; }),
  maintenancedir: set(rest('maintenancedir'), (a, v) => { a.maintenanceDir = v; }),
};

/** "unknown directive" / "not here" messages, with ldirectord's case-sensitivity hint. */
export function misplaced(d: Directive, where: 'top' | 'block', blockLine?: number): string {
  const s = scopeOf(d.name);
  if (s === 'block' && where === 'top') return `expected "${d.name}" inside a virtual block (indented by a tab or 4 spaces), got it at the top level (ldirectord: Unknown command)`;
  if (s === 'global' && where === 'block') return `expected global directive "${d.name}" at column 1 outside virtual blocks, got it inside the virtual block of line ${blockLine ?? '?'} (ldirectord: Unknown command)`;
  const guess = nearest(d.name, KNOWN_NAMES);
  const hint = guess === undefined ? '' : guess.toLowerCase() === d.name.toLowerCase() ? ` (directives are case-sensitive: "${guess}")` : ` (did you mean "${guess}"?)`;
  return `unknown directive "${d.name}"${hint} (ldirectord: Unknown command)`;
}

export function applyGlobal(d: Directive, acc: GlobalDraft, ctx: Ctx): void {
  const apply = Object.hasOwn(GLOBAL, d.name) ? GLOBAL[d.name] : undefined;
  if (apply === undefined) errorAt(ctx.report, d.at, misplaced(d, 'top'));
  else if (d.bare && d.name !== 'supervised') errorAt(ctx.report, d.at, `expected "${d.name}=VALUE", got no "=" (ldirectord: Unknown command)`);
  else apply(d, acc, ctx);
}
