/**
 * The config model's virtual services → the kernel objects lvsd wants (pure).
 *
 * Encoding follows what ipvsadm sends for the same command line (ipvsadm.c process_options,
 * libipvs) so that a table written by ipvsadm or keepalived and one written by lvsd compare
 * equal: a non-persistent service carries timeout 0 and the host mask (0xffffffff / 128);
 * route and tunnel destinations of a non-fwmark service take the service port.
 * Destinations come out in one canonical order (family, address bytes, port); the
 * reconciler adds them in that order, which `mh` needs (see reconcile.ts).
 */
import { addrBytes, canonicalAddr } from './address.js';
import {
  AF_INET,
  AF_INET6,
  FWD_DROUTE,
  FWD_MASQ,
  FWD_TUNNEL,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SVC_F_ONEPACKET,
  SVC_F_PERSISTENT,
  SVC_F_SCHED1,
  SVC_F_SCHED2,
  SVC_F_SCHED3,
  TUN_F_CSUM,
  TUN_F_NOCSUM,
  TUN_F_REMCSUM,
  TUN_TYPE_GRE,
  TUN_TYPE_GUE,
  TUN_TYPE_IPIP,
  type AddressFamily,
  type IpvsDest,
  type IpvsService,
  type IpvsServiceWithDests,
} from './types.js';
import type { ForwardMethod, IpFamily, L4Protocol, Persistence, RealServer, VirtualService } from '../model/index.js';

const PROTO: Record<L4Protocol, number> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, sctp: IPPROTO_SCTP };
const FWD: Record<ForwardMethod, number> = { route: FWD_DROUTE, masq: FWD_MASQ, tunnel: FWD_TUNNEL };
const TUN_TYPE = { ipip: TUN_TYPE_IPIP, gue: TUN_TYPE_GUE, gre: TUN_TYPE_GRE } as const;
const TUN_CSUM = { nocsum: TUN_F_NOCSUM, csum: TUN_F_CSUM, remcsum: TUN_F_REMCSUM } as const;

/** ipvsadm parse_sched_flags names → IP_VS_SVC_F_SCHED* bits. */
const SCHED_FLAG: Readonly<Record<string, number>> = {
  'flag-1': SVC_F_SCHED1,
  'flag-2': SVC_F_SCHED2,
  'flag-3': SVC_F_SCHED3,
  'sh-fallback': SVC_F_SCHED1,
  'sh-port': SVC_F_SCHED2,
  'mh-fallback': SVC_F_SCHED1,
  'mh-port': SVC_F_SCHED2,
};

export function afOf(f: IpFamily): AddressFamily {
  return f === 6 ? AF_INET6 : AF_INET;
}

/** Scheduler flag names the model may carry; anything else was rejected by validation. */
export function schedFlagBits(names: readonly string[]): number {
  return names.reduce((bits, n) => bits | (SCHED_FLAG[n] ?? 0), 0);
}

/** IPv4 dotted mask → u32 of its dotted form (255.255.255.0 → 0xffffff00); IPv6 → prefix. */
function netmaskValue(af: AddressFamily, p: Persistence | undefined): number {
  if (af === AF_INET6) return typeof p?.netmask === 'number' ? p.netmask : 128;
  if (typeof p?.netmask !== 'string') return 0xffffffff;
  const b = addrBytes(AF_INET, p.netmask);
  if (b === undefined) return 0xffffffff;
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
}

export function desiredService(vs: VirtualService): IpvsService {
  const af = afOf(vs.key.family);
  let flags = schedFlagBits(vs.schedFlags);
  if (vs.persistence) flags |= SVC_F_PERSISTENT;
  if (vs.onePacket) flags |= SVC_F_ONEPACKET;
  const id =
    vs.key.kind === 'fwmark'
      ? { af, protocol: 0, addr: '', port: 0, fwmark: vs.key.fwmark >>> 0 }
      : { af, protocol: PROTO[vs.key.protocol], addr: canonicalAddr(af, vs.key.address) ?? vs.key.address, port: vs.key.port, fwmark: 0 };
  return {
    ...id,
    sched: vs.scheduler,
    flags,
    timeout: vs.persistence ? vs.persistence.timeoutS : 0,
    netmask: netmaskValue(af, vs.persistence),
    ...(vs.pe ? { pe: vs.pe } : {}),
  };
}

export function desiredDest(vs: VirtualService, rs: RealServer): IpvsDest {
  const af = afOf(rs.family);
  const fwd = FWD[rs.forward];
  // ipvsadm: "for DR and TUN the dest port is the service port, except for fwmark services".
  const port = vs.key.kind === 'addr' && fwd !== FWD_MASQ ? vs.key.port : rs.port;
  const tun = rs.forward === 'tunnel' ? rs.tunnel : undefined;
  return {
    af,
    addr: canonicalAddr(af, rs.address) ?? rs.address,
    port,
    fwd,
    weight: rs.weight,
    uThresh: rs.upperThreshold,
    lThresh: rs.lowerThreshold,
    tunType: tun ? TUN_TYPE[tun.type] : TUN_TYPE_IPIP,
    tunPort: tun?.type === 'gue' ? (tun.port ?? 0) : 0,
    tunFlags: tun && tun.type !== 'ipip' ? TUN_CSUM[tun.checksum ?? 'nocsum'] : TUN_F_NOCSUM,
  };
}

/** Canonical destination order: address family, address bytes, port (ascending). */
export function cmpCanonical(a: { af: number; addr: string; port: number }, b: { af: number; addr: string; port: number }): number {
  if (a.af !== b.af) return a.af - b.af;
  const ab = addrBytes(a.af as AddressFamily, a.addr) ?? new Uint8Array(0);
  const bb = addrBytes(b.af as AddressFamily, b.addr) ?? new Uint8Array(0);
  for (let i = 0; i < Math.max(ab.length, bb.length); i++) {
    const d = (ab[i] ?? 0) - (bb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.port - b.port;
}

/**
 * The desired table. Services keep config order; two real servers with the same identity
 * (family, address, port) collapse to the first, as the kernel would refuse the second (EEXIST).
 */
export function desiredTable(services: readonly VirtualService[]): IpvsServiceWithDests[] {
  return services.map((vs) => {
    const seen = new Set<string>();
    const dests: IpvsDest[] = [];
    for (const rs of vs.reals) {
      const d = desiredDest(vs, rs);
      const k = `${d.af}|${d.addr}|${d.port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      dests.push(d);
    }
    return { service: desiredService(vs), dests: [...dests].sort(cmpCanonical) };
  });
}
