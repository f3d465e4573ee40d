/**
 * Sends the takeover announcements built by vrrp/frames.ts (gratuitous ARP, unsolicited NA) as
 * whole Ethernet frames on an AF_PACKET socket (native packetSend). Scheduling (count, delay,
 * refresh) is vrrp/announce.ts's job; this file only sends one frame per call.
 * Both throw KernelError (ENODEV for a missing interface, ENETDOWN when it is down, EPERM without
 * CAP_NET_RAW) and TypeError for an address of the wrong family (a caller bug).
 */
import { readFileSync } from 'node:fs';
import { loadNative, toKernelError } from '../native/index.js';
import { garpFrame, unsolicitedNa } from './frames.js';

export interface AnnounceOptions {
  /** Sender MAC; defaults to the interface's own (SIOCGIFHWADDR), as keepalived without use_vmac. */
  readonly srcMac?: Buffer;
}

function sendFrame(ifname: string, op: string, target: string, build: (mac: Buffer) => Buffer): void {
  const native = loadNative();
  try {
    const ifindex = native.ifNameToIndex(ifname);
    native.packetSend(ifindex, build(native.interfaceMac(ifname)));
  } catch (e) {
    throw toKernelError(e, op, `${target} on ${ifname}`);
  }
}

/** One gratuitous ARP for IPv4 `ip` on `ifname` (RFC 9568 §6.4.1, keepalived vrrp_arp.c form). */
export function sendGarp(ifname: string, ip: string, o: AnnounceOptions = {}): void {
  sendFrame(ifname, 'send gratuitous ARP', ip, (mac) => garpFrame({ srcMac: o.srcMac ?? mac, ip }));
}

/**
 * IPv6 forwarding on `ifname` (/proc/sys/net/ipv6/conf/IF/forwarding). keepalived sets the NA's
 * Router flag from it (vrrp_ndisc.c, get_ipv6_forwarding); false if unreadable.
 */
export function ipv6Forwarding(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch (e) {
    if (e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'EACCES')) return false;
    throw e;
  }
}

/** One unsolicited NA for IPv6 `ip` on `ifname`, from `ip` to ff02::1 (R = IPv6 forwarding, O=1). */
export function sendUnsolicitedNa(ifname: string, ip: string, o: AnnounceOptions & { router?: boolean } = {}): void {
  const router = o.router ?? ipv6Forwarding(ifname);
  sendFrame(ifname, 'send unsolicited NA', ip, (mac) => unsolicitedNa({ srcMac: o.srcMac ?? mac, target: ip, router }));
}
