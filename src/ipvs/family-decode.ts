/**
 * Attribute readers for the IPVS codec (pure, never throw). Netlink integers are host order
 * (x86/arm64: little endian) except where a comment in family.ts says be16/be32.
 * Stats (IPVS_STATS_ATTR_*): in STATS conns/pkts/rates are u32 and bytes u64; in STATS64 all
 * are u64 (ip_vs_genl_fill_stats / _stats64); each value is read by its length, PAD (11) skipped.
 */
import { parseAttributes } from 'netlink/dist/structs.js';
import type { Result } from '../errors.js';
import { addrFromWire } from './family-addr.js';
import { Cmd, CmdAttr, DaemonAttr, DestAttr, InfoAttr, SvcAttr, type CmdName, type IpvsRequest } from './family-attrs.js';
import {
  AF_INET, AF_INET6, SVC_F_HASHED,
  type AddressFamily, type IpvsDaemon, type IpvsDest, type IpvsInfo, type IpvsService, type IpvsStats,
  type IpvsTimeouts, type ServiceId,
} from './types.js';

export type DecodeReason =
  | 'malformed-attributes' | 'missing-attribute' | 'bad-af' | 'bad-address' | 'bad-length' | 'bad-string' | 'bad-value';
export interface DecodeError { readonly reason: DecodeReason; readonly attr?: string }

/** type → payload; the last occurrence wins (nla_parse keeps the last). */
type Attrs = ReadonlyMap<number, Buffer>;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function hostU32(b: Buffer, off: number): number {
  return LE ? b.readUInt32LE(off) : b.readUInt32BE(off);
}

/** Parse a TLV stream with netlink's parseAttributes; a malformed stream is a value, not a throw. */
export function attrMap(buf: Buffer): Result<Attrs, DecodeError> {
  const m = new Map<number, Buffer>();
  try {
    parseAttributes(buf, (a) => { m.set(a.type, a.data); });
  } catch {
    return { ok: false, error: { reason: 'malformed-attributes' } };
  }
  return { ok: true, value: m };
}

/** Fixed-length readers: undefined when absent or of the wrong length. */
function u8(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 1 ? b[0] : undefined;
}
function u16(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 2 ? (LE ? b.readUInt16LE(0) : b.readUInt16BE(0)) : undefined;
}
function u16be(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 2 ? b.readUInt16BE(0) : undefined;
}
function u32(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 4 ? hostU32(b, 0) : undefined;
}
function u32be(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 4 ? b.readUInt32BE(0) : undefined;
}
function bytes(a: Attrs, t: number): Buffer | undefined {
  return a.get(t);
}
/** NUL-terminated string: undefined when absent, null when not terminated. Text stops at the first NUL. */
function str(a: Attrs, t: number): string | undefined | null {
  const b = a.get(t);
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return nul < 0 ? null : b.toString('utf8', 0, nul);
}

function uint(b: Buffer | undefined): bigint {
  if (!b) return 0n;
  if (b.length === 8) return LE ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
  if (b.length === 4) return BigInt(hostU32(b, 0));
  return 0n;
}

/** A STATS or STATS64 nest; undefined when absent or malformed. */
export function decodeStats(nest: Buffer | undefined): IpvsStats | undefined {
  if (!nest) return undefined;
  const a = attrMap(nest);
  if (!a.ok) return undefined;
  const g = (t: number): bigint => uint(a.value.get(t));
  return {
    conns: g(1), inPkts: g(2), outPkts: g(3), inBytes: g(4), outBytes: g(5),
    cps: g(6), inPps: g(7), outPps: g(8), inBps: g(9), outBps: g(10),
  };
}

// ------------------------------------------------------------------ objects -----------

type R<T> = Result<T, DecodeError>;
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
  const a = attrMap(nest);
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
  const svc: IpvsService = {
    ...id.value, sched: sched ?? '', flags, timeout: u32(m, SvcAttr.TIMEOUT) ?? 0, netmask: netmask ?? 0,
    ...(pe ? { pe } : {}), ...(stats ? { stats } : {}),
  };
  return { ok: true, value: svc };
}

/** A DEST nest. `serviceAf` is used when ADDR_FAMILY is absent (kernels < 3.18). */
export function decodeDest(nest: Buffer, serviceAf: AddressFamily): R<IpvsDest> {
  const a = attrMap(nest);
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
  const opt = (k: 'activeConns' | 'inactConns' | 'persistConns', t: number): Partial<IpvsDest> => {
    const v = u32(m, t);
    return v === undefined ? {} : { [k]: v };
  };
  const dest: IpvsDest = {
    af, addr, port,
    fwd: (u32(m, DestAttr.FWD_METHOD) ?? 0) & 7,
    weight: (u32(m, DestAttr.WEIGHT) ?? 0) | 0,
    uThresh: u32(m, DestAttr.U_THRESH) ?? 0,
    lThresh: u32(m, DestAttr.L_THRESH) ?? 0,
    tunType: u8(m, DestAttr.TUN_TYPE) ?? 0,
    tunPort: u16be(m, DestAttr.TUN_PORT) ?? 0,
    tunFlags: u16(m, DestAttr.TUN_FLAGS) ?? 0,
    ...opt('activeConns', DestAttr.ACTIVE_CONNS), ...opt('inactConns', DestAttr.INACT_CONNS),
    ...opt('persistConns', DestAttr.PERSIST_CONNS), ...(stats ? { stats } : {}),
  };
  return { ok: true, value: dest };
}

/** A DAEMON nest (GET_DAEMON dump reply or NEW_DAEMON request). */
export function decodeDaemon(nest: Buffer): R<IpvsDaemon> {
  const a = attrMap(nest);
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

/** Decode a request (what ipvsadm or we send) back to its IpvsRequest: for vectors and fakes. */
export function decodeRequest(cmd: number, attrs: Buffer): R<IpvsRequest> {
  const name = (Object.keys(Cmd) as CmdName[]).find((k) => Cmd[k] === cmd);
  if (!name) return bad('bad-value', `cmd ${cmd}`);
  const top = attrMap(attrs);
  if (!top.ok) return top;
  const a = top.value;
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
