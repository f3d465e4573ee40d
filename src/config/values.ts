/**
 * Value converters shared by the front-ends. Each returns the value, or undefined after
 * reporting `expected <what>, got "<text>"` at the word: never a default in place of a
 * bad value.
 */
import { type IpAddress, type IpFamily, isMulticast, parseIp } from '../model/index.js';
import type { Word } from './lex.js';
import { error, type Sink } from './keywords.js';

export function bad(sink: Sink, w: Word, expected: string): undefined {
  error(sink, w.at, `expected ${expected}, got "${w.text}"`);
  return undefined;
}

/** An integer in [min, max]; `what` names it: "a virtual_router_id". */
export function int(sink: Sink, w: Word, o: { what: string; min: number; max: number }): number | undefined {
  const ok = /^-?\d+$/.test(w.text) && Number(w.text) >= o.min && Number(w.text) <= o.max;
  return ok ? Number(w.text) : bad(sink, w, `${o.what} between ${o.min} and ${o.max}`);
}

/**
 * keepalived <TIMER>/decimal seconds ("1", "0.05", "1.000001") → whole microseconds,
 * within [minUs, maxUs].
 */
export function decimalSecondsUs(sink: Sink, w: Word, o: { what: string; minUs: number; maxUs: number }): number | undefined {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(w.text);
  const us = m ? Number(m[1]) * 1e6 + Number((m[2] ?? '').padEnd(6, '0')) : NaN;
  if (!Number.isFinite(us) || us < o.minUs || us > o.maxUs) {
    return bad(sink, w, `${o.what} in seconds between ${o.minUs / 1e6} and ${o.maxUs / 1e6}`);
  }
  return us;
}

/** Native durations: "50ms", "1s", "1.5s", "0". → milliseconds within [0, maxMs]. */
export function durationMs(sink: Sink, w: Word, o: { what: string; maxMs: number }): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(w.text);
  const ms = w.text === '0' ? 0 : m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!Number.isFinite(ms) || ms > o.maxMs) return bad(sink, w, `${o.what} as a duration with a unit (e.g. 50ms, 1s) up to ${o.maxMs / 1000}s`);
  return ms;
}

const TRUE = new Set(['yes', 'on', 'true']);
const FALSE = new Set(['no', 'off', 'false']);

export function bool(sink: Sink, w: Word, what: string): boolean | undefined {
  if (TRUE.has(w.text)) return true;
  if (FALSE.has(w.text)) return false;
  return bad(sink, w, `${what} as yes or no`);
}

export function ip(sink: Sink, w: Word, what: string, family?: IpFamily): IpAddress | undefined {
  const a = parseIp(w.text);
  if (a === undefined || (family !== undefined && a.family !== family)) {
    return bad(sink, w, `${what} as an ${family === undefined ? 'IPv4 or IPv6' : `IPv${family}`} address`);
  }
  return a;
}

/** ADDR[/PREFIX] → address and prefix (full length when absent). */
export function ipWithPrefix(sink: Sink, w: Word, what: string): (IpAddress & { prefix: number }) | undefined {
  const [addr = '', prefix, ...rest] = w.text.split('/');
  const a = parseIp(addr);
  const max = a?.family === 6 ? 128 : 32;
  const p = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (a === undefined || rest.length > 0 || !(p >= 0 && p <= max)) {
    return bad(sink, w, `${what} as ADDRESS[/PREFIX] (IPv4 prefix 0-32, IPv6 0-128)`);
  }
  return { ...a, prefix: p };
}

export function port(sink: Sink, w: Word): number | undefined {
  return int(sink, w, { what: 'a port', min: 1, max: 65535 });
}

/** One of a closed set of words (case-sensitive unless `fold`). */
export function oneOf<T extends string>(sink: Sink, w: Word, o: { what: string; values: readonly T[]; fold?: true }): T | undefined {
  const text = o.fold ? w.text.toLowerCase() : w.text;
  const found = o.values.find((v) => (o.fold ? v.toLowerCase() : v) === text);
  return found ?? bad(sink, w, `${o.what} (${o.values.join(', ')})`);
}

/** A multicast group address (IPv4 224.0.0.0/4 or IPv6 ff00::/8), canonical text. */
export function multicastGroup(sink: Sink, w: Word): string | undefined {
  const a = parseIp(w.text);
  return a !== undefined && isMulticast(a.address) ? a.address : bad(sink, w, 'a multicast group (IPv4 224.0.0.0/4 or IPv6 ff00::/8)');
}
