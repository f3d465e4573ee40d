/**
 * Link state for `track_interface`, pushed by the kernel: the watcher joins the rtnetlink
 * multicast group RTNLGRP_LINK (<linux/rtnetlink.h>; the `netlink` package supports
 * membership through `addMembership`), so no polling. RTM_NEWLINK carries the new flags and
 * RTM_DELLINK a vanished device.
 *
 * A link is up when IFF_UP and IFF_RUNNING are both set, the test keepalived applies
 * (IF_FLAGS_UP in keepalived/include/vrrp_if.h): administratively up and with carrier
 * (RUNNING mirrors RFC 2863 operstate UP, include/uapi/linux/if.h).
 *
 * Events missed because the socket buffer overflowed (ENOBUFS) are recovered by dumping all
 * links again and reporting the differences.
 */
import { AttrStream, FlagsGet, MessageType, createRtNetlink, type NetlinkMessage, type RtNetlinkSocket } from 'netlink';
import { rt, rtRequest } from './rtnl.js';

export interface LinkState {
  readonly ifname: string;
  readonly index: number;
  /** IFF_UP && IFF_RUNNING. */
  readonly up: boolean;
  readonly adminUp: boolean;
  readonly running: boolean;
}

export interface LinkChange {
  readonly ifname: string;
  readonly up: boolean;
}

export interface LinkWatcherOptions {
  /** Called once per change of `up` (not for the initial dump); a deleted device is reported down. */
  readonly onChange: (c: LinkChange) => void;
  /** Socket errors and undecodable messages; the watcher keeps running. */
  readonly onError?: (e: Error) => void;
  /** Per dump request (default 2000). */
  readonly timeoutMs?: number;
}

export interface LinkWatcher {
  /** Current state of a device, undefined when unknown (never seen or deleted). */
  state(ifname: string): LinkState | undefined;
  /** Every known device. */
  all(): LinkState[];
  close(): void;
}

/**
 * Subscribes first, then dumps, so no change falls between the two. Resolves once the initial
 * dump is in. The socket keeps the event loop alive until close().
 */
export async function openLinkWatcher(o: LinkWatcherOptions): Promise<LinkWatcher> {
  // A large receive buffer makes ENOBUFS (lost notifications) unlikely on a flapping host.
  const sock = createRtNetlink({ ref: true, recvBufferSize: 1 << 20, sendBufferSize: 64 << 10 });
  const w = new RtLinkWatcher(sock, o);
  sock.addMembership(rt.MulticastGroups.LINK);
  await w.resync();
  return w;
}

/** RTM_NEWLINK / RTM_DELLINK payload → state; undefined when it names no device. Never throws. */
export function decodeLinkMessage(type: number, data: Buffer): { state: LinkState; deleted: boolean } | undefined {
  let l: rt.LinkMessage;
  try {
    l = rt.parseLinkMessage(data);
  } catch (e) {
    return undefined;
  }
  const ifname = l.attrs.ifname;
  const index = l.data.index;
  if (ifname === undefined || index === undefined) return undefined;
  const adminUp = l.data.flags?.up === true;
  const running = l.data.flags?.running === true;
  const deleted = type === rt.MessageType.DELLINK;
  return { state: { ifname, index, adminUp, running, up: adminUp && running && !deleted }, deleted };
}

class RtLinkWatcher implements LinkWatcher {
  private readonly links = new Map<string, LinkState>();
  private closed = false;
  private resyncing = false;

  constructor(
    private readonly sock: RtNetlinkSocket,
    private readonly o: LinkWatcherOptions,
  ) {
    // Raw NetlinkSocket events keep the message type, which tells NEWLINK from DELLINK.
    sock.socket.on('message', (msgs) => this.onMessages(msgs));
    sock.socket.on('error', (e) => this.onSocketError(e));
  }

  state(ifname: string): LinkState | undefined {
    return this.links.get(ifname);
  }

  all(): LinkState[] {
    return [...this.links.values()];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.socket.close();
  }

  /** Dumps every link and applies it as if it were a notification (reporting only changes). */
  async resync(): Promise<void> {
    const stream = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: {} }, stream);
    const msgs = await rtRequest(this.sock, {
      type: rt.MessageType.GETLINK,
      body: stream.bufs,
      flags: FlagsGet.DUMP,
      timeoutMs: this.o.timeoutMs ?? 2000,
      op: 'list devices',
      target: 'all devices',
    });
    const initial = this.links.size === 0;
    const seen = new Set<string>();
    for (const m of msgs) {
      const d = decodeLinkMessage(m.type, m.data);
      if (d === undefined) continue;
      seen.add(d.state.ifname);
      this.apply(d.state, { deleted: false, report: !initial });
    }
    for (const [name, s] of this.links) {
      if (!seen.has(name)) this.apply(s, { deleted: true, report: true });
    }
  }

  private onMessages(msgs: NetlinkMessage[]): void {
    for (const m of msgs) {
      if (m.type === MessageType.OVERRUN) {
        this.startResync();
        continue;
      }
      if (m.type !== rt.MessageType.NEWLINK && m.type !== rt.MessageType.DELLINK) continue;
      const d = decodeLinkMessage(m.type, m.data);
      if (d === undefined) {
        this.o.onError?.(new Error('undecodable RTM_NEWLINK/DELLINK notification ignored'));
        continue;
      }
      this.apply(d.state, { deleted: d.deleted, report: true });
    }
  }

  private apply(s: LinkState, o: { deleted: boolean; report: boolean }): void {
    const before = this.links.get(s.ifname);
    if (o.deleted) this.links.delete(s.ifname);
    else this.links.set(s.ifname, s);
    const upNow = o.deleted ? false : s.up;
    const upBefore = before?.up;
    if (o.report && upBefore !== upNow && !(upBefore === undefined && o.deleted)) {
      this.o.onChange({ ifname: s.ifname, up: upNow });
    }
  }

  /** ENOBUFS: notifications were lost; read the whole table again. */
  private onSocketError(e: Error): void {
    this.o.onError?.(e);
    this.startResync();
  }

  private startResync(): void {
    if (this.closed || this.resyncing) return;
    this.resyncing = true;
    this.resync()
      .catch((e: unknown) => this.o.onError?.(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        this.resyncing = false;
      });
  }
}
