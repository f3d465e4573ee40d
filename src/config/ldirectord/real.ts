/**
 * `real=` / `real6=` lines, as ldirectord 4.12 reads them (_ld_read_config_real_resolve,
 * add_real_server_range, add_real_server):
 *
 *   real = ADDR [-> ADDR] [:PORT] WS gate|masq|ipip [WS WEIGHT] [WS "REQUEST"(,| )"RECEIVE"] [WS l:N] [WS u:N]
 *
 * Every regex is unanchored, so text before a match is skipped: `real=192.168.6.2::5060 gate`
 * (the upstream SIP sample) is host "5060", i.e. 0.0.19.196, port 0. We keep those readings
 * and warn. One bug is fixed instead (warned): when the per-real request starts with "/",
 * ldirectord loses the receive string and the thresholds after it.
 */
import type { IpFamily, Loc } from '../../model/index.js';
import { resolveHost, resolvePort, type NameService } from './names.js';
import { no, ok, type Read } from './values.js';

export type LdForward = 'gate' | 'masq' | 'ipip';

export interface RealSyntax {
  readonly first: string;
  readonly last?: string;
  readonly port: string;
  readonly forward: LdForward;
  readonly weight: number;
  readonly request?: string;
  readonly receive?: string;
  readonly lower?: number;
  readonly upper?: number;
}

export interface RealDraft {
  readonly at: Loc;
  readonly family: IpFamily;
  readonly address: string;
  /** As resolved from the written port; 0 when none was written. */
  readonly port: number;
  readonly forward: LdForward;
  readonly weight: number;
  readonly request?: string;
  readonly receive?: string;
  readonly lower: number;
  readonly upper: number;
}

const HOST = String.raw`\d+\.\d+\.\d+\.\d+|[A-Za-z0-9.-]+|\[[0-9A-fa-f:]+\]`;
const LINE = new RegExp(String.raw`(${HOST})(->(${HOST}))?(:(\d+|[A-Za-z0-9-_]+))?\s+(.*)`);

function skipped(what: string, text: string): string | undefined {
  return /\S/.test(text) ? `${what}: ldirectord skips "${text.trim()}" here` : undefined;
}

interface Tail { weight: number; request?: string; receive?: string; lower?: number; upper?: number; notes: string[] }

/** add_real_server after the forwarding method: weight, request/receive, l:, u:, nothing else. */
function readTail(flags: string, v: string): Read<Tail> {
  const t: Tail = { weight: 1, notes: [] };
  let rest = flags;
  const note = (s: string | undefined): void => { if (s !== undefined) t.notes.push(s); };
  const w = /\s+(\d+)(.*)/.exec(rest);
  if (w) { note(skipped(`real="${v}"`, rest.slice(0, w.index))); t.weight = Number(w[1]); rest = w[2] ?? ''; }
  const q = /\s+"(.*)"[, ]\s*"(.*)"(.*)/.exec(rest);
  if (q) {
    note(skipped(`real="${v}"`, rest.slice(0, q.index)));
    const request = q[1] ?? '';
    t.request = request.startsWith('/') ? request : `/${request}`;
    t.receive = q[2] ?? '';
    rest = q[3] ?? '';
    if (request.startsWith('/')) {
      note(`real="${v}": ldirectord 4.12 loses the receive string (and anything after it) when the request starts with "/" (a known bug) and uses the virtual's; lvsd uses this receive`);
      const after = thresholds(rest, v, t);
      if (/\S/.test(after)) note(`real="${v}": "${after.trim()}" is ignored, as ldirectord ignores it`);
      return ok(t);
    }
  }
  const after = thresholds(rest, v, t);
  if (/\S/.test(after)) return no(`expected only weight, "request", "receive", l:N and u:N after the forwarding method of a real server, got "${after.trim()}" (ldirectord: Invalid real server line)`);
  return ok(t);
}

function thresholds(text: string, v: string, t: Tail): string {
  let rest = text;
  const l = /\s+l:(\d+)(.*)/.exec(rest);
  if (l) {
    if (/\S/.test(rest.slice(0, l.index))) t.notes.push(`real="${v}": ldirectord ignores "${rest.slice(0, l.index).trim()}" before l:${l[1]}`);
    t.lower = Number(l[1]);
    rest = l[2] ?? '';
  }
  const u = /\s+u:(\d+)(.*)/.exec(rest);
  if (u) {
    if (/\S/.test(rest.slice(0, u.index))) t.notes.push(`real="${v}": ldirectord ignores "${rest.slice(0, u.index).trim()}" before u:${u[1]}`);
    t.upper = Number(u[1]);
    rest = u[2] ?? '';
  }
  return rest;
}

/** The syntax of a real= value; notes are ldirectord readings that differ from how it looks. */
export function readRealSyntax(v: string): Read<RealSyntax & { notes: readonly string[] }> {
  const m = LINE.exec(v);
  if (!m) return no(`expected "ADDRESS[:PORT] gate|masq|ipip [WEIGHT] ..." for real, got "${v}" (ldirectord: invalid address for real server (wrong format))`);
  const notes: string[] = [];
  const lead = v.slice(0, m.index);
  if (lead !== '') notes.push(`real="${v}" is read as address "${m[1] ?? ''}"${m[5] !== undefined ? ` port "${m[5]}"` : ''}: ldirectord skips "${lead}"`);
  const flags = m[6] ?? '';
  const fwd = /(\w+)(.*)/.exec(flags);
  const method = fwd?.[1];
  if (fwd === null || (method !== 'gate' && method !== 'masq' && method !== 'ipip')) {
    return no(`expected the forwarding method gate, masq or ipip (lower case) after the real server address, got "${flags}"`);
  }
  const s = skipped(`real="${v}"`, flags.slice(0, fwd.index));
  if (s !== undefined) notes.push(s);
  const tail = readTail(fwd[2] ?? '', v);
  if (!tail.ok) return tail;
  const { notes: tailNotes, ...rest } = tail.value;
  return ok({ first: m[1] ?? '', ...(m[3] !== undefined ? { last: m[3] } : {}), port: m[5] ?? '0', forward: method, ...rest, notes: [...notes, ...tailNotes] });
}

const MAX_RANGE = 65_536;

function toInt(a: string): number {
  return a.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * The addresses of `first->last` as ldirectord enumerates them: numerically checked, but looped
 * with Perl's string `le`, so a range across a power of ten (e.g. 5.245.224.255->5.245.225.1)
 * yields fewer servers. Returns the list and, when it differs from the plain range, a note.
 */
export function expandRange(first: string, last: string): Read<readonly string[]> {
  const lo = toInt(first);
  const hi = toInt(last);
  if (lo > hi) return no(`expected a range from the lower to the higher address, got ${first}->${last}`);
  if (hi - lo >= MAX_RANGE) return no(`expected a range of at most ${MAX_RANGE} addresses, got ${first}->${last} (${hi - lo + 1})`);
  const out: string[] = [];
  for (let i = lo; String(i) <= String(hi) && i <= hi; i++) out.push(toIp(i));
  const note = out.length === hi - lo + 1 ? undefined : `${first}->${last} gives ${out.length} of ${hi - lo + 1} addresses, as in ldirectord (its loop compares the addresses as decimal strings)`;
  return ok(out, note);
}

/** Resolves a real= syntax into one draft per address; errors as ldirectord words them. */
export function resolveReal(s: RealSyntax, o: { at: Loc; family: IpFamily; ns: NameService }): Read<readonly RealDraft[]> {
  const first = resolveHost(o.ns, s.first, o.family);
  if (first === undefined) return no(`expected a resolvable IPv${o.family} address for the real server, got "${s.first}" (ldirectord: could not resolve host)`);
  const port = resolvePort(o.ns, s.port, '');
  if (port === undefined) return no(`expected a port (0-65535) or a known service name for the real server, got "${s.port}"`);
  let addresses: readonly string[] = [first];
  let note: string | undefined;
  if (s.last !== undefined) {
    const last = resolveHost(o.ns, s.last, o.family);
    if (last === undefined) return no(`expected a resolvable IPv${o.family} address at the end of the range, got "${s.last}" (ldirectord: could not resolve end host)`);
    if (o.family === 6) return no('expected a single IPv6 real server, got a range (ldirectord: address range for IPv6 is not supported)');
    const r = expandRange(first, last);
    if (!r.ok) return r;
    addresses = r.value;
    note = r.note;
  }
  const base = { at: o.at, family: o.family, port, forward: s.forward, weight: s.weight, lower: s.lower ?? 0, upper: s.upper ?? 0 };
  const extra = { ...(s.request !== undefined ? { request: s.request } : {}), ...(s.receive !== undefined ? { receive: s.receive } : {}) };
  return ok(addresses.map((address) => ({ ...base, ...extra, address })), note);
}
