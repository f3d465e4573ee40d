/**
 * VRRP transport: one raw socket (IP protocol / IPv6 next header 112) per family and interface,
 * over the C addon (native/vrrp_socket.c). Socket recipe after keepalived 2.2.7 (vrrp.c):
 * SO_BINDTODEVICE, multicast join on the interface, IP_MULTICAST_ALL off, loopback off,
 * TTL / hop limit 255 for unicast and multicast (RFC 9568 §5.1.1.3, §5.1.2.3), IPv4 TOS 0xC0.
 *
 * Receive: the addon reads until EAGAIN on each libuv readable event and we deliver every packet
 * to `onPacket`; `drain()` does the same synchronously (the worker calls it when a timer fires late,
 * so adverts sitting in the socket buffer are seen before the peer is declared dead).
 *
 * Where fields come from:
 * - IPv4: the kernel delivers the IP header (raw(7)). src, dst and ttl are read from that header
 *   (the bytes on the wire; IP_PKTINFO's ipi_addr and IP_TTL carry the same values), ifindex from
 *   IP_PKTINFO. The payload is cut at IHL×4 .. total length. A header that is too short, not
 *   version 4, or has an inconsistent IHL/total length is dropped, counted (`rxBadIpHeader`) and
 *   reported to `onDrop` as 'ip_header'; a datagram the kernel cut (MSG_TRUNC / MSG_CTRUNC) as
 *   'rx_truncated' (`rxTruncated`). The instances on the socket count those under that reason.
 * - IPv6: the payload is the VRRP message; src = msg_name, dst and ifindex from IPV6_PKTINFO,
 *   ttl = IPV6_HOPLIMIT cmsg (-1 if the kernel gave none, which the codec's hop-limit rule drops).
 *   IPV6_CHECKSUM is NOT set: the kernel neither fills nor checks the checksum, the codec does.
 *
 * Send: with `localAddress` forced as the source (IP_PKTINFO / IPV6_PKTINFO), so the codec's
 * pseudo-header checksum is computed for exactly the address on the wire.
 * Nothing here throws from the poll callback: failures go to `onError`, hostile input to counters.
 */
import { constants } from 'node:os';
import { KernelError, type Result } from '../errors.js';
import type { TransportDropReason } from './codec.js';
import {
  type NativeSystemError, type RawPacket, type VrrpSocketHandle,
  linkLocalIpv6, loadNative, primaryIpv4, toKernelError,
} from '../native/index.js';
import { IPPROTO_VRRP } from './checksum.js';
import { VRRP_MCAST_IPV4, VRRP_MCAST_IPV6, VRRP_TTL } from './codec.js';

export interface VrrpPacketIn {
  /** The VRRP message only (IP header stripped). */
  readonly payload: Buffer;
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly ifindex: number;
  /** IPv4 TTL / IPv6 hop limit as received; -1 if unknown. */
  readonly ttl: number;
  /** Monotonic receive time in microseconds (monotonicClock scale). */
  readonly atUs: number;
}

export interface TransportCounters {
  readonly rxPackets: number;
  /** IPv4 header too short, not version 4, or IHL / total length inconsistent. */
  readonly rxBadIpHeader: number;
  /** MSG_TRUNC / MSG_CTRUNC: datagram or ancillary data cut short. */
  readonly rxTruncated: number;
  /** recvmsg / poll failures (each also reported to onError). */
  readonly rxErrors: number;
}

export interface VrrpTransport {
  readonly family: 4 | 6;
  readonly ifname: string;
  readonly ifindex: number;
  /**
   * Primary IPv4 or IPv6 link-local (or `sourceAddress`): the source of every send and of checksums.
   * '' while the interface has none yet (looked up again on each read until found).
   */
  readonly localAddress: string;
  /** Throws KernelError (e.g. ENETDOWN, ENOBUFS) if the kernel refuses the datagram. */
  send(payload: Buffer, dst: string): void;
  /** Everything queued right now, read synchronously ([] once closed). */
  drain(): VrrpPacketIn[];
  counters(): TransportCounters;
  /** Idempotent; stops polling so the event loop (main or worker) can exit. */
  close(): void;
}

export interface VrrpTransportOptions {
  readonly family: 4 | 6;
  readonly ifname: string;
  /** Defaults to the interface's primary IPv4 / first IPv6 link-local address. */
  readonly sourceAddress?: string;
  /** Whose primary address is the default source (default: `ifname`); a virtual-MAC interface names its base. */
  readonly sourceIfname?: string;
  /** Join 224.0.0.18 / ff02::12 on the interface (RFC 9568 §5.1.1.2, §5.1.2.2). */
  readonly multicast: boolean;
  /** TTL / hop limit on send; 255 unless a test or keepalived's `unicast_ttl` says otherwise. */
  readonly ttl?: number;
  /** IPv4 TOS byte; default 0xC0 (IPTOS_PREC_INTERNETCONTROL, as keepalived). Ignored for IPv6. */
  readonly tos?: number;
  readonly onPacket: (p: VrrpPacketIn) => void;
  /** A datagram dropped before any VRRP byte was read (see fromRaw); `from` is its sender. */
  readonly onDrop?: (reason: TransportDropReason, from: string, detail: string) => void;
  readonly onError: (e: Error) => void;
}

const { errno } = constants;
const IPTOS_PREC_INTERNETCONTROL = 0xc0;

export type Ipv4Parse =
  | { ok: true; value: { payload: Buffer; src: string; dst: string; ttl: number } }
  | { ok: false; reason: 'short' | 'version' | 'ihl' | 'total-length' };

const dotted = (b: Buffer, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** Splits a raw IPv4 datagram (RFC 791 §3.1). Pure; never throws on hostile input. */
export function parseIpv4(data: Buffer): Ipv4Parse {
  if (data.length < 20) return { ok: false, reason: 'short' };
  const b0 = data[0] ?? 0;
  if (b0 >> 4 !== 4) return { ok: false, reason: 'version' };
  const ihlBytes = (b0 & 0x0f) * 4;
  if (ihlBytes < 20 || ihlBytes > data.length) return { ok: false, reason: 'ihl' };
  const total = data.readUInt16BE(2);
  if (total < ihlBytes || total > data.length) return { ok: false, reason: 'total-length' };
  return {
    ok: true,
    value: { payload: data.subarray(ihlBytes, total), src: dotted(data, 12), dst: dotted(data, 16), ttl: data[8] ?? -1 },
  };
}

export interface TransportDrop {
  readonly reason: TransportDropReason;
  readonly from: string;
  readonly detail: string;
}

/**
 * One datagram from the addon → the packet the instances get, or why it is dropped. Pure.
 * IPv4: the IP header is split off here (raw(7) delivers it); IPv6: the kernel already did.
 */
export function fromRaw(raw: RawPacket, family: 4 | 6): Result<VrrpPacketIn, TransportDrop> {
  if (raw.truncated) return { ok: false, error: { reason: 'rx_truncated', from: raw.src, detail: 'MSG_TRUNC or MSG_CTRUNC: datagram or control data cut short' } };
  const base = { family, ifindex: raw.ifindex, atUs: raw.atUs };
  if (family === 6) return { ok: true, value: { ...base, payload: raw.data, src: raw.src, dst: raw.dst, ttl: raw.ttl } };
  const ip = parseIpv4(raw.data);
  if (!ip.ok) return { ok: false, error: { reason: 'ip_header', from: raw.src, detail: `IPv4 header: ${ip.reason}` } };
  return { ok: true, value: { ...base, ...ip.value } };
}

function kernelError(e: unknown, op: string, target: string): Error {
  const k = toKernelError(e, op, target);
  return k instanceof Error ? k : new Error(String(k));
}

/** The configured source, else the primary IPv4 / first IPv6 link-local; '' if the interface has none yet. */
function resolveSource(o: VrrpTransportOptions): string {
  if (o.sourceAddress !== undefined) return o.sourceAddress;
  const ifname = o.sourceIfname ?? o.ifname;
  return (o.family === 4 ? primaryIpv4(ifname) : linkLocalIpv6(ifname)) ?? '';
}

function noSource(o: VrrpTransportOptions): KernelError {
  const what = o.family === 4 ? 'IPv4 address' : 'IPv6 link-local address';
  return new KernelError({
    op: 'send VRRP', target: `${o.ifname} (IPv${o.family})`, errno: errno.EADDRNOTAVAIL, code: 'EADDRNOTAVAIL',
    syscall: 'getifaddrs', meaning: `the interface has no ${what} to send from yet`,
  });
}

class RawVrrpTransport implements VrrpTransport {
  readonly ifindex: number;
  private source: string;
  private handle: VrrpSocketHandle | undefined;
  private readonly c = { rxPackets: 0, rxBadIpHeader: 0, rxTruncated: 0, rxErrors: 0 };

  constructor(private readonly o: VrrpTransportOptions) {
    const native = loadNative();
    const target = `${o.ifname} (IPv${o.family})`;
    try {
      this.ifindex = native.ifNameToIndex(o.ifname);
      // Receiving works before the interface has an address (e.g. IPv6 link-local still being
      // configured); the source is resolved again when read while still unknown.
      this.source = resolveSource(o);
      this.handle = native.vrrpOpen({
        family: o.family, ifname: o.ifname, protocol: IPPROTO_VRRP,
        group: o.multicast ? (o.family === 4 ? VRRP_MCAST_IPV4 : VRRP_MCAST_IPV6) : '',
        ttl: o.ttl ?? VRRP_TTL, tos: o.family === 4 ? (o.tos ?? IPTOS_PREC_INTERNETCONTROL) : -1,
      }, (err, packets) => this.onReadable(err, packets));
    } catch (e) {
      throw kernelError(e, 'open VRRP socket', target);
    }
  }

  get family(): 4 | 6 { return this.o.family; }

  /** '' while the interface has no usable address (then send() throws EADDRNOTAVAIL). */
  get localAddress(): string {
    if (this.source === '') this.source = resolveSource(this.o);
    return this.source;
  }
  get ifname(): string { return this.o.ifname; }

  send(payload: Buffer, dst: string): void {
    if (this.handle === undefined) throw new KernelError({
      op: 'send VRRP', target: dst, errno: errno.EBADF, code: 'EBADF', syscall: 'sendmsg', meaning: 'transport is closed',
    });
    const src = this.localAddress;
    if (src === '') throw noSource(this.o);
    try {
      loadNative().vrrpSend(this.handle, payload, dst, src);
    } catch (e) {
      // The address may have gone (interface reconfigured): look it up again next time.
      if (this.o.sourceAddress === undefined) this.source = '';
      throw kernelError(e, `send VRRP on ${this.o.ifname} from ${src}`, dst);
    }
  }

  drain(): VrrpPacketIn[] {
    if (this.handle === undefined) return [];
    const r = loadNative().vrrpDrain(this.handle);
    const out: VrrpPacketIn[] = [];
    for (const raw of r.packets) {
      const p = this.convert(raw);
      if (p !== undefined) out.push(p);
    }
    if (r.error !== null) this.report(r.error);
    return out;
  }

  counters(): TransportCounters { return { ...this.c }; }

  close(): void {
    if (this.handle === undefined) return;
    const h = this.handle;
    this.handle = undefined;
    loadNative().vrrpClose(h);
  }

  private onReadable(err: NativeSystemError | null, packets: readonly RawPacket[]): void {
    for (const raw of packets) {
      const p = this.convert(raw);
      if (p === undefined) continue;
      try {
        this.o.onPacket(p);
      } catch (e) {
        this.safeOnError(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (err !== null) this.report(err);
  }

  private report(err: NativeSystemError): void {
    this.c.rxErrors++;
    this.safeOnError(kernelError(err, 'receive VRRP', `${this.o.ifname} (IPv${this.o.family})`));
  }

  private safeOnError(e: Error): void {
    try {
      this.o.onError(e);
    } catch (bug) {
      // onError itself threw: a bug. Surface it as an uncaught exception, but outside the
      // addon's poll callback, so the remaining packets of this batch are still delivered.
      queueMicrotask(() => { throw bug; });
    }
  }

  private convert(raw: RawPacket): VrrpPacketIn | undefined {
    const r = fromRaw(raw, this.o.family);
    if (r.ok) {
      this.c.rxPackets++;
      return r.value;
    }
    if (r.error.reason === 'rx_truncated') this.c.rxTruncated++;
    else this.c.rxBadIpHeader++;
    try {
      this.o.onDrop?.(r.error.reason, r.error.from, r.error.detail);
    } catch (e) {
      this.safeOnError(e instanceof Error ? e : new Error(String(e)));
    }
    return undefined;
  }
}

/** Opens the raw socket and starts polling it on the calling thread's event loop. Throws KernelError. */
export function openVrrpTransport(o: VrrpTransportOptions): VrrpTransport {
  return new RawVrrpTransport(o);
}
