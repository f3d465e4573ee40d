/**
 * PING_CHECK: one ICMP echo request; up when the matching echo reply comes back within the
 * timeout. Node has no ICMP sockets, so they come from the addon (native/icmp.c).
 *
 * Socket choice (decided once per family, on first use): first an unprivileged ICMP datagram
 * socket (SOCK_DGRAM/IPPROTO_ICMP): the kernel picks the echo id, fills the checksum and hands
 * this socket only its own replies, so 1,000 ping checks cost no filtering. It needs the
 * process's group inside net.ipv4.ping_group_range (Debian's systemd sets 0-2147483647; a fresh
 * network namespace has "1 0", i.e. nobody). On EACCES/EPERM, a raw socket (lvsd runs as root
 * with CAP_NET_RAW), which receives every ICMP message of the family: replies are matched by
 * our id here. One socket per family is shared by every probe and closed when none is waiting.
 * The same IcmpPinger serves IPv4 and IPv6 (ICMPv6 echo, RFC 4443).
 *
 * keepalived's bindto: the echo requests leave from that address (one socket per family and
 * source address, bound by the addon). keepalived 2.2.7 accepted bindto on PING_CHECK and
 * ignored it; its later fix (commit e5978068, "implement bindto and bind_if for PING_CHECK")
 * binds it, as lvsd does. A bind that fails (an address not on this host) fails the attempt.
 */
import net from 'node:net';
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { unsupportedTarget } from './connection.js';
import { decodeEchoReply, encodeEcho } from './icmp-packet.js';
import { Outcome } from './outcome.js';

/** The addon's ICMP exports (src/native: LvsdNative satisfies this); injected by the director. */
export interface IcmpSocketHandle {
  readonly __brand: 'IcmpSocketHandle';
}
export interface IcmpDatagram {
  readonly data: Buffer;
  readonly src: string;
}
export interface IcmpNative {
  icmpOpen(family: 4 | 6, raw: boolean, cb: (err: Error | null, replies: IcmpDatagram[]) => void, bindAddress?: string): IcmpSocketHandle;
  icmpSend(h: IcmpSocketHandle, dst: string, message: Buffer): void;
  icmpClose(h: IcmpSocketHandle): void;
}
export type IcmpMode = 'dgram' | 'raw';

interface FamilySocket {
  readonly h: IcmpSocketHandle;
  readonly mode: IcmpMode;
  readonly waiting: Map<string, () => void>;
}

const PAYLOAD = Buffer.from('lvsd PING_CHECK');

export class IcmpPinger {
  /** By family and source address ("4|" unbound, "4|192.0.2.1" bound). */
  private readonly sockets = new Map<string, FamilySocket>();
  private readonly modes = new Map<4 | 6, IcmpMode>();
  private seq = 0;
  private readonly id: number;

  /** `id`: echo identifier on raw sockets (datagram sockets get the kernel's). */
  constructor(private readonly native: () => IcmpNative, id: number) {
    this.id = id & 0xffff;
  }

  /** The socket kind in use per family ('dgram' or 'raw'), once decided. */
  mode(family: 4 | 6): IcmpMode | undefined {
    return this.modes.get(family);
  }

  /** Sends one echo request (from `bindTo` when given); `onReply` runs once on the matching reply. Throws system errors. */
  ping(address: string, onReply: () => void, bindTo?: string): () => void {
    const family = net.isIPv6(address) ? 6 : 4;
    const sockKey = `${family}|${bindTo ?? ''}`;
    const s = this.socket(family, sockKey, bindTo);
    const seq = (this.seq = (this.seq + 1) & 0xffff);
    const key = `${address}|${seq}`;
    s.waiting.set(key, onReply);
    const forget = (): void => {
      s.waiting.delete(key);
      if (s.waiting.size === 0 && this.sockets.get(sockKey) === s) {
        this.sockets.delete(sockKey);
        this.native().icmpClose(s.h);
      }
    };
    try {
      this.native().icmpSend(s.h, address, encodeEcho(family, this.id, seq, PAYLOAD));
    } catch (e) {
      forget();
      throw e;
    }
    return forget;
  }

  private socket(family: 4 | 6, sockKey: string, bindTo: string | undefined): FamilySocket {
    const open = this.sockets.get(sockKey);
    if (open !== undefined) return open;
    const waiting = new Map<string, () => void>();
    const onData = (mode: IcmpMode) => (err: Error | null, replies: IcmpDatagram[]) => {
      if (err !== null) return; // a receive error ends nothing by itself: waiting probes time out
      for (const r of replies) {
        const echo = decodeEchoReply(family, r.data, mode === 'raw' && family === 4);
        if (echo === undefined || (mode === 'raw' && echo.id !== this.id)) continue;
        const fn = waiting.get(`${r.src}|${echo.seq}`);
        if (fn !== undefined) fn();
      }
    };
    const s = this.openAs(family, onData, waiting, bindTo);
    this.sockets.set(sockKey, s);
    return s;
  }

  private openAs(family: 4 | 6, onData: (m: IcmpMode) => (err: Error | null, r: IcmpDatagram[]) => void, waiting: Map<string, () => void>, bindTo: string | undefined): FamilySocket {
    const open = (raw: boolean, mode: IcmpMode): IcmpSocketHandle =>
      (bindTo === undefined ? this.native().icmpOpen(family, raw, onData(mode)) : this.native().icmpOpen(family, raw, onData(mode), bindTo));
    const known = this.modes.get(family);
    if (known !== undefined) return { h: open(known === 'raw', known), mode: known, waiting };
    try {
      const h = open(false, 'dgram');
      this.modes.set(family, 'dgram');
      return { h, mode: 'dgram', waiting };
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
      if (code !== 'EACCES' && code !== 'EPERM') throw e;
    }
    const h = open(true, 'raw');
    this.modes.set(family, 'raw');
    return { h, mode: 'raw', waiting };
  }
}

export function pingChecker(pinger: IcmpPinger): Checker {
  return {
    kind: 'ping',
    start(spec: AttemptSpec): Attempt {
      const out = new Outcome();
      const bad = unsupportedTarget(spec.target);
      if (bad !== undefined) {
        out.fail('error', bad);
        return out.attempt();
      }
      try {
        const forget = pinger.ping(spec.address, () => out.pass('echo reply'), spec.target.bindTo);
        out.release(forget);
      } catch (e) {
        out.failWith(e, 'send');
      }
      return out.attempt();
    },
  };
}
