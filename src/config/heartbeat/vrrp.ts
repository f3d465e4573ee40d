/**
 * A heartbeat pair → VRRP (README.md beside this file has the whole mapping and why):
 * - one VRRP instance per haresources line (a resource group), VRID 1, 2, ... in line order,
 *   its virtual IPs the group's IPaddr/IPaddr2 resources, sent on the first network medium;
 * - priorities from the node order: the group's preferred node 200, the others 100, 99, ...
 *   in ha.cf order, so every director computes the same election from the same files;
 * - auto_failback on → preemption, off → none, legacy → preemption (heartbeat's legacy also
 *   fails back);
 * - keepalive → the advert interval, lowered when needed so that a dead master is noticed
 *   within deadtime: 3 × advert + skew ≤ deadtime (RFC 9568 §6.1, with the lowest priority's skew);
 * - authkeys md5/sha1 → VRRPv2 with a simple password derived from the key (IPv4, whole-second
 *   adverts), crc or a sub-second advert → VRRPv3 without authentication (warned).
 */
import { createHash } from 'node:crypto';
import { defaultsFor, type Diagnostic, HEARTBEAT_DEFAULTS as H, type IpFamily, type Loc, type Vip, type VrrpInstance, type VrrpVersion } from '../../model/index.js';
import type { AuthKey } from './authkeys.js';
import type { HaCf } from './ha-cf.js';
import type { ResourceGroup, VipResource } from './haresources.js';

export interface AdvertChoice {
  readonly version: VrrpVersion;
  readonly advertIntervalCs: number;
  /** Why the interval is not the keepalive, when it is not. */
  readonly note?: string;
}

/** Master_Down_Interval in ms for an advert interval and priority (RFC 9568 §6.1). */
export function masterDownMs(advertMs: number, priority: number): number {
  return 3 * advertMs + ((256 - priority) * advertMs) / 256;
}

export function chooseAdvert(o: { keepaliveMs: number; deadtimeMs: number; lowestPriority: number; family: IpFamily; v2: boolean }): AdvertChoice {
  const fit = Math.floor(o.deadtimeMs / (3 + (256 - o.lowestPriority) / 256));
  const advertMs = Math.min(o.keepaliveMs, fit);
  const lowered = advertMs < o.keepaliveMs
    ? `keepalive ${o.keepaliveMs} ms would notice a dead director after ${Math.round(masterDownMs(o.keepaliveMs, o.lowestPriority))} ms, over deadtime ${o.deadtimeMs} ms: lvsd advertises every ${advertMs} ms or less`
    : undefined;
  if (o.v2 && o.family === 4 && advertMs >= 1000) {
    return { version: 2, advertIntervalCs: Math.min(255, Math.floor(advertMs / 1000)) * 100, ...(lowered ? { note: lowered } : {}) };
  }
  const cs = Math.max(1, Math.min(4095, Math.floor(advertMs / 10)));
  const tooFast = masterDownMs(cs * 10, o.lowestPriority) > o.deadtimeMs ? `deadtime ${o.deadtimeMs} ms is shorter than VRRP can detect (10 ms adverts)` : undefined;
  const note = tooFast ?? lowered;
  return { version: 3, advertIntervalCs: cs, ...(note ? { note } : {}) };
}

/**
 * The VRRPv2 password (8 characters) both directors derive from the authkeys key: hex digits
 * of its SHA-256, so the key itself never goes on the wire (VRRPv2 sends the password in clear).
 */
export function derivedPassword(key: AuthKey): string {
  return createHash('sha256').update(`lvsd heartbeat authkeys ${key.method} ${key.key ?? ''}`).digest('hex').slice(0, 8);
}

export interface VrrpContext {
  readonly cf: HaCf;
  readonly key?: AuthKey;
  readonly nodeName: string;
  readonly localAddresses?: readonly string[];
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
}

function priority(nodes: readonly string[], preferred: string, self: string): number {
  if (self === preferred) return H.preferredPriority;
  return H.otherPriority - nodes.filter((n) => n !== preferred).indexOf(self);
}

function vip(r: VipResource, dev: string, c: VrrpContext): Vip {
  if (r.nic === undefined) c.warnings.push({ at: r.at, message: `virtual IP ${r.address} has no interface: IPaddr2 picks the one whose route covers it when it starts; lvsd puts it on ${dev}, the heartbeat interface (write IP/CIDR/NIC to choose)` });
  if (r.broadcast !== undefined) c.warnings.push({ at: r.at, message: `broadcast ${r.broadcast} of ${r.address} is ignored: the kernel derives it from the prefix` });
  return {
    address: r.address, family: r.family, prefix: r.prefix ?? (r.family === 4 ? 32 : 128),
    ...(r.nic !== undefined ? { dev: r.nic } : {}), ...(r.label !== undefined ? { label: r.label } : {}), at: r.at,
  };
}

export function groupInstance(g: ResourceGroup, index: number, o: VrrpContext & { nodes: readonly string[]; interface: string; peers: readonly string[]; at: Loc }): VrrpInstance {
  const vips = g.resources.flatMap((r) => (r.kind === 'vip' ? [vip(r, o.interface, o)] : []));
  const family = vips[0]?.family ?? 4;
  const lowest = o.nodes.length <= 1 ? H.preferredPriority : H.otherPriority - (o.nodes.length - 2);
  const keyed = o.key !== undefined && o.key.method !== 'crc';
  const choice = chooseAdvert({ keepaliveMs: o.cf.keepaliveMs ?? H.keepaliveMs, deadtimeMs: o.cf.deadtimeMs ?? H.deadtimeMs, lowestPriority: lowest, family, v2: keyed });
  if (choice.note !== undefined) o.warnings.push({ at: o.cf.timingAt ?? o.at, message: choice.note });
  if (o.key !== undefined && keyed && choice.version === 3) o.warnings.push({ at: o.key.at, message: `VRRPv3 (needed for ${family === 6 ? 'IPv6' : 'sub-second adverts'}) has no authentication: the authkeys key is not used for group ${index + 1}` });
  const failback = o.cf.autoFailback?.value ?? H.autoFailback;
  const d = defaultsFor('heartbeat');
  return {
    name: `hb${index + 1}_${g.node}`,
    at: g.at,
    version: choice.version,
    family,
    interface: o.interface,
    vrid: H.firstVrid + index,
    priority: priority(o.nodes, g.node, o.nodeName),
    advertIntervalCs: choice.advertIntervalCs,
    initialState: 'BACKUP',
    preempt: failback !== 'off',
    preemptDelayMs: 0,
    vips,
    unicastPeers: o.peers.filter((p) => (p.includes(':') ? 6 : 4) === family),
    ...(keyed && choice.version === 2 && o.key !== undefined ? { authPass: derivedPassword(o.key) } : {}),
    trackInterfaces: [],
    notify: { timeoutMs: d.notifyTimeoutMs },
    garp: H.garp,
    v3Checksum: 'rfc9568',
  };
}
