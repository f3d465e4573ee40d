/**
 * keepalived's virtual MAC (use_vmac; keepalived 2.2.7 vrrp_vmac.c netlink_link_add_vmac and
 * vrrp_if_config.c): a macvlan in private mode over the instance's interface, with the VRRP
 * MAC 00-00-5E-00-01-VRID (RFC 5798 §7.3), created up over rtnetlink (RTM_NEWLINK with
 * IFLA_LINK, IFLA_ADDRESS and IFLA_LINKINFO {kind "macvlan", data {IFLA_MACVLAN_MODE private}})
 * and deleted (RTM_DELLINK) on stop. The sysctls keepalived sets for IPv4 are set too: on the
 * macvlan accept_local=1, arp_ignore=1, rp_filter=0; on the base arp_ignore=1, arp_filter=1,
 * the base's old values put back when its last virtual MAC goes.
 * A macvlan of that name that already exists (left by a lvsd killed with -9) is taken over.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AttrStream, createRtNetlink, FlagsNew, type RtNetlinkSocket } from 'netlink';
import { KernelError } from '../errors.js';
import { interfaceIndex, rt, rtRequest } from './rtnl.js';

export interface VmacSpec {
  readonly ifname: string;
  readonly base: string;
  readonly vrid: number;
}

export interface VmacManager {
  create(v: VmacSpec): Promise<'created' | 'present'>;
  remove(v: VmacSpec): Promise<'removed' | 'absent'>;
  close(): void;
}

const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const MACVLAN_MODE_PRIVATE = 1;

/** RFC 5798 §7.3: the IPv4 virtual router MAC 00-00-5E-00-01-{VRID}. */
export function vrrpMac(vrid: number): Buffer {
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, 0x01, vrid & 0xff]);
}

/** One netlink attribute (struct nlattr, payload padded to 4 bytes). */
function nlattr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

/** The IFLA_LINKINFO payload: kind "macvlan", data { mode private }. */
export function macvlanLinkInfo(): Buffer {
  const mode = Buffer.alloc(4);
  mode.writeUInt32LE(MACVLAN_MODE_PRIVATE, 0);
  return Buffer.concat([nlattr(IFLA_INFO_KIND, Buffer.from('macvlan\0')), nlattr(IFLA_INFO_DATA, nlattr(IFLA_MACVLAN_MODE, mode))]);
}

/** The RTM_NEWLINK body that creates the macvlan, up. */
export function vmacLinkBody(v: VmacSpec, baseIndex: number): Uint8Array[] {
  const link = Buffer.alloc(4);
  link.writeUInt32LE(baseIndex, 0);
  const stream = new AttrStream();
  rt.formatLinkMessage({
    kind: 'link', data: { flags: { up: true }, change: { up: true } },
    attrs: { ifname: v.ifname, link, address: vrrpMac(v.vrid), linkinfo: macvlanLinkInfo() },
  }, stream);
  return stream.bufs;
}

const conf = (dev: string, key: string): string => `/proc/sys/net/ipv4/conf/${dev}/${key}`;

export async function openVmacManager(o?: { timeoutMs?: number }): Promise<VmacManager> {
  return new RtVmacManager(createRtNetlink(), o?.timeoutMs ?? 2000);
}

class RtVmacManager implements VmacManager {
  /** Per base interface: its arp_ignore / arp_filter before the first virtual MAC, and how many it carries. */
  private readonly bases = new Map<string, { readonly saved: ReadonlyMap<string, string>; count: number }>();

  constructor(private readonly sock: RtNetlinkSocket, private readonly timeoutMs: number) {}

  async create(v: VmacSpec): Promise<'created' | 'present'> {
    const where = { op: 'create virtual MAC interface', target: `${v.ifname} on ${v.base}` };
    const body = vmacLinkBody(v, interfaceIndex(v.base, where));
    let result: 'created' | 'present' = 'created';
    try {
      await rtRequest(this.sock, { type: rt.MessageType.NEWLINK, body, flags: FlagsNew.CREATE | FlagsNew.EXCL, timeoutMs: this.timeoutMs, ...where });
    } catch (e) {
      if (!(e instanceof KernelError && e.code === 'EEXIST')) throw e;
      result = 'present';
      await this.up(v, where);
    }
    this.sysctls(v);
    return result;
  }

  async remove(v: VmacSpec): Promise<'removed' | 'absent'> {
    const where = { op: 'remove virtual MAC interface', target: v.ifname };
    const stream = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: { ifname: v.ifname } }, stream);
    this.restoreBase(v.base);
    try {
      await rtRequest(this.sock, { type: rt.MessageType.DELLINK, body: stream.bufs, flags: 0, timeoutMs: this.timeoutMs, ...where });
      return 'removed';
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENODEV') return 'absent';
      throw e;
    }
  }

  close(): void {
    this.sock.socket.close();
  }

  private async up(v: VmacSpec, where: { op: string; target: string }): Promise<void> {
    const stream = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: { index: interfaceIndex(v.ifname, where), flags: { up: true }, change: { up: true } }, attrs: {} }, stream);
    await rtRequest(this.sock, { type: rt.MessageType.NEWLINK, body: stream.bufs, flags: 0, timeoutMs: this.timeoutMs, ...where });
  }

  /** vrrp_if_config.c set_interface_parameters, through /proc/sys (the same values). */
  private sysctls(v: VmacSpec): void {
    for (const [key, value] of [['accept_local', '1'], ['arp_ignore', '1'], ['rp_filter', '0']] as const) writeFileSync(conf(v.ifname, key), value);
    const base = this.bases.get(v.base);
    if (base) {
      base.count++;
      return;
    }
    const saved = new Map(['arp_ignore', 'arp_filter'].map((k) => [k, readFileSync(conf(v.base, k), 'utf8').trim()]));
    this.bases.set(v.base, { saved, count: 1 });
    writeFileSync(conf(v.base, 'arp_ignore'), '1');
    writeFileSync(conf(v.base, 'arp_filter'), '1');
  }

  private restoreBase(baseName: string): void {
    const base = this.bases.get(baseName);
    if (!base || --base.count > 0) return;
    this.bases.delete(baseName);
    for (const [k, value] of base.saved) writeFileSync(conf(baseName, k), value);
  }
}
