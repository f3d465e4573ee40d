/**
 * lvsd native format: `service PROTO ADDR[:PORT] { ... }` and `service fwmark N [inet|inet6] { ... }`
 * (conf/README.md). Real servers are one line each: `real ADDR[:PORT] [weight N] [forward M] ...`.
 */
import { defaultsFor, FORWARD_METHODS, type ForwardMethod, type IpAddress, type IpFamily, type L4Protocol, type Loc, netmaskToPrefix, parseIp, type RealServer, type RealServerHealth, SCHED_FLAGS, SCHEDULERS, type ServiceKey, type SorryServer, type TunnelSettings, type VirtualService } from '../../model/index.js';
import { kw, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, bool, durationMs, int, oneOf, port } from '../values.js';
import { buildCheck, parseCheck, type NativeCheck } from './checks.js';

const D = defaultsFor('native');

interface Forward { method?: ForwardMethod; tunnel: { type?: TunnelSettings['type']; port?: number; checksum?: TunnelSettings['checksum'] } }

export interface NativeService {
  readonly at: Loc;
  readonly key: ServiceKey;
  scheduler?: string;
  schedFlags: string[];
  onePacket?: boolean;
  persistence?: { timeoutS: number; netmask?: string | number };
  pe?: string;
  forward: Forward;
  reals: RealDraft[];
  checks: NativeCheck[];
  quiescent?: boolean;
  sorry?: { draft: RealDraft; inhibit: boolean };
}

/** `A.B.C.D[:PORT]`, `[V6][:PORT]` or a bare IPv6 address. Port 0 when absent. */
export function endpoint(sink: Sink, w: Word, what: string): { ip: IpAddress; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(.*))?$/.exec(w.text) ?? /^([^:]+)(?::(.*))?$/.exec(w.text) ?? /^([^[\]]+)()$/.exec(w.text);
  const addr = m?.[1] === undefined ? undefined : parseIp(m[1]);
  const portText = m?.[2];
  const p = portText === undefined || portText === '' ? 0 : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (addr === undefined || !(p >= 0 && p <= 65535) || portText === '') return bad(sink, w, `${what} as ADDRESS[:PORT] (IPv6 in brackets when a port follows)`);
  return { ip: addr, port: p };
}

const TUNNEL_TYPES = ['ipip', 'gue', 'gre'] as const;
const CHECKSUMS = ['nocsum', 'csum', 'remcsum'] as const;

/** One `name value` option of a real or forward statement; false when the name is not an option. */
function forwardOption(f: Forward, name: Word, value: Word, sink: Sink): boolean {
  switch (name.text) {
    case 'forward': { const v = oneOf(sink, value, { what: 'a forwarding method', values: FORWARD_METHODS }); if (v) f.method = v; return true; }
    case 'tunnel-type': { const v = oneOf(sink, value, { what: 'a tunnel-type', values: TUNNEL_TYPES }); if (v) f.tunnel.type = v; return true; }
    case 'tunnel-port': { const v = port(sink, value); if (v !== undefined) f.tunnel.port = v; return true; }
    case 'tunnel-csum': { const v = oneOf(sink, value, { what: 'a tunnel-csum', values: CHECKSUMS }); if (v) f.tunnel.checksum = v; return true; }
    default: return false;
  }
}

/** A real's tunnel options replace the service's as a whole (they are not merged field by field). */
function tunnelOf(f: Forward, base: Forward): TunnelSettings | undefined {
  const own = f.tunnel.type !== undefined || f.tunnel.port !== undefined || f.tunnel.checksum !== undefined;
  const t = own ? f.tunnel : base.tunnel;
  const method = f.method ?? base.method ?? D.forward;
  if (method !== 'tunnel' && !own) return undefined; // own options on a non-tunnel real: validate reports them
  return { type: t.type ?? 'ipip', ...(t.port !== undefined ? { port: t.port } : {}), ...(t.checksum ? { checksum: t.checksum } : {}) };
}

function real(s: Stmt, svc: NativeService, sink: Sink): void {
  const [addr, ...opts] = s.args;
  const ep = addr && endpoint(sink, addr, 'a real server');
  const f: Forward = { tunnel: {} };
  const nums: { weight?: number; upper?: number; lower?: number } = {};
  for (let k = 0; k < opts.length; k += 2) {
    const name = opts[k];
    const value = opts[k + 1];
    if (name === undefined) break;
    if (value === undefined) { bad(sink, name, 'an option with a value (weight N, forward M, upper N, lower N, tunnel-type T, tunnel-port P, tunnel-csum C)'); return; }
    if (forwardOption(f, name, value, sink)) continue;
    if (name.text === 'weight') nums.weight = int(sink, value, { what: 'a weight', min: 0, max: 65535 });
    else if (name.text === 'upper' || name.text === 'lower') nums[name.text] = int(sink, value, { what: `an ${name.text} connection threshold`, min: 0, max: 2 ** 32 - 1 });
    else { bad(sink, name, 'a real server option (weight, forward, upper, lower, tunnel-type, tunnel-port, tunnel-csum)'); return; }
  }
  if (ep !== undefined) svc.reals.push({ at: s.keyword.at, ip: ep.ip, port: ep.port, f, ...nums });
}

/** `sorry ADDR[:PORT] [forward M] [tunnel-type T] [tunnel-port P] [tunnel-csum C] [inhibit yes|no]` */
function sorry(s: Stmt, svc: NativeService, sink: Sink): void {
  const [addr, ...opts] = s.args;
  const ep = addr && endpoint(sink, addr, 'a sorry server');
  const f: Forward = { tunnel: {} };
  let inhibit = false;
  for (let k = 0; k < opts.length; k += 2) {
    const name = opts[k];
    const value = opts[k + 1];
    if (name === undefined) break;
    if (value !== undefined && forwardOption(f, name, value, sink)) continue;
    const v = value && name.text === 'inhibit' ? bool(sink, value, 'inhibit') : undefined;
    if (v === undefined) { bad(sink, name, 'a sorry server option with a value (forward, tunnel-type, tunnel-port, tunnel-csum, inhibit)'); return; }
    inhibit = v;
  }
  if (ep !== undefined) svc.sorry = { draft: { at: s.keyword.at, ip: ep.ip, port: ep.port, f, weight: 1 }, inhibit };
}

/** A real line as written; the service's `forward` may come later in the block, so build at the end. */
interface RealDraft { readonly at: Loc; readonly ip: IpAddress; readonly port: number; readonly f: Forward; weight?: number; upper?: number; lower?: number }

function buildReal(r: RealDraft, v: NativeService, health?: RealServerHealth): RealServer {
  const method = r.f.method ?? v.forward.method ?? D.forward;
  const tunnel = tunnelOf(r.f, v.forward);
  // route/tunnel keep the service port (IPVS cannot rewrite it): an omitted port means it.
  const servicePort = v.key.kind === 'addr' ? v.key.port : 0;
  return {
    at: r.at, family: r.ip.family, address: r.ip.address, port: r.port === 0 ? servicePort : r.port, forward: method,
    weight: r.weight ?? D.weight, upperThreshold: r.upper ?? 0, lowerThreshold: r.lower ?? 0,
    ...(tunnel ? { tunnel } : {}),
    ...(health ? { health } : {}),
  };
}

/** Every real server gets the service's checks; `quiescent yes` keeps a dead one at weight 0. */
function realHealth(v: NativeService): RealServerHealth | undefined {
  if (v.checks.length === 0 && v.quiescent === undefined) return undefined;
  const checks = v.checks.map(buildCheck);
  return { checks, inhibitOnFailure: v.quiescent ?? false, startDown: checks.some((c) => c.startDown) };
}

function buildSorry(v: NativeService): SorryServer | undefined {
  return v.sorry ? { server: buildReal(v.sorry.draft, v), inhibit: v.sorry.inhibit } : undefined;
}

function persistence(s: Stmt, svc: NativeService, sink: Sink): void {
  const [time, kind, value] = s.args;
  const ms = time && durationMs(sink, time, { what: 'a persistence timeout', maxMs: (2 ** 31 - 1) * 1000 });
  if (time === undefined || ms === undefined) return;
  if (ms < 1000 || ms % 1000 !== 0) { bad(sink, time, 'a persistence timeout in whole seconds, at least 1s'); return; }
  let netmask: string | number | undefined;
  if (kind !== undefined && value !== undefined) {
    if (kind.text === 'netmask') netmask = netmaskToPrefix(value.text) !== undefined ? value.text : bad(sink, value, 'a dotted IPv4 netmask such as 255.255.255.0');
    else if (kind.text === 'prefix') netmask = int(sink, value, { what: 'an IPv6 persistence prefix length', min: 1, max: 128 });
    else { bad(sink, kind, '"netmask MASK" (IPv4) or "prefix N" (IPv6) after the timeout'); return; }
    if (netmask === undefined) return;
  } else if (kind !== undefined) { bad(sink, kind, 'a value after it'); return; }
  svc.persistence = { timeoutS: ms / 1000, ...(netmask !== undefined ? { netmask } : {}) };
}

export const NATIVE_SERVICE: readonly Keyword<NativeService>[] = [
  kw('scheduler', 1, (s, v, sink) => { const x = s.args[0] && oneOf(sink, s.args[0], { what: 'a scheduler', values: SCHEDULERS }); if (x) v.scheduler = x; }),
  {
    names: ['sched-flags'], minArgs: 1, maxArgs: 7, block: 'none',
    apply: (s, v, sink) => s.args.forEach((w) => { const f = oneOf(sink, w, { what: 'a scheduler flag', values: Object.keys(SCHED_FLAGS) }); if (f) v.schedFlags.push(f); }),
  },
  kw('one-packet', 1, (s, v, sink) => { const b = s.args[0] && bool(sink, s.args[0], 'one-packet'); if (b !== undefined) v.onePacket = b; }),
  { names: ['persistence'], minArgs: 1, maxArgs: 3, block: 'none', apply: persistence },
  kw('persistence-engine', 1, (s, v, sink) => { const x = s.args[0] && oneOf(sink, s.args[0], { what: 'a persistence-engine', values: ['sip'] }); if (x) v.pe = x; }),
  {
    names: ['forward'], minArgs: 1, maxArgs: 7, block: 'none',
    apply: (s, v, sink) => {
      const [method, ...opts] = s.args;
      if (method) forwardOption(v.forward, { ...method, text: 'forward' }, method, sink);
      for (let k = 0; k < opts.length; k += 2) {
        const name = opts[k];
        const value = opts[k + 1];
        if (name && (value === undefined || !forwardOption(v.forward, name, value, sink))) bad(sink, name, 'a tunnel option with a value (tunnel-type, tunnel-port, tunnel-csum)');
      }
    },
  },
  { names: ['real'], minArgs: 1, maxArgs: 15, block: 'none', repeat: true, apply: real },
  { names: ['check'], minArgs: 1, maxArgs: 1, block: 'optional', repeat: true, apply: (s, v, sink) => { const c = parseCheck(s, sink); if (c) v.checks.push(c); } },
  kw('quiescent', 1, (s, v, sink) => { const b = s.args[0] && bool(sink, s.args[0], 'quiescent'); if (b !== undefined) v.quiescent = b; }),
  { names: ['sorry'], minArgs: 1, maxArgs: 11, block: 'none', apply: sorry },
];

/** The words after `service`: PROTO ENDPOINT, or fwmark N [inet|inet6]. */
export function serviceKey(s: Stmt, sink: Sink): ServiceKey | undefined {
  const [first, second, third] = s.args;
  if (first === undefined || second === undefined) return bad(sink, s.keyword, '"service tcp|udp|sctp ADDRESS:PORT" or "service fwmark N [inet|inet6]"');
  if (first.text === 'fwmark') {
    const mark = int(sink, second, { what: 'a fwmark', min: 1, max: 2 ** 32 - 1 });
    const fam = third && oneOf(sink, third, { what: 'an address family', values: ['inet', 'inet6'] as const });
    if (mark === undefined || (third && fam === undefined)) return undefined;
    const family: IpFamily = fam === 'inet6' ? 6 : 4;
    return { kind: 'fwmark', family, fwmark: mark };
  }
  const protocol = oneOf<L4Protocol>(sink, first, { what: 'a protocol', values: ['tcp', 'udp', 'sctp'] });
  const ep = endpoint(sink, second, 'a service address');
  if (third) return bad(sink, third, `nothing after the service address`);
  if (protocol === undefined || ep === undefined) return undefined;
  return { kind: 'addr', family: ep.ip.family, protocol, address: ep.ip.address, port: ep.port };
}

export function buildNativeService(v: NativeService): VirtualService {
  const health = realHealth(v);
  const sorryServer = buildSorry(v);
  const netmaskDefault = v.key.family === 4 ? D.persistenceNetmask4 : D.persistenceNetmask6;
  return {
    at: v.at,
    key: v.key,
    scheduler: v.scheduler ?? D.scheduler,
    schedFlags: v.schedFlags,
    ...(v.persistence ? { persistence: { timeoutS: v.persistence.timeoutS, netmask: v.persistence.netmask ?? netmaskDefault } } : {}),
    onePacket: v.onePacket ?? false,
    ...(v.pe !== undefined ? { pe: v.pe } : {}),
    reals: v.reals.map((r) => buildReal(r, v, health)),
    ...(health ? { health: { quorum: D.checks.quorum, hysteresis: D.checks.hysteresis, omega: false, haSuspend: false } } : {}),
    ...(sorryServer ? { sorry: sorryServer } : {}),
  };
}
