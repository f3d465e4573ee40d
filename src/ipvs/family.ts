/**
 * The IPVS generic netlink family: constants, encoders and decoders (pure).
 * Source: include/uapi/linux/ip_vs.h and net/netfilter/ipvs/ip_vs_ctl.c (Debian linux-source-6.1,
 * 6.1.192); attribute order follows ipvsadm 1.31 libipvs/libipvs.c so that our requests are
 * byte-identical to ipvsadm's (see family.vectors.ts). Byte order (reference §1.4–1.6, §7):
 * service/dest/tunnel ports are be16, the IPv4 NETMASK is raw network-order bytes, the IPv6
 * NETMASK a host u32 prefix, the daemon MCAST_PORT is host u16; everything else is host order.
 * Decoders never throw: they return Result values with a closed DecodeReason.
 */
import { AttrStream, putString, putU8, putU16, putU16be, putU32, putU32be } from 'netlink/dist/structs.js';
import type { Result } from '../errors.js';
import { addrFromWire, addrToWire } from './family-addr.js';
import {
  AF_INET, AF_INET6, SVC_F_HASHED,
  type AddressFamily, type DestId, type IpvsDaemon, type IpvsDest, type IpvsInfo, type IpvsOp,
  type IpvsService, type IpvsTimeouts, type ServiceId,
} from './types.js';
import { attrMap, bytes, decodeStats, hostU32, str, u16, u16be, u32, u32be, u8, type Attrs, type DecodeError } from './family-decode.js';

export { decodeStats, type DecodeError, type DecodeReason } from './family-decode.js';

export const IPVS_GENL_NAME = 'IPVS'; // IPVS_GENL_NAME
export const IPVS_GENL_VERSION = 1; // IPVS_GENL_VERSION

/** enum IPVS_CMD_* (ipvsadm calls 12/13 SET_TIMEOUT/GET_TIMEOUT). */
export const Cmd = {
  NEW_SERVICE: 1, SET_SERVICE: 2, DEL_SERVICE: 3, GET_SERVICE: 4,
  NEW_DEST: 5, SET_DEST: 6, DEL_DEST: 7, GET_DEST: 8,
  NEW_DAEMON: 9, DEL_DAEMON: 10, GET_DAEMON: 11,
  SET_CONFIG: 12, GET_CONFIG: 13, SET_INFO: 14, GET_INFO: 15, ZERO: 16, FLUSH: 17,
} as const;
export type CmdName = keyof typeof Cmd;

/** IPVS_CMD_ATTR_* (top level). GET_INFO replies reuse 1/2 for IPVS_INFO_ATTR_*. */
export const CmdAttr = { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 } as const;
export const InfoAttr = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;
/** IPVS_SVC_ATTR_*. */
export const SvcAttr = {
  AF: 1, PROTOCOL: 2, ADDR: 3, PORT: 4, FWMARK: 5, SCHED_NAME: 6, FLAGS: 7, TIMEOUT: 8,
  NETMASK: 9, STATS: 10, PE_NAME: 11, STATS64: 12,
} as const;
/** IPVS_DEST_ATTR_*. */
export const DestAttr = {
  ADDR: 1, PORT: 2, FWD_METHOD: 3, WEIGHT: 4, U_THRESH: 5, L_THRESH: 6, ACTIVE_CONNS: 7,
  INACT_CONNS: 8, PERSIST_CONNS: 9, STATS: 10, ADDR_FAMILY: 11, STATS64: 12, TUN_TYPE: 13,
  TUN_PORT: 14, TUN_FLAGS: 15,
} as const;
/** IPVS_DAEMON_ATTR_*. */
export const DaemonAttr = {
  STATE: 1, MCAST_IFN: 2, SYNC_ID: 3, SYNC_MAXLEN: 4, MCAST_GROUP: 5, MCAST_GROUP6: 6, MCAST_PORT: 7, MCAST_TTL: 8,
} as const;
/** IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP. */
export const DAEMON_STATE = { master: 1, backup: 2 } as const;
/** IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN (each includes the NUL). */
const NAME_MAXLEN = 16;

/** One IPVS request, by command. */
export type IpvsRequest =
  | { readonly cmd: 'NEW_SERVICE' | 'SET_SERVICE'; readonly service: IpvsService }
  | { readonly cmd: 'DEL_SERVICE'; readonly service: ServiceId }
  | { readonly cmd: 'GET_SERVICE' | 'ZERO'; readonly service?: ServiceId } // GET_SERVICE without service = dump
  | { readonly cmd: 'NEW_DEST' | 'SET_DEST'; readonly service: ServiceId; readonly dest: IpvsDest }
  | { readonly cmd: 'DEL_DEST'; readonly service: ServiceId; readonly dest: DestId }
  | { readonly cmd: 'GET_DEST'; readonly service: ServiceId }
  | { readonly cmd: 'NEW_DAEMON'; readonly daemon: IpvsDaemon }
  | { readonly cmd: 'DEL_DAEMON'; readonly state: 'master' | 'backup' }
  | { readonly cmd: 'SET_CONFIG'; readonly timeouts: IpvsTimeouts }
  | { readonly cmd: 'GET_DAEMON' | 'GET_CONFIG' | 'GET_INFO' | 'FLUSH' };

export interface EncodedRequest {
  readonly cmd: number;
  /** NLM_F_DUMP needed: GET_DEST and GET_DAEMON are dump-only, GET_SERVICE without a service is the dump. */
  readonly dump: boolean;
  /** Attribute payload after the genl header. */
  readonly attrs: Buffer;
}

export type EncodeReason = 'bad-address' | 'name-too-long' | 'bad-family';
export interface EncodeError { readonly reason: EncodeReason; readonly detail: string }

class EncodeFailure extends Error {
  constructor(readonly error: EncodeError) { super(error.detail); }
}
const fail = (reason: EncodeReason, detail: string): never => { throw new EncodeFailure({ reason, detail }); };

function wireAddr(af: AddressFamily, text: string): Buffer {
  if (af !== AF_INET && af !== AF_INET6) return fail('bad-family', String(af));
  return addrToWire(af, text) ?? fail('bad-address', text);
}
function name(text: string): Buffer {
  const b = putString(text);
  return b.length > NAME_MAXLEN ? fail('name-too-long', text) : b;
}

/** Identity: AF + (FWMARK | PROTOCOL, ADDR, PORT), as ipvs_nl_fill_service_attr puts them. */
function pushServiceId(out: AttrStream, s: ServiceId): void {
  out.push(SvcAttr.AF, putU16(s.af));
  if (s.fwmark) {
    out.push(SvcAttr.FWMARK, putU32(s.fwmark >>> 0));
  } else {
    out.push(SvcAttr.PROTOCOL, putU16(s.protocol));
    out.push(SvcAttr.ADDR, wireAddr(s.af, s.addr));
    out.push(SvcAttr.PORT, putU16be(s.port));
  }
}

/** Flags struct ip_vs_flags {u32 flags; u32 mask} in host order; mask ~0 as ipvsadm sends. */
export function encodeFlags(flags: number): Buffer {
  return Buffer.concat([putU32(flags >>> 0), putU32(0xffffffff)]);
}

/** NETMASK: IPv4 mask bytes in network order; IPv6 prefix length as host u32 (ip_vs_ctl.c uses nla_get_be32). */
export function encodeNetmask(af: AddressFamily, netmask: number): Buffer {
  return af === AF_INET ? putU32be(netmask >>> 0) : putU32(netmask >>> 0);
}

function pushService(out: AttrStream, s: IpvsService): void {
  pushServiceId(out, s);
  out.push(SvcAttr.SCHED_NAME, name(s.sched));
  if (s.pe) out.push(SvcAttr.PE_NAME, name(s.pe));
  out.push(SvcAttr.FLAGS, encodeFlags(s.flags & ~SVC_F_HASHED));
  out.push(SvcAttr.TIMEOUT, putU32(s.timeout >>> 0));
  out.push(SvcAttr.NETMASK, encodeNetmask(s.af, s.netmask));
}

function pushDestId(out: AttrStream, d: DestId): void {
  out.push(DestAttr.ADDR_FAMILY, putU16(d.af));
  out.push(DestAttr.ADDR, wireAddr(d.af, d.addr));
  out.push(DestAttr.PORT, putU16be(d.port));
}

/** Full dest in ipvs_nl_fill_dest_attr order. TUN_* always sent: omitted means zero (ipip). */
function pushDest(out: AttrStream, d: IpvsDest): void {
  pushDestId(out, d);
  out.push(DestAttr.FWD_METHOD, putU32(d.fwd & 7));
  out.push(DestAttr.WEIGHT, putU32(d.weight >>> 0));
  out.push(DestAttr.TUN_TYPE, putU8(d.tunType));
  out.push(DestAttr.TUN_PORT, putU16be(d.tunPort));
  out.push(DestAttr.TUN_FLAGS, putU16(d.tunFlags));
  out.push(DestAttr.U_THRESH, putU32(d.uThresh >>> 0));
  out.push(DestAttr.L_THRESH, putU32(d.lThresh >>> 0));
}

/** NEW_DAEMON nest in ipvs_start_daemon order; optional fields only when set. */
function pushDaemon(out: AttrStream, d: IpvsDaemon): void {
  out.push(DaemonAttr.STATE, putU32(DAEMON_STATE[d.state]));
  out.push(DaemonAttr.MCAST_IFN, name(d.mcastIfn));
  out.push(DaemonAttr.SYNC_ID, putU32(d.syncId >>> 0));
  if (d.maxLen) out.push(DaemonAttr.SYNC_MAXLEN, putU16(d.maxLen));
  if (d.mcastPort) out.push(DaemonAttr.MCAST_PORT, putU16(d.mcastPort)); // host order, unlike other ports
  if (d.mcastTtl) out.push(DaemonAttr.MCAST_TTL, putU8(d.mcastTtl));
  if (d.mcastGroup) {
    const v6 = d.mcastGroup.includes(':');
    const wire = wireAddr(v6 ? AF_INET6 : AF_INET, d.mcastGroup);
    if (v6) out.push(DaemonAttr.MCAST_GROUP6, wire);
    else out.push(DaemonAttr.MCAST_GROUP, wire.subarray(0, 4)); // nla_get_in_addr: network order
  }
}

function fill(out: AttrStream, req: IpvsRequest): void {
  switch (req.cmd) {
    case 'NEW_SERVICE': case 'SET_SERVICE':
      out.push(CmdAttr.SERVICE, (o) => pushService(o, req.service)); return;
    case 'DEL_SERVICE': case 'GET_DEST':
      out.push(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service)); return;
    case 'GET_SERVICE': case 'ZERO': {
      const svc = req.service;
      if (svc) out.push(CmdAttr.SERVICE, (o) => pushServiceId(o, svc));
      return;
    }
    case 'NEW_DEST': case 'SET_DEST':
      out.push(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service));
      out.push(CmdAttr.DEST, (o) => pushDest(o, req.dest)); return;
    case 'DEL_DEST':
      out.push(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service));
      out.push(CmdAttr.DEST, (o) => pushDestId(o, req.dest)); return;
    case 'NEW_DAEMON':
      out.push(CmdAttr.DAEMON, (o) => pushDaemon(o, req.daemon)); return;
    case 'DEL_DAEMON':
      out.push(CmdAttr.DAEMON, (o) => o.push(DaemonAttr.STATE, putU32(DAEMON_STATE[req.state]))); return;
    case 'SET_CONFIG':
      out.push(CmdAttr.TIMEOUT_TCP, putU32(req.timeouts.tcp >>> 0));
      out.push(CmdAttr.TIMEOUT_TCP_FIN, putU32(req.timeouts.tcpFin >>> 0));
      out.push(CmdAttr.TIMEOUT_UDP, putU32(req.timeouts.udp >>> 0)); return;
    case 'GET_DAEMON': case 'GET_CONFIG': case 'GET_INFO': case 'FLUSH':
      return;
    default: {
      const never: never = req;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

/** Encode a request's attributes (after the genl header). Bad addresses or names are values, not throws. */
export function encodeRequest(req: IpvsRequest): Result<EncodedRequest, EncodeError> {
  const out = new AttrStream();
  try {
    fill(out, req);
  } catch (e) {
    if (e instanceof EncodeFailure) return { ok: false, error: e.error };
    throw e;
  }
  const dump = req.cmd === 'GET_DEST' || req.cmd === 'GET_DAEMON' || (req.cmd === 'GET_SERVICE' && !req.service);
  return { ok: true, value: { cmd: Cmd[req.cmd], dump, attrs: Buffer.concat(out.bufs) } };
}

/** The request that carries out one reconciler operation. */
export function opToRequest(op: IpvsOp): IpvsRequest {
  switch (op.op) {
    case 'add-service': return { cmd: 'NEW_SERVICE', service: op.service };
    case 'edit-service': return { cmd: 'SET_SERVICE', service: op.service };
    case 'del-service': return { cmd: 'DEL_SERVICE', service: op.service };
    case 'add-dest': return { cmd: 'NEW_DEST', service: op.service, dest: op.dest };
    case 'edit-dest': return { cmd: 'SET_DEST', service: op.service, dest: op.dest };
    case 'del-dest': return { cmd: 'DEL_DEST', service: op.service, dest: op.dest };
    default: {
      const never: never = op;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

// ------------------------------------------------------------------ decoding ----------

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
