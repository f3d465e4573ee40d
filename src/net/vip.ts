/**
 * Virtual IP addresses added and removed through rtnetlink (RTM_NEWADDR / RTM_DELADDR,
 * <linux/if_addr.h>), as `ip addr add|del` does: adds and removes on the addon's netlink socket
 * (nl-ack.ts, sent synchronously), listings and look-ups on the `netlink` package.
 *
 * Idempotent: adding an address the kernel already has answers 'present' (EEXIST, so a restarted
 * lvsd adopts VIPs it left behind); removing an absent one answers 'absent' (EADDRNOTAVAIL).
 * IPv6 VIPs get IFA_F_NODAD, as keepalived does (vrrp_ipaddress.c, netlink_ipaddress: a VIP
 * must be usable at once, and DAD would mark it dadfailed when the old master still answers).
 * Labels are IPv4 only (IFA_LABEL is an IPv4 notion, net/ipv4/devinet.c; keepalived drops them
 * on IPv6 too) and must be the device name or start with `DEV:`, as iproute2 requires.
 */
import { constants as osConstants } from 'node:os';
import { AttrStream, FlagsGet, FlagsNew, createRtNetlink, type RtNetlinkSocket } from 'netlink';
import { KernelError } from '../errors.js';
import { formatAddress, type IpFamily, parseAddress } from '../model/index.js';
import { interfaceIndex, kernelError, rt, rtRequest } from './rtnl.js';
import { AckRequester, frameRequest } from './nl-ack.js';

export interface VipSpec {
  readonly address: string;
  readonly family: IpFamily;
  /** Prefix length: 0–32 (IPv4) or 0–128 (IPv6). */
  readonly prefix: number;
  readonly dev: string;
  /** IPv4 only; `DEV` or `DEV:SUFFIX`, at most 15 bytes (IFNAMSIZ - 1). */
  readonly label?: string;
  /** ifa_scope (RT_SCOPE_*); absent = 0, global (keepalived static_ipaddress `scope`). */
  readonly scope?: number;
}

export interface VipManager {
  /**
   * 'present' when the kernel already had this address with this prefix on that device. The
   * request is sent before add() returns (synchronously, from a body made by prepareAdd when
   * there is one), so a takeover puts its VIPs on the wire in the timer's own tick.
   */
  add(v: VipSpec): Promise<'added' | 'present'>;
  /**
   * Builds (and keeps) the RTM_NEWADDR request for `v`, so a later add() only looks up the
   * device index and sends. Throws what add() would reject with for a bad VIP or device.
   */
  prepareAdd(v: VipSpec): void;
  /**
   * 'absent' when the kernel had no such address on that device. The prefix must match too
   * (IPv4 compares it when IFA_ADDRESS is given, net/ipv4/devinet.c inet_rtm_deladdr; IPv6
   * always does), so an operator's 10.0.0.5/24 is never removed for a VIP 10.0.0.5/32.
   * The label is not sent, so it need not match.
   */
  remove(v: VipSpec): Promise<'removed' | 'absent'>;
  /** Every address on `dev` (or on all devices), VIP or not; the label only when it differs from the device name. */
  list(dev?: string): Promise<VipSpec[]>;
  /** ifindex of a device; KernelError ENODEV when there is none. */
  interfaceIndex(name: string): Promise<number>;
  /**
   * The address VRRP sends from: for IPv4 the first non-secondary address of global scope, for
   * IPv6 the first link-local one that is not tentative (RFC 9568 §5.1.2.1: IPv6 adverts come
   * from the link-local address). undefined when the device has none.
   */
  interfacePrimaryAddress(name: string, family: IpFamily): Promise<string | undefined>;
  close(): void;
}

const AF_INET = 2;
const AF_INET6 = 10;
const RT_SCOPE_LINK = 253;
/** IFNAMSIZ (16, <linux/if.h>) less the terminating NUL. */
const MAX_LABEL_BYTES = 15;

/** Prepared NEWADDR requests kept at most (a bound only; a director has a handful of VIPs). */
const MAX_PREPARED = 4096;

/** Opens its two rtnetlink sockets; every request gives up after timeoutMs (default 2000). */
export async function openVipManager(o?: { timeoutMs?: number }): Promise<VipManager> {
  const timeoutMs = o?.timeoutMs ?? 2000;
  return new RtVipManager(createRtNetlink(), new AckRequester(timeoutMs), timeoutMs);
}

/** Why this VIP cannot be sent to the kernel, or undefined when it can. Pure. */
export function vipProblem(v: VipSpec): string | undefined {
  if (parseAddress(v.address, v.family) === undefined) return `not an IPv${v.family} address: "${v.address}"`;
  const max = v.family === 4 ? 32 : 128;
  if (!Number.isInteger(v.prefix) || v.prefix < 0 || v.prefix > max) return `prefix must be 0-${max}, got ${v.prefix}`;
  if (v.dev === '' || Buffer.byteLength(v.dev) > MAX_LABEL_BYTES) return `bad device name "${v.dev}"`;
  if (v.label === undefined) return undefined;
  if (v.family === 6) return 'labels apply to IPv4 addresses only';
  if (v.label !== v.dev && !v.label.startsWith(`${v.dev}:`)) return `label "${v.label}" must be "${v.dev}" or start with "${v.dev}:"`;
  if (Buffer.byteLength(v.label) > MAX_LABEL_BYTES) return `label "${v.label}" is longer than ${MAX_LABEL_BYTES} bytes`;
  return undefined;
}

/** `192.0.2.10/32 dev eth0 label eth0:0`, as `ip addr` would take it; used in messages. */
export function describeVip(v: VipSpec): string {
  const label = v.label !== undefined ? ` label ${v.label}` : '';
  return `${v.address}/${v.prefix} dev ${v.dev}${label}`;
}

/** Adds and removes through `acks` (sent synchronously); lists and looks up through `sock`. */
class RtVipManager implements VipManager {
  constructor(
    private readonly sock: RtNetlinkSocket,
    private readonly acks: AckRequester,
    private readonly timeoutMs: number,
  ) {}

  /** Framed NEWADDR requests by VIP, valid while the device keeps the index they were made for. */
  private readonly prepared = new Map<string, { readonly index: number; readonly message: Buffer }>();

  prepareAdd(v: VipSpec): void {
    this.addMessage(v, { op: 'add VIP', target: describeVip(v) });
  }

  async add(v: VipSpec): Promise<'added' | 'present'> {
    const where = { op: 'add VIP', target: describeVip(v) };
    const message = this.addMessage(v, where);
    try {
      await this.acks.send(message, where);
      return 'added';
    } catch (e) {
      if (e instanceof KernelError && e.code === 'EEXIST') return 'present';
      throw e;
    }
  }

  async remove(v: VipSpec): Promise<'removed' | 'absent'> {
    const where = { op: 'remove VIP', target: describeVip(v) };
    const { body } = this.addressBody({ ...v, label: undefined }, where);
    try {
      await this.acks.request({ type: rt.MessageType.DELADDR, body, flags: 0, ...where });
      return 'removed';
    } catch (e) {
      if (e instanceof KernelError && e.code === 'EADDRNOTAVAIL') return 'absent';
      throw e;
    }
  }

  async list(dev?: string): Promise<VipSpec[]> {
    const names = await this.linkNames();
    const want = dev === undefined ? undefined : await this.interfaceIndex(dev);
    const out: VipSpec[] = [];
    for (const a of await this.dumpAddresses()) {
      const name = names.get(a.data.index ?? -1);
      const v = toVipSpec(a, name);
      if (v !== undefined && (want === undefined || a.data.index === want)) out.push(v);
    }
    return out;
  }

  async interfaceIndex(name: string): Promise<number> {
    const where = { op: 'look up device', target: name };
    const stream = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: { ifname: name } }, stream);
    const msgs = await rtRequest(this.sock, { type: rt.MessageType.GETLINK, body: stream.bufs, flags: 0, timeoutMs: this.timeoutMs, ...where });
    const first = msgs[0];
    const index = first === undefined ? undefined : rt.parseLinkMessage(first.data).data.index;
    if (index === undefined) throw kernelError(where, osConstants.errno.ENODEV, undefined);
    return index;
  }

  async interfacePrimaryAddress(name: string, family: IpFamily): Promise<string | undefined> {
    const index = await this.interfaceIndex(name);
    for (const a of await this.dumpAddresses()) {
      if (a.data.index !== index || a.data.family !== (family === 4 ? AF_INET : AF_INET6)) continue;
      const flags = a.attrs.flags ?? a.data.flags ?? {};
      const wanted = family === 4 ? a.data.scope === 0 && flags.secondary !== true : a.data.scope === RT_SCOPE_LINK && flags.tentative !== true;
      const bytes = a.attrs.local ?? a.attrs.address;
      if (wanted && bytes !== undefined) return addressText(bytes);
    }
    return undefined;
  }

  close(): void {
    this.sock.socket.close();
    this.acks.close();
  }

  /** The NEWADDR request for `v`: the prepared one when the device index is unchanged, else a new one (kept). */
  private addMessage(v: VipSpec, where: { op: string; target: string }): Buffer {
    const key = `${v.family} ${v.address}/${v.prefix} ${v.dev} ${v.label ?? ''}`;
    const hit = this.prepared.get(key);
    if (hit !== undefined && hit.index === interfaceIndex(v.dev, where)) return hit.message;
    const { index, body } = this.addressBody(v, where);
    const message = frameRequest({ type: rt.MessageType.NEWADDR, flags: FlagsNew.CREATE | FlagsNew.EXCL, body }, 0);
    if (this.prepared.size >= MAX_PREPARED) this.prepared.clear();
    this.prepared.set(key, { index, message });
    return message;
  }

  /** ifaddrmsg + IFA_LOCAL/IFA_ADDRESS (+ IFA_LABEL) for NEWADDR/DELADDR. */
  private addressBody(v: VipSpec, where: { op: string; target: string }): { index: number; body: Uint8Array[] } {
    const problem = vipProblem(v);
    const parsed = parseAddress(v.address, v.family);
    const bytes = parsed && Buffer.from(parsed);
    if (problem !== undefined || bytes === undefined) {
      const errno = osConstants.errno.EINVAL;
      throw new KernelError({ ...where, errno, code: 'EINVAL', syscall: 'rtnetlink', meaning: problem ?? 'bad address' });
    }
    const index = interfaceIndex(v.dev, where);
    const family = v.family === 4 ? AF_INET : AF_INET6;
    const flags = v.family === 6 ? { nodad: true as const } : {};
    const stream = new AttrStream();
    const attrs: rt.AddressAttrs = { local: bytes, address: bytes };
    if (v.label !== undefined) attrs.label = v.label;
    rt.formatAddressMessage({ kind: 'address', data: { family, prefixlen: v.prefix, flags, scope: v.scope ?? 0, index }, attrs }, stream);
    return { index, body: stream.bufs };
  }

  private async dumpAddresses(): Promise<rt.AddressMessage[]> {
    const stream = new AttrStream();
    rt.formatAddressMessage({ kind: 'address', data: {}, attrs: {} }, stream);
    const where = { op: 'list addresses', target: 'all devices' };
    const msgs = await rtRequest(this.sock, { type: rt.MessageType.GETADDR, body: stream.bufs, flags: FlagsGet.DUMP, timeoutMs: this.timeoutMs, ...where });
    return msgs.filter((m) => m.type === rt.MessageType.NEWADDR).map((m) => rt.parseAddressMessage(m.data));
  }

  private async linkNames(): Promise<Map<number, string>> {
    const stream = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: {} }, stream);
    const where = { op: 'list devices', target: 'all devices' };
    const msgs = await rtRequest(this.sock, { type: rt.MessageType.GETLINK, body: stream.bufs, flags: FlagsGet.DUMP, timeoutMs: this.timeoutMs, ...where });
    const names = new Map<number, string>();
    for (const m of msgs) {
      if (m.type !== rt.MessageType.NEWLINK) continue;
      const l = rt.parseLinkMessage(m.data);
      if (l.data.index !== undefined && l.attrs.ifname !== undefined) names.set(l.data.index, l.attrs.ifname);
    }
    return names;
  }
}

/** A dumped address → VipSpec; undefined for families other than IPv4/IPv6 or unknown devices. */
function toVipSpec(a: rt.AddressMessage, dev: string | undefined): VipSpec | undefined {
  const family = a.data.family === AF_INET ? 4 : a.data.family === AF_INET6 ? 6 : undefined;
  const bytes = a.attrs.local ?? a.attrs.address;
  const address = bytes === undefined ? undefined : addressText(bytes);
  if (family === undefined || address === undefined || dev === undefined) return undefined;
  const base = { address, family, prefix: a.data.prefixlen ?? 0, dev } as const;
  return a.attrs.label !== undefined && a.attrs.label !== dev ? { ...base, label: a.attrs.label } : base;
}

/** Text of a dumped IFA_LOCAL / IFA_ADDRESS; undefined unless it is 4 or 16 bytes. */
function addressText(bytes: Uint8Array): string | undefined {
  return bytes.length === 4 || bytes.length === 16 ? formatAddress(bytes) : undefined;
}
