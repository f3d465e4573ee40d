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
import { addrToWire } from './family-addr.js';
import {
  AF_INET, AF_INET6, SVC_F_HASHED,
  type AddressFamily, type DestId, type IpvsDaemon, type IpvsDest, type IpvsOp, type IpvsService, type ServiceId,
} from './types.js';
import { Cmd, CmdAttr, DAEMON_STATE, DaemonAttr, DestAttr, NAME_MAXLEN, SvcAttr, type IpvsRequest } from './family-attrs.js';

export * from './family-attrs.js';
export * from './family-decode.js';

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

/** NLA_F_NESTED (include/uapi/linux/netlink.h); IPVS does not require it, but libnl/ipvsadm set it. */
export const NLA_F_NESTED = 0x8000;

/** A nest as libnl's nla_nest_start/nla_nest_end build it: NLA_F_NESTED set, body padded to 4 bytes. */
function nest(type: number, fillNest: (o: AttrStream) => void): Buffer {
  const inner = new AttrStream();
  fillNest(inner);
  const body = Buffer.concat(inner.bufs);
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  return Buffer.concat([putU16(4 + padded.length), putU16(type | NLA_F_NESTED), padded]);
}

function fill(out: AttrStream, req: IpvsRequest): void {
  switch (req.cmd) {
    case 'NEW_SERVICE': case 'SET_SERVICE':
      out.emit(nest(CmdAttr.SERVICE, (o) => pushService(o, req.service))); return;
    case 'DEL_SERVICE': case 'GET_DEST':
      out.emit(nest(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service))); return;
    case 'GET_SERVICE': case 'ZERO': {
      const svc = req.service;
      if (svc) out.emit(nest(CmdAttr.SERVICE, (o) => pushServiceId(o, svc)));
      return;
    }
    case 'NEW_DEST': case 'SET_DEST':
      out.emit(nest(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service)));
      out.emit(nest(CmdAttr.DEST, (o) => pushDest(o, req.dest))); return;
    case 'DEL_DEST':
      out.emit(nest(CmdAttr.SERVICE, (o) => pushServiceId(o, req.service)));
      out.emit(nest(CmdAttr.DEST, (o) => pushDestId(o, req.dest))); return;
    case 'NEW_DAEMON':
      out.emit(nest(CmdAttr.DAEMON, (o) => pushDaemon(o, req.daemon))); return;
    case 'DEL_DAEMON':
      out.emit(nest(CmdAttr.DAEMON, (o) => o.push(DaemonAttr.STATE, putU32(DAEMON_STATE[req.state])))); return;
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

