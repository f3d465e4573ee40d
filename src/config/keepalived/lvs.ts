/**
 * keepalived.conf LVS keywords → drafts: virtual_server, real_server, virtual_server_group.
 * Semantics from keepalived.conf(5) and keepalived/check/check_parser.c of 2.2.7. Health
 * keywords and checker blocks are in lvs-health.ts and checkers.ts.
 */
import { bigIntToIp, type ForwardMethod, type IpAddress, type IpFamily, ipToBigInt, type L4Protocol, type Loc, netmaskToPrefix, parseIp, SCHEDULERS, type TunnelSettings } from '../../model/index.js';
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import { keepalivedRules } from './repeats.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, int, ip, oneOf, port } from '../values.js';
import { checkerKeywords } from './checkers.js';
import { newRealHealth, newVsHealth, realHealthKeywords, vsHealthKeywords, type RealHealthDraft, type VsHealthDraft } from './lvs-health.js';
import type { Registry } from './tracking.js';

export interface ForwardDraft { readonly method: ForwardMethod; readonly tunnel?: TunnelSettings }

export interface RealDraft {
  readonly at: Loc;
  readonly ip: IpAddress;
  readonly port?: number;
  weight?: number;
  forward?: ForwardDraft;
  upper?: number;
  lower?: number;
  readonly health: RealHealthDraft;
  /** Track files defined so far (FILE_CHECK names one). */
  readonly registry: Registry;
}

export type VsHead =
  | { readonly kind: 'addr'; readonly ip: IpAddress; readonly port?: number }
  | { readonly kind: 'fwmark'; readonly mark: number }
  | { readonly kind: 'group'; readonly name: string; readonly at: Loc };

export interface VsDraft {
  readonly at: Loc;
  readonly head: VsHead;
  protocol?: L4Protocol;
  scheduler?: string;
  schedFlags: string[];
  onePacket: boolean;
  persistence?: { timeoutS?: number; at: Loc };
  granularity?: Word;
  pe?: string;
  forward?: ForwardDraft;
  family?: IpFamily;
  reals: RealDraft[];
  readonly health: VsHealthDraft;
  sorryForward?: ForwardDraft;
  readonly registry: Registry;
}

export type VsgEntry =
  | { readonly kind: 'addr'; readonly ips: readonly IpAddress[]; readonly port?: number; readonly at: Loc }
  | { readonly kind: 'fwmark'; readonly mark: number; readonly family?: IpFamily; readonly at: Loc };

export interface VsgDraft { readonly name: string; readonly at: Loc; entries: VsgEntry[] }

const FWMARK = { what: 'a fwmark', min: 1, max: 2 ** 32 - 1 };
const MAX_RANGE = 65_536;

/** `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` */
function forward(s: Stmt, sink: Sink): ForwardDraft | undefined {
  const [kind, ...rest] = s.args;
  // keepalived 2.2.7 compares case-sensitively and turns "dr" into NAT (check_parser.c): refused here
  const upper = kind?.text.toUpperCase() ?? '';
  if (kind && kind.text !== upper && ['NAT', 'DR', 'TUN'].includes(upper)) {
    return bad(sink, kind, `"${upper}" in capitals after "${s.keyword.text}" (keepalived 2.2.7 does not know "${kind.text}" and forwards by NAT instead)`);
  }
  const m = kind && oneOf(sink, kind, { what: `an ${s.keyword.text}`, values: ['NAT', 'DR', 'TUN'] as const });
  if (m === undefined) return undefined;
  if (m !== 'TUN' || rest.length === 0) {
    if (rest[0]) return bad(sink, rest[0], `nothing after "${m}"`);
    return { method: m === 'NAT' ? 'masq' : m === 'DR' ? 'route' : 'tunnel' };
  }
  const tunnel: { type: TunnelSettings['type']; port?: number; checksum?: TunnelSettings['checksum'] } = { type: 'ipip' };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const next = rest[i + 1];
    if (w?.text === 'type' && next) {
      const t = oneOf(sink, next, { what: 'a tunnel type', values: ['ipip', 'gue', 'gre'] as const });
      if (t === undefined) return undefined;
      tunnel.type = t;
      i++;
    } else if (w?.text === 'port' && next) {
      tunnel.port = port(sink, next);
      if (tunnel.port === undefined) return undefined;
      i++;
    } else if (w) {
      const c = oneOf(sink, w, { what: 'a TUN option (type, port, nocsum, csum, remcsum)', values: ['nocsum', 'csum', 'remcsum'] as const });
      if (c === undefined) return undefined;
      tunnel.checksum = c;
    }
  }
  return { method: 'tunnel', tunnel };
}

/**
 * real_server keywords. keepalived 2.2.7 knows only `lvs_method` here, not its virtual_server
 * synonym `lb_kind` (`keepalived -t`: "Unknown keyword 'lb_kind'").
 */
export const REAL_KEYWORDS: readonly Keyword<RealDraft>[] = [
  kw('weight', 1, (s, r, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a weight', min: 0, max: 65535 }); if (v !== undefined) r.weight = v; }),
  { names: ['lvs_method'], minArgs: 1, maxArgs: 6, block: 'none', apply: (s, r, sink) => { const f = forward(s, sink); if (f) r.forward = f; } },
  kw('uthreshold', 1, (s, r, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a uthreshold', min: 0, max: 2 ** 32 - 1 }); if (v !== undefined) r.upper = v; }),
  kw('lthreshold', 1, (s, r, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a lthreshold', min: 0, max: 2 ** 32 - 1 }); if (v !== undefined) r.lower = v; }),
  ...realHealthKeywords<RealDraft>((r) => r.health),
  ...checkerKeywords<RealDraft>((r, c) => {
    if (c.track) c.trackKnown = r.registry.files.has(c.track.text);
    r.health.checks.push(c);
  }),
];

/**
 * `real_server IP [PORT]`. keepalived 2.2.7 (check_data.c alloc_rs) reads a port of zeros as
 * no port: the service's port, and for a fwmark service 0, which IPVS reads as "the port the
 * packet came to" (ip_vs_core.c ip_vs_schedule: `dest->port ? dest->port : vport`).
 */
function realServer(s: Stmt, vs: VsDraft, sink: Sink): void {
  const [addr, written] = s.args;
  const p = written && /^0+$/.test(written.text) ? undefined : written;
  const a = addr && ip(sink, addr, 'a real_server address');
  const portValue = p === undefined ? undefined : port(sink, p);
  const usable = a !== undefined && (p === undefined || portValue !== undefined);
  // A bad address or port is reported; the block is still checked (one pass), and not kept.
  const r: RealDraft = { at: s.keyword.at, ip: a ?? { address: '0.0.0.0', family: 4 }, ...(portValue !== undefined ? { port: portValue } : {}), health: newRealHealth(), registry: vs.registry };
  interpret(s.block?.body ?? [], REAL_KEYWORDS, r, { where: `real_server ${addr?.text ?? ''}`, sink, ...keepalivedRules('virtual_server/real_server') });
  if (usable) vs.reals.push(r);
}

const FLAGS = ['flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'];

export const VS_KEYWORDS: readonly Keyword<VsDraft>[] = [
  kw(['lb_algo', 'lvs_sched'], 1, (s, v, sink) => { const x = s.args[0] && oneOf(sink, s.args[0], { what: 'a scheduler', values: SCHEDULERS }); if (x) v.scheduler = x; }),
  { names: ['lb_kind', 'lvs_method'], minArgs: 1, maxArgs: 6, block: 'none', apply: (s, v, sink) => { const f = forward(s, sink); if (f) v.forward = f; } },
  kw('protocol', 1, (s, v, sink) => {
    const x = s.args[0] && oneOf(sink, s.args[0], { what: 'a protocol', values: ['TCP', 'UDP', 'SCTP'] as const });
    if (x) v.protocol = x === 'TCP' ? 'tcp' : x === 'UDP' ? 'udp' : 'sctp';
    // check_parser.c vs_end_handler: "protocol specified for fwmark - protocol will be ignored"
    if (x && v.head.kind === 'fwmark') sink.warnings.push({ at: s.keyword.at, message: 'protocol is ignored in a fwmark virtual_server (the mark alone selects the packets), as keepalived 2.2.7 does (and reports)' });
  }),
  {
    names: ['persistence_timeout'], minArgs: 0, maxArgs: 1, block: 'none',
    apply: (s, v, sink) => {
      const w = s.args[0];
      const t = w && int(sink, w, { what: 'a persistence_timeout in seconds', min: 1, max: 2 ** 31 - 1 });
      if (w === undefined || t !== undefined) v.persistence = { ...(t !== undefined ? { timeoutS: t } : {}), at: s.keyword.at };
    },
  },
  kw('persistence_granularity', 1, (s, v) => { v.granularity = s.args[0]; }),
  kw('persistence_engine', 1, (s, v, sink) => { const x = s.args[0] && oneOf(sink, s.args[0], { what: 'a persistence_engine', values: ['sip'] }); if (x) v.pe = x; }),
  kw('ops', 0, (_s, v) => { v.onePacket = true; }),
  ...FLAGS.map((f) => kw<VsDraft>(f, 0, (_s, v) => { v.schedFlags.push(f); })),
  kw('ip_family', 1, (s, v, sink) => { const x = s.args[0] && oneOf(sink, s.args[0], { what: 'an ip_family', values: ['inet', 'inet6'] as const }); if (x) v.family = x === 'inet' ? 4 : 6; }),
  { names: ['real_server'], minArgs: 1, maxArgs: 2, block: 'optional', repeat: true, apply: (s, v, sink) => realServer(s, v, sink) },
  ...vsHealthKeywords<VsDraft>((v) => v.health),
  {
    names: ['sorry_server_lvs_method'], minArgs: 1, maxArgs: 6, block: 'none',
    apply: (s, v, sink) => {
      if (v.health.sorry === undefined) { error(sink, s.keyword.at, 'expected sorry_server before sorry_server_lvs_method, got none (keepalived 2.2.7 ignores it there)'); return; }
      const f = forward(s, sink);
      if (f) v.sorryForward = f;
    },
  },
];

export function parseVsHead(s: Stmt, sink: Sink): VsHead | undefined {
  const [first, second] = s.args;
  if (first === undefined) return undefined;
  if (first.text === 'fwmark' || first.text === 'group') {
    if (second === undefined) return bad(sink, first, `a value after "${first.text}"`);
    if (first.text === 'group') return { kind: 'group', name: second.text, at: second.at };
    const mark = int(sink, second, FWMARK);
    return mark === undefined ? undefined : { kind: 'fwmark', mark };
  }
  const a = ip(sink, first, 'a virtual_server address (or "fwmark N", "group NAME")');
  const p = second === undefined ? undefined : port(sink, second);
  if (a === undefined || (second !== undefined && p === undefined)) return undefined;
  return { kind: 'addr', ip: a, ...(p !== undefined ? { port: p } : {}) };
}

export function newVs(at: Loc, head: VsHead, registry: Registry): VsDraft {
  return { at, head, schedFlags: [], onePacket: false, reals: [], health: newVsHealth(), registry };
}

/** virtual_server_group entries: `IP [PORT]`, `RANGE [PORT]`, `fwmark N [inet|inet6]`. */
export function parseVsgEntry(s: Stmt, sink: Sink): VsgEntry | undefined {
  const [a, b] = s.args;
  if (s.args.length > 2 || s.block) return bad(sink, s.keyword, 'a group member "IP [PORT]", "IP-RANGE [PORT]" or "fwmark N [inet|inet6]" on its own line');
  if (s.keyword.text === 'fwmark') {
    const mark = a && int(sink, a, FWMARK);
    const fam = b && oneOf(sink, b, { what: 'an address family', values: ['inet', 'inet6'] as const });
    if (mark === undefined || (b && fam === undefined)) return a ? undefined : bad(sink, s.keyword, 'a mark after "fwmark"');
    return { kind: 'fwmark', mark, ...(fam ? { family: fam === 'inet' ? 4 : 6 } : {}), at: s.keyword.at };
  }
  const ips = addressRange(s.keyword, sink);
  const p = a === undefined ? undefined : port(sink, a);
  if (ips === undefined || (a !== undefined && p === undefined)) return undefined;
  return { kind: 'addr', ips, ...(p !== undefined ? { port: p } : {}), at: s.keyword.at };
}

/** `A`, `A-LAST` (last part), `A-B` (full address) or `A/PREFIX` → the addresses, in order. */
function addressRange(w: Word, sink: Sink): IpAddress[] | undefined {
  const expected = 'an address, range (192.0.2.1-10, 192.0.2.250-192.0.3.10) or prefix (192.0.2.8/29)';
  const [base = '', end] = w.text.split(/[-/]/, 2);
  const first = parseIp(base);
  if (first === undefined) return bad(sink, w, expected);
  if (end === undefined) return [first];
  const lo = ipToBigInt(first);
  let hi: bigint;
  if (w.text.includes('/')) {
    const bits = first.family === 4 ? 32 : 128;
    const prefix = /^\d+$/.test(end) ? Number(end) : NaN;
    if (!(prefix >= 0 && prefix <= bits)) return bad(sink, w, expected);
    hi = lo | ((1n << BigInt(bits - prefix)) - 1n);
  } else {
    const full = parseIp(end);
    const sep = first.family === 4 ? '.' : ':';
    const last = full ?? parseIp(base.slice(0, base.lastIndexOf(sep) + 1) + end);
    if (last === undefined || last.family !== first.family) return bad(sink, w, expected);
    hi = ipToBigInt(last);
  }
  if (hi < lo || hi - lo >= BigInt(MAX_RANGE)) return bad(sink, w, `a range of 1 to ${MAX_RANGE} addresses`);
  const out: IpAddress[] = [];
  for (let v = lo; v <= hi; v++) out.push(bigIntToIp(v, first.family));
  return out;
}

/** persistence_granularity: dotted netmask (IPv4) or prefix length (IPv6 services). */
export function granularity(w: Word, family: IpFamily, sink: Sink): string | number | undefined {
  if (family === 4) return netmaskToPrefix(w.text) !== undefined ? w.text : bad(sink, w, 'a persistence_granularity netmask such as 255.255.255.0');
  return int(sink, w, { what: 'a persistence_granularity prefix length for IPv6', min: 1, max: 128 });
}

