/**
 * The IPVS generic netlink family: constants, encoders and decoders (pure).
 * Source: include/uapi/linux/ip_vs.h and net/netfilter/ipvs/ip_vs_ctl.c (Debian linux-source-6.1,
 * 6.1.192); attribute order follows ipvsadm 1.31 libipvs/libipvs.c so that our requests are
 * byte-identical to ipvsadm's (see family.vectors.ts). Byte order (ip_vs_genl_parse_service,
 * ip_vs_genl_fill_service and their dest / daemon twins in ip_vs_ctl.c):
 * service/dest/tunnel ports are be16, the IPv4 NETMASK is raw network-order bytes, the IPv6
 * NETMASK a host u32 prefix, the daemon MCAST_PORT is host u16; everything else is host order.
 * Decoders never throw: they return Result values with a closed DecodeReason.
 */
import type { Result } from '../errors.js';
import { addrToWire } from './address.js';
import { AttrWriter } from './family-writer.js';
import {
  AF_INET, AF_INET6, SVC_F_HASHED,
  type AddressFamily, type DestId, type IpvsDaemon, type IpvsDest, type IpvsOp, type IpvsService, type ServiceId, type UnknownAttr,
} from './types.js';
import { Cmd, CmdAttr, DAEMON_STATE, DaemonAttr, DestAttr, NAME_MAXLEN, SvcAttr, type IpvsRequest } from './family-attrs.js';

export * from './family-attrs.js';
export * from './family-decode.js';
export type { DecodeError, DecodeReason } from './family-reader.js';
export { AttrWriter, NLA_F_NESTED } from './family-writer.js';

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
function name(text: string): string {
  return Buffer.byteLength(text) + 1 > NAME_MAXLEN ? fail('name-too-long', text) : text;
}

/** Attributes the decoder did not know, back as they came (after the known ones). */
function putUnknown(w: AttrWriter, attrs: readonly UnknownAttr[] | undefined): void {
  for (const a of attrs ?? []) w.bytes(a.type, Buffer.from(a.hex, 'hex'));
}

/** Identity: AF + (FWMARK | PROTOCOL, ADDR, PORT), as ipvs_nl_fill_service_attr puts them. */
function putServiceId(w: AttrWriter, s: ServiceId): void {
  w.u16(SvcAttr.AF, s.af);
  if (s.fwmark) {
    w.u32(SvcAttr.FWMARK, s.fwmark);
  } else {
    w.u16(SvcAttr.PROTOCOL, s.protocol);
    w.bytes(SvcAttr.ADDR, wireAddr(s.af, s.addr));
    w.u16be(SvcAttr.PORT, s.port);
  }
}

/**
 * Full service. FLAGS is struct ip_vs_flags {flags, mask} in host order with mask ~0, as
 * ipvsadm sends it. NETMASK: IPv4 mask bytes in network order; IPv6 prefix length as host u32
 * (ip_vs_ctl.c reads it with nla_get_be32 and compares the IPv6 value to 1..128).
 */
function putService(w: AttrWriter, s: IpvsService): void {
  putServiceId(w, s);
  w.str(SvcAttr.SCHED_NAME, name(s.sched));
  if (s.pe) w.str(SvcAttr.PE_NAME, name(s.pe));
  w.u32pair(SvcAttr.FLAGS, s.flags & ~SVC_F_HASHED, 0xffffffff);
  w.u32(SvcAttr.TIMEOUT, s.timeout);
  if (s.af === AF_INET) w.u32be(SvcAttr.NETMASK, s.netmask);
  else w.u32(SvcAttr.NETMASK, s.netmask);
  putUnknown(w, s.unknownAttrs);
}

function putDestId(w: AttrWriter, d: DestId): void {
  w.u16(DestAttr.ADDR_FAMILY, d.af);
  w.bytes(DestAttr.ADDR, wireAddr(d.af, d.addr));
  w.u16be(DestAttr.PORT, d.port);
}

/** Full dest in ipvs_nl_fill_dest_attr order. TUN_* always sent: omitted means zero (ipip). */
function putDest(w: AttrWriter, d: IpvsDest): void {
  putDestId(w, d);
  w.u32(DestAttr.FWD_METHOD, d.fwd & 7);
  w.u32(DestAttr.WEIGHT, d.weight);
  w.u8(DestAttr.TUN_TYPE, d.tunType);
  w.u16be(DestAttr.TUN_PORT, d.tunPort);
  w.u16(DestAttr.TUN_FLAGS, d.tunFlags);
  w.u32(DestAttr.U_THRESH, d.uThresh);
  w.u32(DestAttr.L_THRESH, d.lThresh);
  putUnknown(w, d.unknownAttrs);
}

/** NEW_DAEMON nest in ipvs_start_daemon order; optional fields only when set. */
function putDaemon(w: AttrWriter, d: IpvsDaemon): void {
  w.u32(DaemonAttr.STATE, DAEMON_STATE[d.state]);
  w.str(DaemonAttr.MCAST_IFN, name(d.mcastIfn));
  w.u32(DaemonAttr.SYNC_ID, d.syncId);
  if (d.maxLen) w.u16(DaemonAttr.SYNC_MAXLEN, d.maxLen);
  if (d.mcastPort) w.u16(DaemonAttr.MCAST_PORT, d.mcastPort); // host order, unlike other ports
  if (d.mcastTtl) w.u8(DaemonAttr.MCAST_TTL, d.mcastTtl);
  if (d.mcastGroup) {
    const v6 = d.mcastGroup.includes(':');
    const wire = wireAddr(v6 ? AF_INET6 : AF_INET, d.mcastGroup);
    if (v6) w.bytes(DaemonAttr.MCAST_GROUP6, wire);
    else w.bytes(DaemonAttr.MCAST_GROUP, wire.subarray(0, 4)); // nla_get_in_addr: network order
  }
  putUnknown(w, d.unknownAttrs);
}

function fill(w: AttrWriter, req: IpvsRequest): void {
  switch (req.cmd) {
    case 'NEW_SERVICE': case 'SET_SERVICE':
      w.nest(CmdAttr.SERVICE, () => putService(w, req.service)); return;
    case 'DEL_SERVICE': case 'GET_DEST':
      w.nest(CmdAttr.SERVICE, () => putServiceId(w, req.service)); return;
    case 'GET_SERVICE': case 'ZERO': {
      const svc = req.service;
      if (svc) w.nest(CmdAttr.SERVICE, () => putServiceId(w, svc));
      return;
    }
    case 'NEW_DEST': case 'SET_DEST':
      w.nest(CmdAttr.SERVICE, () => putServiceId(w, req.service));
      w.nest(CmdAttr.DEST, () => putDest(w, req.dest)); return;
    case 'DEL_DEST':
      w.nest(CmdAttr.SERVICE, () => putServiceId(w, req.service));
      w.nest(CmdAttr.DEST, () => putDestId(w, req.dest)); return;
    case 'NEW_DAEMON':
      w.nest(CmdAttr.DAEMON, () => putDaemon(w, req.daemon)); return;
    case 'DEL_DAEMON':
      w.nest(CmdAttr.DAEMON, () => w.u32(DaemonAttr.STATE, DAEMON_STATE[req.state])); return;
    case 'SET_CONFIG':
      w.u32(CmdAttr.TIMEOUT_TCP, req.timeouts.tcp);
      w.u32(CmdAttr.TIMEOUT_TCP_FIN, req.timeouts.tcpFin);
      w.u32(CmdAttr.TIMEOUT_UDP, req.timeouts.udp); return;
    case 'GET_DAEMON': case 'GET_CONFIG': case 'GET_INFO': case 'FLUSH':
      return;
    default: {
      const never: never = req;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

/** Write a request's attributes into `w`; on failure `w` is left as it was. */
export function encodeRequestInto(w: AttrWriter, req: IpvsRequest): Result<{ cmd: number; dump: boolean }, EncodeError> {
  const start = w.offset;
  try {
    fill(w, req);
    putUnknown(w, req.unknownAttrs);
  } catch (e) {
    if (e instanceof EncodeFailure) {
      w.truncate(start);
      return { ok: false, error: e.error };
    }
    throw e;
  }
  const dump = req.cmd === 'GET_DEST' || req.cmd === 'GET_DAEMON' || (req.cmd === 'GET_SERVICE' && !req.service);
  return { ok: true, value: { cmd: Cmd[req.cmd], dump } };
}

/** Encode a request's attributes (after the genl header). Bad addresses or names are values, not throws. */
export function encodeRequest(req: IpvsRequest): Result<EncodedRequest, EncodeError> {
  const w = new AttrWriter();
  const r = encodeRequestInto(w, req);
  return r.ok ? { ok: true, value: { ...r.value, attrs: w.finish() } } : r;
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

