/**
 * Generated IPVS tables for the lab tests and the bench (deterministic, seeded).
 * Every kernel feature we program is mixed in: TCP/UDP/SCTP/fwmark, IPv4/IPv6, every scheduler
 * of the 6.1 kernel (twos is 6.2+), sh/mh flags, persistence with IPv4 masks and IPv6 prefixes,
 * the sip persistence engine, one-packet scheduling, route/masq/tunnel (ipip, gue, gre, checksum
 * flags), mixed-family tunnel dests, weights (incl. 0) and thresholds.
 * Tables respect what ipvsadm can express, so that `ipvsadm -R` can program the same table:
 * Route/Tunnel dests of non-fwmark services use the service port; timeout 0 when not persistent.
 * Real-server addresses live in 10.200.0.0/16 and 2001:db8:200::/48: the namespace must route them.
 */
import { canonicalAddr } from '../../src/ipvs/address.js';
import type { AddressFamily, IpvsDest, IpvsOp, IpvsService, IpvsServiceWithDests } from '../../src/ipvs/types.js';

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'] as const;

/** mulberry32: a tiny seeded PRNG (tests must be repeatable). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v6 = (text: string): string => canonicalAddr(10, text) ?? text;

export function vip(af: AddressFamily, i: number): string {
  return af === 2 ? `192.0.${2 + (i >> 8)}.${i & 0xff}` : v6(`2001:db8:100::${(i + 1).toString(16)}`);
}

export function rip(af: AddressFamily, i: number): string {
  return af === 2 ? `10.200.${Math.floor(i / 254) % 256}.${(i % 254) + 1}` : v6(`2001:db8:200::${(i + 2).toString(16)}`);
}

function service(i: number, r: () => number): IpvsService {
  const kind = i % 4; // 0 TCP, 1 UDP, 2 SCTP, 3 fwmark
  const af: AddressFamily = (i >> 2) % 2 === 0 ? 2 : 10;
  const sched = SCHEDULERS[i % SCHEDULERS.length] ?? 'rr';
  const persistent = r() < 0.4;
  let flags = persistent ? 0x1 : 0;
  if (kind === 1 && r() < 0.5) flags |= 0x4; // one-packet (UDP)
  if ((sched === 'sh' || sched === 'mh') && r() < 0.8) flags |= [0x8, 0x10, 0x18][Math.floor(r() * 3)] ?? 0;
  else if (r() < 0.1) flags |= 0x20; // flag-3 on another scheduler
  const netmask = !persistent ? (af === 2 ? 0xffffffff : 128)
    : af === 2 ? (0xffffffff << (32 - (8 + Math.floor(r() * 25)))) >>> 0 : 16 + Math.floor(r() * 113);
  const id = kind === 3
    ? { protocol: 0, addr: '', port: 0, fwmark: 1 + i * 7 }
    : { protocol: [6, 17, 132][kind] ?? 6, addr: vip(af, i), port: 1 + ((i * 37) % 65000), fwmark: 0 };
  const pe = persistent && kind === 1 && r() < 0.3 ? { pe: 'sip' } : {};
  return { af, ...id, sched, flags, timeout: persistent ? 1 + Math.floor(r() * 3600) : 0, netmask, ...pe };
}

function dest(svc: IpvsService, j: number, serial: number, r: () => number): IpvsDest {
  const fwd = [0, 2, 3][Math.floor(r() * 3)] ?? 3;
  const mixed = fwd === 2 && r() < 0.15;
  const af: AddressFamily = mixed ? (svc.af === 2 ? 10 : 2) : svc.af;
  const tunType = fwd === 2 ? Math.floor(r() * 3) : 0;
  const tunFlags = tunType === 1 ? Math.floor(r() * 3) : tunType === 2 ? Math.floor(r() * 2) : 0;
  const uThresh = r() < 0.3 ? Math.floor(r() * 10000) : 0;
  const lThresh = uThresh ? Math.floor(r() * uThresh) : 0;
  const port = svc.fwmark || fwd === 0 ? 1 + Math.floor(r() * 65000) : svc.port;
  return {
    af, addr: rip(af, serial * 8 + j + 1), port, fwd, weight: r() < 0.1 ? 0 : Math.floor(r() * 1000),
    uThresh, lThresh, tunType, tunPort: tunType === 1 ? 1024 + Math.floor(r() * 60000) : 0, tunFlags,
  };
}

/** `services` services with 0..maxDests dests each (exactly `maxDests` when `fixedDests`). */
export function generateTable(o: { services: number; maxDests: number; seed: number; fixedDests?: boolean; simple?: boolean }): IpvsServiceWithDests[] {
  const r = rng(o.seed);
  const out: IpvsServiceWithDests[] = [];
  for (let i = 0; i < o.services; i++) {
    const svc = o.simple
      ? { af: 2 as const, protocol: 6, addr: vip(2, i), port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff }
      : service(i, r);
    const n = o.fixedDests ? o.maxDests : Math.floor(r() * (o.maxDests + 1));
    const dests: IpvsDest[] = [];
    for (let j = 0; j < n; j++) {
      dests.push(o.simple
        ? { af: 2, addr: rip(2, i * 16 + j + 1), port: 80, fwd: 3, weight: 1 + j, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 }
        : dest(svc, j, i, r));
    }
    out.push({ service: svc, dests });
  }
  return out;
}

/** The operations that build `table` from empty. */
export function buildOps(table: readonly IpvsServiceWithDests[]): IpvsOp[] {
  return table.flatMap(({ service, dests }) => [
    { op: 'add-service' as const, service },
    ...dests.map((dest) => ({ op: 'add-dest' as const, service, dest })),
  ]);
}

/** The dest/service fields a dump can be compared on (stats and counters dropped), sorted by identity. */
export function normalise(table: readonly IpvsServiceWithDests[]): IpvsServiceWithDests[] {
  const key = (s: IpvsService): string => `${s.af}|${s.fwmark}|${s.protocol}|${s.addr}|${s.port}`;
  return [...table]
    .map(({ service, dests }) => {
      const { stats: _s, ...svc } = service;
      const ds = dests.map((d) => ({
        af: d.af, addr: d.addr, port: d.port, fwd: d.fwd, weight: d.weight, uThresh: d.uThresh, lThresh: d.lThresh,
        tunType: d.tunType, tunPort: d.tunPort, tunFlags: d.tunFlags,
      })).sort((a, b) => `${a.af}|${a.addr}|${a.port}`.localeCompare(`${b.af}|${b.addr}|${b.port}`));
      return { service: svc, dests: ds };
    })
    .sort((a, b) => key(a.service).localeCompare(key(b.service)));
}
