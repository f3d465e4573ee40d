/**
 * Value readers for ldirectord.cf directives, each reproducing the regular expression
 * ldirectord 4.12 applies to the value (quoted in each comment), so a value means here what
 * it means there. A reader returns the value, or why ldirectord refuses it; `note` marks a
 * value ldirectord accepts but reads differently from how it looks (we warn and keep its meaning).
 */
import type { Diagnostic, LdirectordDaemonState, Loc } from '../../model/index.js';
import type { Directive } from './blocks.js';

export type Read<T> = { readonly ok: true; readonly value: T; readonly note?: string } | { readonly ok: false; readonly error: string };

export const ok = <T>(value: T, note?: string): Read<T> => (note === undefined ? { ok: true, value } : { ok: true, value, note });
export const no = <T>(error: string): Read<T> => ({ ok: false, error });

/** Where readers report. */
export interface Report {
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
}

export function warnAt(r: Report, at: Loc, message: string): void {
  r.warnings.push({ at, message });
}

export function errorAt(r: Report, at: Loc, message: string): void {
  r.errors.push({ at, message });
}

/**
 * Reads a directive's value: ldirectord's own reading first; when ldirectord refuses it, the
 * lenient alternatives (blocks.ts) in order, with a warning saying what ldirectord does.
 */
export function take<T>(r: Report, d: Directive, read: (v: string) => Read<T>): T | undefined {
  const first = read(d.value);
  if (first.ok) {
    if (first.note !== undefined) warnAt(r, d.valueAt, first.note);
    return first.value;
  }
  for (const alt of d.alternatives) {
    const a = read(alt.value);
    if (!a.ok) continue;
    warnAt(r, d.valueAt, `${alt.why}, so it refuses ${d.name}=${d.value.trimEnd()} (${first.error}); lvsd reads ${d.name}=${alt.value}`);
    if (a.note !== undefined) warnAt(r, d.valueAt, a.note);
    return a.value;
  }
  errorAt(r, d.valueAt, first.error);
  return undefined;
}

/** The value with a trailing `# comment` and spaces removed: what a reader of it "looks like". */
function looks(v: string): string {
  return v.replace(/\s*#.*$/, '').trim();
}

/**
 * `$1 =~ /(\d+)/ && $1`: the first run of digits anywhere in the value, non-zero unless
 * `zero` ("2.5" is 2, "3s" is 3: noted).
 */
export function digits(name: string, o: { zero?: true } = {}): (v: string) => Read<number> {
  return (v) => {
    const m = /(\d+)/.exec(v);
    const n = m ? Number(m[1]) : NaN;
    if (!m || (!o.zero && n === 0)) return no(`expected ${o.zero ? 'a whole number' : 'a positive whole number'} for ${name}, got "${v}"`);
    const note = looks(v) === m[1] ? undefined : `${name}="${v}" is read as ${n} (ldirectord takes the first digits it finds)`;
    return ok(n, note);
  };
}

/** `$1 eq "yes" || $1 eq "no"`: exactly, nothing around it. */
export function yesNo(name: string): (v: string) => Read<boolean> {
  return (v) => (v === 'yes' ? ok(true) : v === 'no' ? ok(false) : no(`expected yes or no for ${name}, got "${v}"`));
}

/**
 * `^name\s*=\s*\"(.*)\"`: double quotes required, from the first to the last quote on the
 * line (no escapes; embedded quotes survive). Without them ldirectord reports "Unknown command".
 */
export function quoted(name: string, o: { empty?: true } = {}): (v: string) => Read<string> {
  return (v) => {
    const m = /^"(.*)"/.exec(v);
    if (!m) {
      const got = v.startsWith('"') ? `${v} without a closing quote` : v;
      return no(`expected a value in double quotes for ${name} (ldirectord reports "Unknown command" without them), got ${got}`);
    }
    const inner = m[1] ?? '';
    if (inner === '' && !o.empty) return no(`expected a non-empty value for ${name}, got ""`);
    const rest = v.slice(m[0].length);
    const note = looks(rest) === '' ? undefined : `${name}: the text after the closing quote ("${rest.trim()}") is ignored, as ldirectord does`;
    return ok(inner, note);
  };
}

/** `\"(.*)\"` or `(.*)`: quotes optional and stripped; must not be empty (`(.+)`). */
export function maybeQuoted(name: string): (v: string) => Read<string> {
  return (v) => {
    const m = /^"(.*)"/.exec(v);
    const value = m ? (m[1] ?? '') : v;
    return value === '' ? no(`expected a value for ${name}, got none`) : ok(value);
  };
}

/** `(.+)`: the rest of the line verbatim, not empty. */
export function rest(name: string): (v: string) => Read<string> {
  return (v) => (v === '' ? no(`expected a value for ${name}, got none`) : ok(v));
}

/** read_emailalert: `s/^\"([^"]*)\"$/$1/`, not empty; recipients split at commas (Mail::Send / Net::SMTP do). */
export function emailAlert(v: string): Read<readonly string[]> {
  const inner = /^"([^"]*)"$/.exec(v)?.[1] ?? v;
  if (inner === '') return no('expected an e-mail address for emailalert, got none');
  return ok(inner.split(',').map((s) => s.trim()).filter((s) => s !== ''));
}

/** `^emailalertfreq\s*=\s*(\d*)` then `(\d+)`: digits right at the start (0 allowed). */
export function emailAlertFreq(v: string): Read<number> {
  const m = /^(\d+)/.exec(v);
  if (!m) return no(`expected a number of seconds for emailalertfreq, got "${v}"`);
  const note = looks(v) === m[1] ? undefined : `emailalertfreq="${v}" is read as ${m[1]}`;
  return ok(Number(m[1]), note);
}

const ALL_STATES: readonly LdirectordDaemonState[] = ['starting', 'running', 'stopping', 'reloading'];

/** parse_emailalertstatus: split at commas (with blanks around); all, none (alone), starting, running, stopping, reloading. */
export function emailAlertStatus(v: string): Read<readonly LdirectordDaemonState[]> {
  const words = v.split(/\s*,\s*/);
  const got = new Set<LdirectordDaemonState>();
  const none = words.includes('none');
  for (const w of words) {
    if (w === 'none') continue;
    if (none) return no(`expected "none" alone in emailalertstatus, got it with "${w}"`);
    const state = ALL_STATES.find((s) => s === w);
    if (w === 'all') ALL_STATES.forEach((s) => got.add(s));
    else if (state !== undefined) got.add(state);
    else return no(`expected all, none, starting, running, stopping or reloading in emailalertstatus, got "${w}"`);
  }
  return ok(ALL_STATES.filter((s) => got.has(s)));
}

/** `(^([0-9A-Za-z._+-]+))`: a host name or address at the start; quotes are refused. */
export function smtpHost(v: string): Read<string> {
  const m = /^([0-9A-Za-z._+-]+)/.exec(v);
  if (!m) return no(`expected an SMTP server name or address (no quotes) for smtp, got "${v}"`);
  const host = m[1] ?? '';
  return ok(host, looks(v) === host ? undefined : `smtp="${v}" is read as "${host}"`);
}

/** First word (`(\w+)`), for enumerations; notes extra text. */
export function firstWord(name: string, v: string): Read<string> {
  const m = /(\w+)/.exec(v);
  if (!m) return no(`expected a value for ${name}, got "${v}"`);
  const w = m[1] ?? '';
  return ok(w, looks(v) === w ? undefined : `${name}="${v}" is read as "${w}"`);
}
