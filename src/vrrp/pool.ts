/**
 * One VRRP socket per (family, interface, mode, source address), shared by the instances on it.
 * Packets go to the instance whose VRID they carry; a packet with a VRID nobody here owns
 * (or too short to carry one) goes to every instance on the socket, which counts it as a
 * drop ('vrid' / 'truncated'), mirroring RFC 2787's per-router VrIdErrors. A datagram the
 * transport drops before reading it ('ip_header', 'rx_truncated') is counted by every instance
 * on the socket too: nothing in it can be trusted to say whose it was.
 */
import type { VrrpInstance } from '../model/index.js';
import type { TransportDropReason } from './codec.js';
import type { VrrpPacketIn, VrrpTransport, VrrpTransportOptions } from './transport.js';

/** What an instance on a shared socket hears. */
export interface PoolListener {
  readonly packet: (p: VrrpPacketIn) => void;
  readonly drop: (reason: TransportDropReason, from: string) => void;
}

interface Entry {
  readonly transport: VrrpTransport;
  readonly listeners: Map<number, PoolListener>; // by VRID
}

export class TransportPool {
  private readonly entries = new Map<string, Entry>();

  /** `open` makes one socket (openVrrpTransport in the worker; a fake in tests). */
  constructor(
    private readonly open: (o: VrrpTransportOptions) => VrrpTransport,
    private readonly onError: (e: Error, where: string) => void,
  ) {}

  acquire(cfg: VrrpInstance, listener: PoolListener): VrrpTransport {
    const key = poolKey(cfg);
    let entry = this.entries.get(key);
    if (!entry) {
      const listeners = new Map<number, PoolListener>();
      const transport = this.open({
        family: cfg.family,
        ifname: socketInterface(cfg),
        // with use_vmac the virtual-MAC interface has no address of its own: send from the base's, as keepalived
        ...(cfg.vmac ? { sourceIfname: cfg.interface } : {}),
        sourceAddress: cfg.unicastSrc,
        multicast: cfg.unicastPeers.length === 0,
        onPacket: (p) => dispatch(listeners, p),
        onDrop: (reason, from) => { for (const l of listeners.values()) l.drop(reason, from); },
        onError: (e) => this.onError(e, `vrrp socket on ${cfg.interface}`),
      });
      entry = { transport, listeners };
      this.entries.set(key, entry);
    }
    entry.listeners.set(cfg.vrid, listener);
    return entry.transport;
  }

  /**
   * Reads what is pending on `cfg`'s socket now; returns the packets for `cfg` and hands
   * the others to their own instances, so a late timer in one instance loses nobody's adverts.
   */
  drain(cfg: VrrpInstance): VrrpPacketIn[] {
    const entry = this.entries.get(poolKey(cfg));
    if (!entry) return [];
    const mine: VrrpPacketIn[] = [];
    for (const p of entry.transport.drain()) {
      if (p.payload.length >= 2 && p.payload[1] === cfg.vrid) mine.push(p);
      else dispatch(entry.listeners, p);
    }
    return mine;
  }

  release(cfg: VrrpInstance): void {
    const key = poolKey(cfg);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.listeners.delete(cfg.vrid);
    if (entry.listeners.size === 0) {
      entry.transport.close();
      this.entries.delete(key);
    }
  }

  closeAll(): void {
    for (const e of this.entries.values()) e.transport.close();
    this.entries.clear();
  }
}

/** A socket sends from one source (transport.ts), so instances with different mcast_src_ip / unicast_src_ip get their own. */
function poolKey(cfg: VrrpInstance): string {
  const mode = cfg.unicastPeers.length === 0 ? 'mcast' : 'ucast';
  return `${cfg.family}|${socketInterface(cfg)}|${mode}:${cfg.unicastSrc ?? ''}`;
}

/** use_vmac: adverts leave from (and are read on) the virtual-MAC interface, unless vmac_xmit_base keeps them on the base. */
function socketInterface(cfg: VrrpInstance): string {
  return cfg.vmac && !cfg.vmac.xmitBase ? cfg.vmac.ifname : cfg.interface;
}

function dispatch(listeners: Map<number, PoolListener>, p: VrrpPacketIn): void {
  const vrid = p.payload.length >= 2 ? p.payload[1] : undefined;
  const target = vrid !== undefined ? listeners.get(vrid) : undefined;
  if (target) return target.packet(p);
  for (const l of listeners.values()) l.packet(p);
}
