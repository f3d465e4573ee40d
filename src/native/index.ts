/**
 * Typed loader for the C addon `native/build/Release/lvsd_native.node` (built by `npm install`
 * through node-gyp; sources in native/). The addon makes syscalls only; every protocol rule lives
 * in TypeScript. Failures throw Errors shaped like Node system errors: `code` ('EPERM'),
 * `errno` (POSITIVE, as everywhere in lvsd: 1 for EPERM; src/errors.ts), `syscall` ('socket',
 * 'setsockopt', …) and `detail` (what the call was about, '' when nothing).
 *
 * The module is context-aware: it loads in the main thread and in `worker_threads` Workers alike;
 * a socket's callback runs on the thread (event loop) that opened it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorMap } from 'node:util';
import { KernelError } from '../errors.js';

/** One datagram read from a VRRP raw socket (see native/vrrp_socket.c for the sources of each field). */
export interface RawPacket {
  /** IPv4: the whole IP packet, header included (raw(7)). IPv6: the VRRP message only. */
  readonly data: Buffer;
  /** Sender address (msg_name). */
  readonly src: string;
  /** Destination from IP_PKTINFO / IPV6_PKTINFO; '' if the kernel gave none. */
  readonly dst: string;
  /** Receiving interface from the pktinfo cmsg; 0 if missing. */
  readonly ifindex: number;
  /** IP_TTL / IPV6_HOPLIMIT cmsg; -1 if missing. */
  readonly ttl: number;
  /** Monotonic microseconds (same scale as process.hrtime / monotonicClock) right after recvmsg. */
  readonly atUs: number;
  /** MSG_TRUNC or MSG_CTRUNC was set: data or cmsgs are incomplete. */
  readonly truncated: boolean;
}

export interface RawDrain {
  readonly packets: readonly RawPacket[];
  /** A recvmsg failure that ended the read (packets before it are still returned). */
  readonly error: NativeSystemError | null;
}

declare const vrrpHandle: unique symbol;
declare const netlinkHandle: unique symbol;

/**
 * Opaque handle of a VRRP raw socket (vrrpOpen). The addon tags the object with a napi type
 * tag per kind: a netlink handle given to vrrpSend / vrrpDrain / vrrpClose is refused with a
 * TypeError, and the brands make that a compile error too.
 */
export interface VrrpSocketHandle {
  readonly [vrrpHandle]: true;
}

/** Opaque handle of a netlink socket (nlOpen); only nlSend and nlClose take it. */
export interface NetlinkSocketHandle {
  readonly [netlinkHandle]: true;
}

export interface VrrpOpenOptions {
  readonly family: 4 | 6;
  readonly ifname: string;
  /** IP protocol / IPv6 next header: 112 for VRRP. */
  readonly protocol: number;
  /** Multicast group joined on ifname ('224.0.0.18' / 'ff02::12'), or '' for none (unicast). */
  readonly group: string;
  /** TTL / hop limit for unicast and multicast sends: 255 for VRRP (RFC 9568 §5.1.1.3). */
  readonly ttl: number;
  /** IPv4 TOS byte (keepalived sends 0xC0), or -1 to keep the default. Ignored for IPv6. */
  readonly tos: number;
}

export interface InterfaceAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLen: number;
  /** IPv6 scope id (the ifindex for link-local addresses); 0 for IPv4. */
  readonly scopeId: number;
}

export interface NativeSystemError extends Error {
  readonly code: string;
  /** Positive. */
  readonly errno: number;
  readonly syscall: string;
  /** What the call was about (interface, option, path); '' when nothing. */
  readonly detail: string;
}

/** The addon's exports, exactly. */
export interface LvsdNative {
  ifNameToIndex(ifname: string): number;
  interfaceMac(ifname: string): Buffer;
  /** getifaddrs order: the kernel lists the primary IPv4 address first. */
  interfaceAddresses(ifname: string): InterfaceAddress[];
  /** Sends one whole Ethernet frame (AF_PACKET); EtherType and destination MAC come from the frame. */
  packetSend(ifindex: number, frame: Buffer): void;
  /** One datagram to an AF_UNIX SOCK_DGRAM path; a leading '@' means the abstract namespace. */
  unixDgramSend(path: string, data: Buffer): void;
  /** SCHED_RR at `priority` (1-99) for the calling thread only; EPERM without CAP_SYS_NICE. */
  threadRealtime(priority: number): void;
  vrrpOpen(o: VrrpOpenOptions, cb: (err: NativeSystemError | null, packets: RawPacket[]) => void): VrrpSocketHandle;
  /** src '' lets the kernel pick the source; otherwise it is forced through IP_PKTINFO / IPV6_PKTINFO. */
  vrrpSend(h: VrrpSocketHandle, payload: Buffer, dst: string, src: string): void;
  vrrpDrain(h: VrrpSocketHandle): RawDrain;
  /** Idempotent; stops the uv_poll so the loop can exit. */
  vrrpClose(h: VrrpSocketHandle): void;
  /**
   * An AF_NETLINK socket of `protocol` (0 = NETLINK_ROUTE) bound to a kernel-chosen port id;
   * cb gets every datagram (data + atUs) from the opening thread's event loop.
   */
  nlOpen(protocol: number, cb: (err: NativeSystemError | null, datagrams: NetlinkDatagram[]) => void): NetlinkSocketHandle;
  /** One sendto(2) to the kernel, done when this returns (the kernel has run the request). */
  nlSend(h: NetlinkSocketHandle, message: Buffer): void;
  /** Idempotent; stops the uv_poll so the loop can exit. */
  nlClose(h: NetlinkSocketHandle): void;
  /**
   * ICMP echo socket (native/icmp.c): raw false = unprivileged datagram socket (kernel sets id
   * and checksum, EACCES outside net.ipv4.ping_group_range), true = SOCK_RAW (CAP_NET_RAW).
   * bindAddress: the source address (bind(2)); errors carry its errno (EADDRNOTAVAIL).
   */
  icmpOpen(family: 4 | 6, raw: boolean, cb: (err: NativeSystemError | null, replies: IcmpDatagram[]) => void, bindAddress?: string): IcmpSocketHandle;
  icmpSend(h: IcmpSocketHandle, dst: string, message: Buffer): void;
  /** Idempotent. */
  icmpClose(h: IcmpSocketHandle): void;
  /**
   * A one-shot libuv timer on the calling thread's loop (native/timer.c): cb runs at expiry
   * (nextTicks and microtasks after it); it does not keep the loop alive.
   */
  timerOpen(cb: () => void): TimerNativeHandle;
  /** (Re)arms: replaces a pending deadline. delayMs truncated to whole ms, at least 1, as setTimeout. */
  timerStart(h: TimerNativeHandle, delayMs: number): void;
  /** Idempotent. */
  timerStop(h: TimerNativeHandle): void;
  /** Idempotent; releases the libuv handle. */
  timerClose(h: TimerNativeHandle): void;
}

/** Opaque timer handle (timerOpen). */
export interface TimerNativeHandle {
  readonly __brand: 'TimerNativeHandle';
}

/** Opaque ICMP socket handle. */
export interface IcmpSocketHandle {
  readonly __brand: 'IcmpSocketHandle';
}

/** One received datagram: raw IPv4 includes the IP header; otherwise the ICMP message only. */
export interface IcmpDatagram {
  readonly data: Buffer;
  readonly src: string;
}

export interface NetlinkDatagram {
  readonly data: Buffer;
  readonly atUs: number;
}

const EXPORTS: readonly (keyof LvsdNative)[] = [
  'ifNameToIndex', 'interfaceMac', 'interfaceAddresses', 'packetSend', 'unixDgramSend', 'threadRealtime',
  'vrrpOpen', 'vrrpSend', 'vrrpDrain', 'vrrpClose', 'nlOpen', 'nlSend', 'nlClose', 'icmpOpen', 'icmpSend', 'icmpClose',
  'timerOpen', 'timerStart', 'timerStop', 'timerClose',
];

/** Walks up from this file to the repository root (the folder holding native/binding.gyp). */
export function addonPath(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return join(dir, 'native', 'build', 'Release', 'lvsd_native.node');
    const up = dirname(dir);
    if (up === dir) throw new Error(`lvsd_native: no native/binding.gyp above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
}

function isAddon(m: unknown): m is LvsdNative {
  if (typeof m !== 'object' || m === null) return false;
  const rec = m as Record<string, unknown>;
  return EXPORTS.every((k) => typeof rec[k] === 'function');
}

let cached: LvsdNative | undefined;

/** Loads the addon once per thread; throws with the path and a hint if it is not built. */
export function loadNative(): LvsdNative {
  if (cached !== undefined) return cached;
  const path = addonPath();
  const require = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = require(path);
  } catch (e) {
    throw new Error(`lvsd_native: cannot load ${path} (run \`npm install\` or \`npm run install\` to build it)`, { cause: e });
  }
  if (!isAddon(mod)) throw new Error(`lvsd_native: ${path} lacks one of ${EXPORTS.join(', ')} (stale build?)`);
  cached = mod;
  return mod;
}

export function isNativeSystemError(e: unknown): e is NativeSystemError {
  if (!(e instanceof Error)) return false;
  const rec = e as unknown as Record<string, unknown>;
  return typeof rec['code'] === 'string' && typeof rec['errno'] === 'number' && typeof rec['syscall'] === 'string' &&
    typeof rec['detail'] === 'string';
}

/** The interface's primary IPv4 address (first in kernel order), or undefined. */
export function primaryIpv4(ifname: string): string | undefined {
  return loadNative().interfaceAddresses(ifname).find((a) => a.family === 4)?.address;
}

/** The interface's first IPv6 link-local address (fe80::/10), or undefined. */
export function linkLocalIpv6(ifname: string): string | undefined {
  return loadNative().interfaceAddresses(ifname).find((a) => a.family === 6 && /^fe[89ab]/i.test(a.address))?.address;
}

/**
 * Wraps a native system error as a KernelError (docs/design.md "Errors": op, target, errno, code, syscall), e.g.
 * "send gratuitous ARP 192.0.2.10 on eth0: sendto: network is down (ENETDOWN)". Anything else
 * (a TypeError: a caller bug) is returned unchanged.
 */
export function toKernelError(e: unknown, op: string, target: string): unknown {
  if (e instanceof KernelError || !isNativeSystemError(e)) return e;
  // libuv's description of the errno (uv_strerror, the one the addon's message uses), by number
  const description = getSystemErrorMap().get(-e.errno)?.[1] ?? `errno ${e.errno}`;
  const meaning = `${e.syscall}: ${description}${e.detail !== '' ? ` (${e.detail})` : ''}`;
  return new KernelError({ op, target, errno: e.errno, code: e.code, syscall: e.syscall, meaning, cause: e });
}
