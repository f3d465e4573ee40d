/**
 * keepalived virtual_routes / virtual_rules entries (keepalived 2.2.7 vrrp_iproute.c
 * alloc_route, vrrp_iprule.c alloc_rule), the forms real files use:
 *   route: `[to] [blackhole|unreachable|prohibit|throw|unicast] DEST[/LEN]|default` with
 *          `src ADDR`, `via|gw [inet|inet6] ADDR`, `dev|oif IF`, `scope S`, `table T`,
 *          `metric|priority|preference N`, `protocol P`, `onlink`, `no_track`, `inet`, `inet6`;
 *   rule:  `from P`, `to P`, `table|lookup T`, `priority|preference|order N`, `fwmark N[/M]`,
 *          `iif|dev IF`, `oif IF`, `no_track`, `inet`, `inet6`.
 * Any other option keepalived knows (nexthop, `or`, encap, mtu ..., rule types, uidrange ...)
 * is refused at its word. As keepalived (vrrp_iproute.c netlink_route, vrrp_iprule.c), a route
 * without `protocol` gets RTPROT_KEEPALIVED (18), tracked or not, a rule only when tracked (no
 * `no_track`); a family defaults to IPv4. Checked against keepalived in test/netns.
 */
import { type IpFamily, type IpPrefix, parseIp, type VirtualRoute, type VirtualRule } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import { bad, int } from '../values.js';

/** <linux/rtnetlink.h> RTPROT_KEEPALIVED, what keepalived tags its routes and rules with. */
export const RTPROT_KEEPALIVED = 18;
const TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
export const SCOPES: Readonly<Record<string, number>> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const PROTOCOLS: Readonly<Record<string, number>> = { kernel: 2, boot: 3, static: 4, keepalived: RTPROT_KEEPALIVED };
const TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw'] as const;

interface Cursor {
  readonly words: readonly Word[];
  i: number;
  readonly sink: Sink;
  family?: IpFamily;
  ok: boolean;
}

function fail(c: Cursor, w: Word, expected: string): undefined {
  bad(c.sink, w, expected);
  c.ok = false;
  return undefined;
}

/** The word after the option at c.i (advancing), or an error at the option. */
function value(c: Cursor): Word | undefined {
  const opt = c.words[c.i];
  const w = c.words[++c.i];
  if (w === undefined && opt) {
    error(c.sink, opt.at, `expected a value after "${opt.text}", got none`);
    c.ok = false;
  }
  return w;
}

function family(c: Cursor, w: Word, f: IpFamily): boolean {
  if (c.family !== undefined && c.family !== f) return fail(c, w, `an IPv${c.family} address like the rest of the entry (keepalived: "Cannot mix IPv4 and IPv6 addresses")`) ?? false;
  c.family = f;
  return true;
}

function address(c: Cursor, w: Word | undefined, what: string): string | undefined {
  if (w === undefined) return undefined;
  const a = parseIp(w.text);
  if (a === undefined) return fail(c, w, `${what} as an IP address`);
  return family(c, w, a.family) ? a.address : undefined;
}

/** ADDR[/LEN], or `default` / `all` (length 0, family from the rest of the entry). */
function prefix(c: Cursor, w: Word | undefined, what: string): IpPrefix | 'any' | undefined {
  if (w === undefined) return undefined;
  if (w.text === 'default' || w.text === 'all' || w.text === 'any') return 'any';
  const [addr = '', len, ...rest] = w.text.split('/');
  const a = parseIp(addr);
  const max = a?.family === 6 ? 128 : 32;
  const n = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (a === undefined || rest.length > 0 || !(n >= 0 && n <= max)) return fail(c, w, `${what} as ADDRESS[/LEN] or default`);
  return family(c, w, a.family) ? { address: a.address, len: n } : undefined;
}

function named(c: Cursor, w: Word | undefined, o: { what: string; names: Readonly<Record<string, number>>; max: number }): number | undefined {
  if (w === undefined) return undefined;
  const n = o.names[w.text];
  if (n !== undefined) return n;
  if (!/^\d+$/.test(w.text)) return fail(c, w, `${o.what} (${Object.keys(o.names).join(', ')} or a number)`);
  const v = int(c.sink, w, { what: o.what, min: 0, max: o.max });
  if (v === undefined) c.ok = false;
  return v;
}

const anyPrefix = (f: IpFamily): IpPrefix => ({ address: f === 4 ? '0.0.0.0' : '::', len: 0 });

type RouteDraft = { -readonly [K in keyof VirtualRoute]?: VirtualRoute[K] } & { noTrack?: boolean; dstWord?: IpPrefix | 'any' };

/** One route option at c.i; false when the word is not a route option (then it is the destination). */
function routeOption(c: Cursor, r: RouteDraft): boolean {
  const w = c.words[c.i];
  switch (w?.text) {
    case 'inet': case 'inet6': family(c, w, w.text === 'inet' ? 4 : 6); return true;
    case 'src': r.src = address(c, value(c), 'a route src'); return true;
    case 'gw':
      c.sink.warnings.push({ at: w.at, message: '"gw" for routes is deprecated: it means "via", as in keepalived 2.2.7 (which reports it); write via' });
      r.via = viaAddress(c); return true;
    case 'via': r.via = viaAddress(c); return true;
    case 'dev': case 'oif': r.dev = value(c)?.text; return true;
    case 'scope': r.scope = named(c, value(c), { what: 'a route scope', names: SCOPES, max: 255 }); return true;
    case 'table': r.table = named(c, value(c), { what: 'a routing table', names: TABLES, max: 2 ** 32 - 1 }); return true;
    case 'protocol': r.protocol = named(c, value(c), { what: 'a route protocol', names: PROTOCOLS, max: 255 }); return true;
    case 'metric': case 'priority': case 'preference': {
      const v = value(c);
      r.metric = v && int(c.sink, v, { what: `a route ${w.text}`, min: 0, max: 2 ** 32 - 1 });
      if (v && r.metric === undefined) c.ok = false;
      return true;
    }
    case 'onlink': r.onlink = true; return true;
    case 'no_track': r.noTrack = true; return true;
    default: return false;
  }
}

function viaAddress(c: Cursor): string | undefined {
  let w = value(c);
  if (w?.text === 'inet' || w?.text === 'inet6') {
    family(c, w, w.text === 'inet' ? 4 : 6);
    w = value(c);
  }
  return address(c, w, 'a route via');
}

const UNSUPPORTED_ROUTE = new Set(['as', 'from', 'tos', 'dsfield', 'encap', 'expires', 'mtu', 'hoplimit', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd',
  'ssthresh', 'realms', 'rto_min', 'initcwnd', 'initrwnd', 'features', 'quickack', 'congctl', 'pref', 'ttl-propagate', 'fastopen_no_cookie', 'add', 'prepend', 'append',
  'or', 'nexthop', 'track_group', 'vrf', 'weight']);

/** One virtual_routes line (`first` and the words after it); undefined, with errors, when it cannot be used. */
export function parseRoute(words: readonly Word[], sink: Sink): (VirtualRoute & { noTrack: boolean }) | undefined {
  const c: Cursor = { words, i: 0, sink, ok: true };
  const r: RouteDraft = {};
  for (; c.i < words.length && c.ok; c.i++) {
    const w = words[c.i];
    if (w === undefined || routeOption(c, r)) continue;
    if (UNSUPPORTED_ROUTE.has(w.text)) {
      error(sink, w.at, `keepalived's route option "${w.text}" is not supported by lvsd (it takes src, via, dev, scope, table, metric, protocol, onlink, no_track and the route types ${TYPES.join(', ')})`);
      return undefined;
    }
    if (r.dstWord !== undefined) return fail(c, w, 'a route option (src, via, dev, scope, table, metric, protocol, onlink, no_track)');
    let d: Word | undefined = w;
    if (d.text === 'to') d = words[++c.i];
    const type = TYPES.find((t) => t === d?.text);
    if (type !== undefined) {
      r.type = type;
      d = words[++c.i];
    }
    if (d === undefined) return fail(c, w, 'a route destination after it');
    r.dstWord = prefix(c, d, 'a route destination');
  }
  if (!c.ok) return undefined;
  const first = words[0];
  if (r.dstWord === undefined || first === undefined) return first ? fail(c, first, 'a route with a destination (ADDRESS[/LEN] or default)') : undefined;
  const f = c.family ?? 4;
  if (r.type !== undefined && r.type !== 'unicast' && (r.dev !== undefined || r.via !== undefined)) {
    // fib_create_info: "Gateway, device and multipath can not be specified for this route type"
    error(sink, first.at, `expected no dev or via on a ${r.type} route (the kernel refuses it with EINVAL, which keepalived 2.2.7 only logs when it becomes master)`);
    return undefined;
  }
  return {
    at: first.at, family: f, type: r.type ?? 'unicast', dst: r.dstWord === 'any' ? anyPrefix(f) : r.dstWord,
    ...(r.src !== undefined ? { src: r.src } : {}), ...(r.via !== undefined ? { via: r.via } : {}), ...(r.dev !== undefined ? { dev: r.dev } : {}),
    scope: r.scope ?? 0, table: r.table ?? TABLES['main'] ?? 254, ...(r.metric !== undefined ? { metric: r.metric } : {}),
    protocol: r.protocol ?? RTPROT_KEEPALIVED, onlink: r.onlink ?? false, noTrack: r.noTrack ?? false,
  };
}

type RuleDraft = { -readonly [K in keyof VirtualRule]?: VirtualRule[K] } & { noTrack?: boolean; fromAny?: boolean; toAny?: boolean };

function ruleOption(c: Cursor, r: RuleDraft): boolean {
  const w = c.words[c.i];
  switch (w?.text) {
    case 'inet': case 'inet6': family(c, w, w.text === 'inet' ? 4 : 6); return true;
    case 'from': case 'to': {
      const p = prefix(c, value(c), `a rule ${w.text} prefix`);
      if (p === 'any') r[w.text === 'from' ? 'fromAny' : 'toAny'] = true;
      else if (p !== undefined) r[w.text] = p;
      return true;
    }
    case 'table': case 'lookup': r.table = named(c, value(c), { what: 'a routing table', names: TABLES, max: 2 ** 32 - 1 }); return true;
    case 'priority': case 'preference': case 'order': case 'pref': {
      const v = value(c);
      r.priority = v && int(c.sink, v, { what: `a rule ${w.text}`, min: 0, max: 2 ** 32 - 1 });
      if (v && r.priority === undefined) c.ok = false;
      return true;
    }
    case 'fwmark': fwmark(c, r); return true;
    case 'iif': case 'dev': r.iif = value(c)?.text; return true;
    case 'oif': r.oif = value(c)?.text; return true;
    case 'protocol': r.protocol = named(c, value(c), { what: 'a rule protocol', names: PROTOCOLS, max: 255 }); return true;
    case 'no_track': r.noTrack = true; return true;
    default: return false;
  }
}

function fwmark(c: Cursor, r: RuleDraft): void {
  const w = value(c);
  if (w === undefined) return;
  const [mark = '', mask] = w.text.split('/');
  const num = (t: string): number => (/^(0x[0-9a-f]+|\d+)$/i.test(t) ? Number(t) : NaN);
  const m = num(mark);
  const k = mask === undefined ? undefined : num(mask);
  if (!(m >= 0 && m < 2 ** 32) || (k !== undefined && !(k >= 0 && k < 2 ** 32))) {
    fail(c, w, 'a fwmark as N or N/MASK (decimal or 0x hex)');
    return;
  }
  r.fwmark = m;
  if (k !== undefined) r.fwmask = k;
}

/** One virtual_rules line; undefined, with errors, when it cannot be used. */
export function parseRule(words: readonly Word[], sink: Sink): (VirtualRule & { noTrack: boolean }) | undefined {
  const c: Cursor = { words, i: 0, sink, ok: true };
  const r: RuleDraft = {};
  for (; c.i < words.length && c.ok; c.i++) {
    const w = words[c.i];
    if (w !== undefined && !ruleOption(c, r)) {
      error(sink, w.at, `keepalived's rule option "${w.text}" is not supported by lvsd (it takes from, to, table, priority, fwmark, iif, oif, protocol and no_track)`);
      return undefined;
    }
  }
  const first = words[0];
  if (!c.ok || first === undefined) return undefined;
  if (r.table === undefined) return fail(c, first, 'a rule with "table N" (lvsd supports rules that look up a table)');
  return {
    at: first.at, family: c.family ?? 4, ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}), table: r.table,
    ...(r.priority !== undefined ? { priority: r.priority } : {}), ...(r.fwmark !== undefined ? { fwmark: r.fwmark } : {}),
    ...(r.fwmask !== undefined ? { fwmask: r.fwmask } : {}), ...(r.iif !== undefined ? { iif: r.iif } : {}), ...(r.oif !== undefined ? { oif: r.oif } : {}),
    protocol: r.protocol ?? (r.noTrack ? 0 : RTPROT_KEEPALIVED), noTrack: r.noTrack ?? false,
  };
}

/**
 * A virtual_routes / virtual_rules (or static_routes / static_rules) block: its entries, without
 * keepalived's `no_track` flag. keepalived leaves MASTER when someone else deletes a tracked
 * (default) virtual route or rule, and puts a deleted static one back; lvsd does not watch them
 * (nor its VIPs), which is said once per block.
 */
function block<T extends { readonly noTrack: boolean }>(
  kind: string, parse: (words: readonly Word[], sink: Sink) => T | undefined, o: BlockInput,
): Array<Omit<T, 'noTrack'>> {
  const parsed = o.body.flatMap((e) => parse([e.keyword, ...e.args], o.sink) ?? []);
  if (parsed.some((p) => !p.noTrack)) {
    const message = kind.startsWith('static_')
      ? `${kind} are added when lvsd starts and removed when it stops, but lvsd does not watch them: keepalived puts back one someone else deletes, unless marked no_track`
      : `${kind} are added on MASTER and removed otherwise, but lvsd does not watch them: keepalived leaves MASTER when someone else deletes one not marked no_track`;
    o.sink.warnings.push({ at: o.keyword.at, message });
  }
  return parsed.map(({ noTrack: _, ...entry }) => entry);
}

export interface BlockInput {
  readonly keyword: Word;
  readonly body: readonly { readonly keyword: Word; readonly args: readonly Word[] }[];
  readonly sink: Sink;
}

export const routesBlock = (o: BlockInput): VirtualRoute[] => block(o.keyword.text, parseRoute, o);
export const rulesBlock = (o: BlockInput): VirtualRule[] => block(o.keyword.text, parseRule, o);
