/**
 * Whole Ethernet frames announcing a VIP after a takeover (pure: no I/O, no clock).
 *
 * - Gratuitous ARP as keepalived 2.2.7 sends it (keepalived/vrrp/vrrp_arp.c):
 *   Ethernet broadcast, ARP request (op 1), sender HW = our MAC, sender IP = target IP = VIP,
 *   target HW = ff:ff:ff:ff:ff:ff. RFC 9568 §6.4.1 / errata 7947, 7949; ARP layout RFC 826.
 * - Unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6) as keepalived's vrrp_ndisc.c builds
 *   it: Ethernet to 33:33:00:00:00:01 (RFC 2464 §7), IPv6 from the VIP to ff02::1 with hop limit
 *   255, ICMPv6 type 136 code 0, S=0, O=1, R = `router` (keepalived sets R when IPv6 forwarding is
 *   on; RFC 9568 §6.4.2 wants R=1 for a router), Target Link-Layer Address option (type 2, len 1).
 *   We build the full frame for AF_PACKET (not an ICMPv6 socket) so the source can be the VIP itself
 *   and the frame is exactly what the unit tests check; the ICMPv6 checksum (RFC 4443 §2.3, with the
 *   RFC 8200 §8.1 pseudo-header) is computed here.
 */

import { parseIPv4, parseIPv6 } from '../model/index.js';

const bytesOf = (b: Uint8Array | undefined): Buffer | undefined => (b ? Buffer.from(b) : undefined);

export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
/** Minimum Ethernet frame without FCS; shorter frames are padded with zeros (IEEE 802.3). */
export const ETH_MIN_FRAME = 60;
const IPPROTO_ICMPV6 = 58;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_TARGET_LL_ADDR = 2;
const NDISC_HOP_LIMIT = 255;

function checkMac(mac: Buffer): void {
  if (mac.length !== 6) throw new TypeError(`srcMac must be 6 bytes, got ${mac.length}`);
}

/** RFC 1071 one's-complement sum of 16-bit words, folded, not inverted. */
function onesSum(bufs: readonly Buffer[]): number {
  let sum = 0;
  for (const b of bufs) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2 === 1) sum += (b[b.length - 1] ?? 0) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** ICMPv6 checksum over the IPv6 pseudo-header (src, dst, upper-layer length, next header 58). */
export function icmpv6Checksum(src: Buffer, dst: Buffer, icmp: Buffer): number {
  const pseudo = Buffer.alloc(40);
  src.copy(pseudo, 0);
  dst.copy(pseudo, 16);
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo[39] = IPPROTO_ICMPV6;
  return ~onesSum([pseudo, icmp]) & 0xffff;
}

/** Gratuitous ARP request for `ip` from `srcMac`, padded to 60 bytes. Throws TypeError on bad input (a caller bug). */
export function garpFrame(o: { srcMac: Buffer; ip: string }): Buffer {
  checkMac(o.srcMac);
  const ip = bytesOf(parseIPv4(o.ip));
  if (ip === undefined) throw new TypeError(`garpFrame: not an IPv4 address: ${o.ip}`);
  const f = Buffer.alloc(ETH_MIN_FRAME);
  f.fill(0xff, 0, 6); // Ethernet destination: broadcast
  o.srcMac.copy(f, 6);
  f.writeUInt16BE(ETH_P_ARP, 12);
  f.writeUInt16BE(1, 14); // ar_hrd = ARPHRD_ETHER
  f.writeUInt16BE(0x0800, 16); // ar_pro = IPv4
  f[18] = 6; // ar_hln
  f[19] = 4; // ar_pln
  f.writeUInt16BE(1, 20); // ar_op = request (keepalived; RFC 5227 §3 announcements are requests too)
  o.srcMac.copy(f, 22); // sender HW
  ip.copy(f, 28); // sender IP = VIP
  f.fill(0xff, 32, 38); // target HW: broadcast, as keepalived
  ip.copy(f, 38); // target IP = VIP
  return f;
}

/** Unsolicited NA frame (86 bytes) announcing `target` at `srcMac`. Throws TypeError on bad input. */
export function unsolicitedNa(o: { srcMac: Buffer; target: string; router?: boolean }): Buffer {
  checkMac(o.srcMac);
  const target = bytesOf(parseIPv6(o.target));
  if (target === undefined) throw new TypeError(`unsolicitedNa: not an IPv6 address: ${o.target}`);
  const allNodes = bytesOf(parseIPv6('ff02::1')) ?? Buffer.alloc(16);
  const icmp = Buffer.alloc(32);
  icmp[0] = ND_NEIGHBOR_ADVERT; // type; code 0; checksum at 2..3 filled below
  icmp.writeUInt32BE(((o.router === true ? 1 : 0) << 31 | 1 << 29) >>> 0, 4); // R, S=0, O=1
  target.copy(icmp, 8);
  icmp[24] = ND_OPT_TARGET_LL_ADDR;
  icmp[25] = 1; // option length in units of 8 octets
  o.srcMac.copy(icmp, 26);
  icmp.writeUInt16BE(icmpv6Checksum(target, allNodes, icmp), 2);

  const f = Buffer.alloc(14 + 40 + icmp.length);
  Buffer.from([0x33, 0x33, 0, 0, 0, 1]).copy(f, 0); // RFC 2464 §7: 33:33 + low 32 bits of ff02::1
  o.srcMac.copy(f, 6);
  f.writeUInt16BE(ETH_P_IPV6, 12);
  f.writeUInt32BE(0x60000000, 14); // version 6, traffic class 0, flow label 0
  f.writeUInt16BE(icmp.length, 18); // payload length
  f[20] = IPPROTO_ICMPV6;
  f[21] = NDISC_HOP_LIMIT; // RFC 4861 §7.1.2: receivers drop NAs with hop limit != 255
  target.copy(f, 22); // source = the VIP (keepalived vrrp_ndisc.c)
  allNodes.copy(f, 38);
  icmp.copy(f, 54);
  return f;
}
