/**
 * Decoders of the IPVS objects (pure, never throw), on the attribute reader in family-reader.ts.
 * Stats (IPVS_STATS_ATTR_*): in STATS conns/pkts/rates are u32 and bytes u64; in STATS64 all
 * are u64 (ip_vs_genl_fill_stats / _stats64); each value is read by its length, PAD (11) skipped.
 */
import type { Result } from '../errors.js';
import { addrFromWire } from './address.js';
import { attrMap, hostU32, type Attrs, type DecodeError } from './family-reader.js';
import { Cmd, CmdAttr, DaemonAttr, DestAttr, InfoAttr, KNOWN_MAX, SvcAttr, type CmdName, type IpvsRequest } from './family-attrs.js';
import {
  AF_INET, AF_INET6, SVC_F_HASHED,
  type AddressFamily, type IpvsDaemon, type IpvsDest, type IpvsInfo, type IpvsService, type IpvsStats,
  type IpvsTimeouts, type ServiceId,
} from './types.js';

const u8 = (a: Attrs, t: number): number | undefined => a.u8(t);
const u16 = (a: Attrs, t: number): number | undefined => a.u16(t);
const u16be = (a: Attrs, t: number): number | undefined => a.u16be(t);
const u32 = (a: Attrs, t: number): number | undefined => a.u32(t);
const u32be = (a: Attrs, t: number): number | undefined => a.u32be(t);
const bytes = (a: Attrs, t: number): Buffer | undefined => a.get(t);
const str = (a: Attrs, t: number): string | undefined | null => a.str(t);

/** A STATS or STATS64 nest; undefined when absent or malformed. */
export function decodeStats(nest: Buffer | undefined): IpvsStats | undefined {
  if (!nest) return undefined;
  const a = attrMap(nest);
  if (!a.ok) return undefined;
  const g = (t: number): bigint => a.value.uint(t);
  return {
    conns: g(1), inPkts: g(2), outPkts: g(3), inBytes: g(4), outBytes: g(5),
    cps: g(6), inPps: g(7), outPps: g(8), inBps: g(9), outBps: g(10),
  };
}

// ------------------------------------------------------------------ objects -----------

type R<T> = Result<T, DecodeError>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const bad = <T>(reason: DecodeError['reason'], attr?: string): R<T> => ({ ok: false, error: attr ? { reason, attr } : { reason } });

function family(v: number | undefined): AddressFamily | undefined {
  return v === AF_INET || v === AF_INET6 ? v : undefined;
}

function decodeServiceId(a: Attrs): R<ServiceId> {
  const af = family(u16(a, SvcAttr.AF));
  if (af === undefined) return bad(a.has(SvcAttr.AF) ? 'bad-af' : 'missing-attribute', 'AF');
  const fwmark = u32(a, SvcAttr.FWMARK);
  if (fwmark) return { ok: true, value: { af, protocol: 0, addr: '', port: 0, fwmark } };
  const protocol = u16(a, SvcAttr.PROTOCOL);
  const port = u16be(a, SvcAttr.PORT);
  const raw = bytes(a, SvcAttr.ADDR);
  if (protocol === undefined || port === undefined || !raw) return bad('missing-attribute', 'PROTOCOL/ADDR/PORT');
  const addr = addrFromWire(af, raw);
  if (addr === undefined) return bad('bad-address', 'ADDR');
  return { ok: true, value: { af, protocol, addr, port, fwmark: 0 } };
}

/** A SERVICE nest (dump reply or request). Absent settings decode as zero / "". Flags: (flags & mask) without HASHED. */
export function decodeService(nest: Buffer): R<IpvsService> {
  const a = attrMap(nest, KNOWN_MAX.service);
  if (!a.ok) return a;
  const id = decodeServiceId(a.value);
  if (!id.ok) return id;
  const m = a.value;
  const flagsRaw = bytes(m, SvcAttr.FLAGS);
  let flags = 0;
  if (flagsRaw) {
    if (flagsRaw.length !== 8) return bad('bad-length', 'FLAGS');
    flags = (hostU32(flagsRaw, 0) & hostU32(flagsRaw, 4) & ~SVC_F_HASHED) >>> 0;
  }
  const sched = str(m, SvcAttr.SCHED_NAME);
  const pe = str(m, SvcAttr.PE_NAME);
  if (sched === null || pe === null) return bad('bad-string', sched === null ? 'SCHED_NAME' : 'PE_NAME');
  const netmask = id.value.af === AF_INET ? u32be(m, SvcAttr.NETMASK) : u32(m, SvcAttr.NETMASK);
  const stats = decodeStats(bytes(m, SvcAttr.STATS64) ?? bytes(m, SvcAttr.STATS));
  const v = id.value;
  const svc: Mutable<IpvsService> = {
    af: v.af, protocol: v.protocol, addr: v.addr, port: v.port, fwmark: v.fwmark,
    sched: sched ?? '', flags, timeout: u32(m, SvcAttr.TIMEOUT) ?? 0, netmask: netmask ?? 0,
  };
  if (pe) svc.pe = pe;
  if (stats) svc.stats = stats;
  if (m.unknown) svc.unknownAttrs = m.unknown;
  return { ok: true, value: svc };
}

/** A DEST nest. `serviceAf` is used when ADDR_FAMILY is absent (kernels < 3.18). */
export function decodeDest(nest: Buffer, serviceAf: AddressFamily): R<IpvsDest> {
  const a = attrMap(nest, KNOWN_MAX.dest);
  if (!a.ok) return a;
  const m = a.value;
  const afRaw = u16(m, DestAttr.ADDR_FAMILY);
  const af = afRaw === undefined ? serviceAf : family(afRaw);
  if (af === undefined) return bad('bad-af', 'ADDR_FAMILY');
  const raw = bytes(m, DestAttr.ADDR);
  const port = u16be(m, DestAttr.PORT);
  if (!raw || port === undefined) return bad('missing-attribute', 'ADDR/PORT');
  const addr = addrFromWire(af, raw);
  if (addr === undefined) return bad('bad-address', 'ADDR');
  const stats = decodeStats(bytes(m, DestAttr.STATS64) ?? bytes(m, DestAttr.STATS));
  // built by assignment: object spreads of optional parts cost more than the rest of the decode
  const dest: Mutable<IpvsDest> = {
    af, addr, port,
    fwd: (u32(m, DestAttr.FWD_METHOD) ?? 0) & 7,
    weight: (u32(m, DestAttr.WEIGHT) ?? 0) | 0,
    uThresh: u32(m, DestAttr.U_THRESH) ?? 0,
    lThresh: u32(m, DestAttr.L_THRESH) ?? 0,
    tunType: u8(m, DestAttr.TUN_TYPE) ?? 0,
    tunPort: u16be(m, DestAttr.TUN_PORT) ?? 0,
    tunFlags: u16(m, DestAttr.TUN_FLAGS) ?? 0,
  };
  const active = u32(m, DestAttr.ACTIVE_CONNS);
  const inact = u32(m, DestAttr.INACT_CONNS);
  const persist = u32(m, DestAttr.PERSIST_CONNS);
  if (active !== undefined) dest.activeConns = active;
  if (inact !== undefined) dest.inactConns = inact;
  if (persist !== undefined) dest.persistConns = persist;
  if (stats) dest.stats = stats;
  if (m.unknown) dest.unknownAttrs = m.unknown;
  return { ok: true, value: dest };
}

/** A DAEMON nest (GET_DAEMON dump reply or NEW_DAEMON request). */
export function decodeDaemon(nest: Buffer): R<IpvsDaemon> {
  const a = attrMap(nest, KNOWN_MAX.daemon);
  if (!a.ok) return a;
  const m = a.value;
  const stateNum = u32(m, DaemonAttr.STATE);
  const state = stateNum === 1 ? 'master' : stateNum === 2 ? 'backup' : undefined;
  if (!state) return bad(stateNum === undefined ? 'missing-attribute' : 'bad-value', 'STATE');
  const ifn = str(m, DaemonAttr.MCAST_IFN);
  if (ifn === null) return bad('bad-string', 'MCAST_IFN');
  const g4 = bytes(m, DaemonAttr.MCAST_GROUP);
  const g6 = bytes(m, DaemonAttr.MCAST_GROUP6);
  const group = g6 && g6.length === 16 ? addrFromWire(AF_INET6, g6) : g4 && g4.length === 4 ? addrFromWire(AF_INET, g4) : undefined;
  const num = (k: keyof IpvsDaemon, v: number | undefined): Partial<IpvsDaemon> => (v === undefined ? {} : { [k]: v });
  const daemon: IpvsDaemon = {
    state, mcastIfn: ifn ?? '', syncId: u32(m, DaemonAttr.SYNC_ID) ?? 0,
    ...num('maxLen', u16(m, DaemonAttr.SYNC_MAXLEN)),
    ...(group ? { mcastGroup: group } : {}),
    ...num('mcastPort', u16(m, DaemonAttr.MCAST_PORT)),
    ...num('mcastTtl', u8(m, DaemonAttr.MCAST_TTL)),
    ...(m.unknown ? { unknownAttrs: m.unknown } : {}),
  };
  return { ok: true, value: daemon };
}

/** GET_CONFIG reply (cmd SET_CONFIG): TIMEOUT_* at top level. */
export function decodeTimeouts(top: Buffer): R<IpvsTimeouts> {
  const a = attrMap(top);
  if (!a.ok) return a;
  const m = a.value;
  return { ok: true, value: { tcp: u32(m, CmdAttr.TIMEOUT_TCP) ?? 0, tcpFin: u32(m, CmdAttr.TIMEOUT_TCP_FIN) ?? 0, udp: u32(m, CmdAttr.TIMEOUT_UDP) ?? 0 } };
}

/** GET_INFO reply (cmd SET_INFO): INFO attributes at top level. */
export function decodeInfo(top: Buffer): R<IpvsInfo> {
  const a = attrMap(top);
  if (!a.ok) return a;
  const version = u32(a.value, InfoAttr.VERSION);
  const connTabSize = u32(a.value, InfoAttr.CONN_TAB_SIZE);
  if (version === undefined || connTabSize === undefined) return bad('missing-attribute', 'VERSION/CONN_TAB_SIZE');
  return { ok: true, value: { version, connTabSize } };
}

/** The payload of the one top-level nest of type `type` (dump replies carry exactly one). */
export function topNest(top: Buffer, type: number): R<Buffer> {
  const a = attrMap(top);
  if (!a.ok) return a;
  const nest = a.value.get(type);
  return nest ? { ok: true, value: nest } : bad('missing-attribute', `nest ${type}`);
}

const serviceIdOf = (s: ServiceId): ServiceId => ({ af: s.af, protocol: s.protocol, addr: s.addr, port: s.port, fwmark: s.fwmark });

function serviceIn(a: Attrs): R<IpvsService> | undefined {
  const n = a.get(CmdAttr.SERVICE);
  return n ? decodeService(n) : undefined;
}

/**
 * Decode a request (what ipvsadm or we send) back to its IpvsRequest: for vectors and fakes.
 * Unknown attributes, top-level or in the full SERVICE / DEST / DAEMON nests, are kept.
 */
export function decodeRequest(cmd: number, attrs: Buffer): R<IpvsRequest> {
  const top = attrMap(attrs, KNOWN_MAX.top);
  if (!top.ok) return top;
  const r = decodeRequestBody(cmd, attrs, top.value);
  if (!r.ok || !top.value.unknown) return r;
  return { ok: true, value: { ...r.value, unknownAttrs: top.value.unknown } };
}

function decodeRequestBody(cmd: number, attrs: Buffer, a: Attrs): R<IpvsRequest> {
  const name = (Object.keys(Cmd) as CmdName[]).find((k) => Cmd[k] === cmd);
  if (!name) return bad('bad-value', `cmd ${cmd}`);
  const svc = serviceIn(a);
  if (svc && !svc.ok) return svc;
  const service = svc?.value;
  const needSvc = (): R<IpvsService> => (service ? { ok: true, value: service } : bad('missing-attribute', 'SERVICE'));
  switch (name) {
    case 'NEW_SERVICE': case 'SET_SERVICE': {
      const s = needSvc();
      return s.ok ? { ok: true, value: { cmd: name, service: s.value } } : s;
    }
    case 'DEL_SERVICE': case 'GET_DEST': {
      const s = needSvc();
      return s.ok ? { ok: true, value: { cmd: name, service: serviceIdOf(s.value) } } : s;
    }
    case 'GET_SERVICE': case 'ZERO':
      return { ok: true, value: service ? { cmd: name, service: serviceIdOf(service) } : { cmd: name } };
    case 'NEW_DEST': case 'SET_DEST': case 'DEL_DEST': {
      const s = needSvc();
      if (!s.ok) return s;
      const dn = a.get(CmdAttr.DEST);
      const d = dn ? decodeDest(dn, s.value.af) : bad<IpvsDest>('missing-attribute', 'DEST');
      if (!d.ok) return d;
      const sid = serviceIdOf(s.value);
      return name === 'DEL_DEST'
        ? { ok: true, value: { cmd: name, service: sid, dest: { af: d.value.af, addr: d.value.addr, port: d.value.port } } }
        : { ok: true, value: { cmd: name, service: sid, dest: d.value } };
    }
    case 'NEW_DAEMON': case 'DEL_DAEMON': {
      const dn = a.get(CmdAttr.DAEMON);
      const d = dn ? decodeDaemon(dn) : bad<IpvsDaemon>('missing-attribute', 'DAEMON');
      if (!d.ok) return d;
      return name === 'NEW_DAEMON' ? { ok: true, value: { cmd: name, daemon: d.value } } : { ok: true, value: { cmd: name, state: d.value.state } };
    }
    case 'SET_CONFIG': {
      const t = decodeTimeouts(attrs);
      return t.ok ? { ok: true, value: { cmd: name, timeouts: t.value } } : t;
    }
    case 'GET_DAEMON': case 'GET_CONFIG': case 'GET_INFO': case 'FLUSH':
      return { ok: true, value: { cmd: name } };
    case 'SET_INFO':
      return bad('bad-value', 'SET_INFO is a reply');
    default: {
      const never: never = name;
      return bad('bad-value', String(never));
    }
  }
}
