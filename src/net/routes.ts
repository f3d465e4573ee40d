/**
 * Routes and ip rules added and removed through rtnetlink (RTM_NEWROUTE / RTM_DELROUTE,
 * RTM_NEWRULE / RTM_DELRULE; <linux/rtnetlink.h>, <linux/fib_rules.h>), as `ip route add|del`
 * and `ip rule add|del` do, for keepalived's virtual_routes / virtual_rules.
 * Idempotent: adding what the kernel has answers 'present' (EEXIST), removing what it has not
 * answers 'absent' (ESRCH for a route, ENOENT for a rule). A removal names the route by
 * table, destination, type, protocol and (when given) gateway, device and metric, with
 * scope RT_SCOPE_NOWHERE as the wildcard `ip route del` uses.
 */
import { constants as osConstants } from 'node:os';
import { AttrStream, createRtNetlink, FlagsNew, type RtNetlinkSocket } from 'netlink';
import { KernelError } from '../errors.js';
import { type IpPrefix, parseAddress, type VirtualRoute, type VirtualRule } from '../model/index.js';
import { interfaceIndex, rt, rtRequest } from './rtnl.js';

export interface RouteManager {
  addRoute(r: VirtualRoute): Promise<'added' | 'present'>;
  removeRoute(r: VirtualRoute): Promise<'removed' | 'absent'>;
  addRule(r: VirtualRule): Promise<'added' | 'present'>;
  removeRule(r: VirtualRule): Promise<'removed' | 'absent'>;
  close(): void;
}

const AF = { 4: 2, 6: 10 } as const;
const RT_SCOPE_NOWHERE = 255;
const RTNH_F_ONLINK = 4;
const FR_ACT_TO_TBL = 1;
const TYPES = { unicast: 1, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 } as const;

/** `192.0.2.0/24 via 198.51.100.1 dev eth0 table 100`, as `ip route` shows it; used in messages. */
export function describeRoute(r: VirtualRoute): string {
  const parts = [r.type === 'unicast' ? '' : `${r.type} `, `${r.dst.address}/${r.dst.len}`, r.src ? ` src ${r.src}` : '', r.via ? ` via ${r.via}` : '',
    r.dev ? ` dev ${r.dev}` : '', ` table ${r.table}`, r.metric !== undefined ? ` metric ${r.metric}` : ''];
  return parts.join('');
}

/** `from 192.0.2.0/24 lookup 100 pref 100`, as `ip rule` shows it. */
export function describeRule(r: VirtualRule): string {
  const p = (x: IpPrefix): string => `${x.address}/${x.len}`;
  const parts = [r.from ? `from ${p(r.from)}` : 'from all', r.to ? ` to ${p(r.to)}` : '', r.fwmark !== undefined ? ` fwmark ${r.fwmark}` : '',
    r.iif ? ` iif ${r.iif}` : '', r.oif ? ` oif ${r.oif}` : '', ` lookup ${r.table}`, r.priority !== undefined ? ` pref ${r.priority}` : ''];
  return parts.join('');
}

export async function openRouteManager(o?: { timeoutMs?: number }): Promise<RouteManager> {
  return new RtRouteManager(createRtNetlink(), o?.timeoutMs ?? 2000);
}

function bytes(address: string, family: 4 | 6, where: { op: string; target: string }): Buffer {
  const b = parseAddress(address, family);
  if (b === undefined) throw new KernelError({ ...where, errno: osConstants.errno.EINVAL, code: 'EINVAL', syscall: 'rtnetlink', meaning: `not an IPv${family} address: ${address}` });
  return Buffer.from(b);
}

/** rtmsg + attributes; `del` uses the scope wildcard. Tables above 255 go in RTA_TABLE only (RT_TABLE_UNSPEC in the header). */
export function routeBody(r: VirtualRoute, o: { del: boolean; ifindex?: number }): Uint8Array[] {
  const where = { op: o.del ? 'remove route' : 'add route', target: describeRoute(r) };
  const attrs: rt.RouteAttrs = { table: r.table };
  if (r.dst.len > 0) attrs.dst = bytes(r.dst.address, r.family, where);
  if (r.src !== undefined) attrs.prefsrc = bytes(r.src, r.family, where);
  if (r.via !== undefined) attrs.gateway = bytes(r.via, r.family, where);
  if (o.ifindex !== undefined) attrs.oif = o.ifindex;
  if (r.metric !== undefined) attrs.priority = r.metric;
  const data: rt.Route = {
    family: AF[r.family], dstLen: r.dst.len, table: r.table < 256 ? r.table : 0, protocol: r.protocol,
    scope: o.del ? RT_SCOPE_NOWHERE : r.scope, type: TYPES[r.type], ...(r.onlink ? { flags: { __unknown: RTNH_F_ONLINK } } : {}),
  };
  const stream = new AttrStream();
  rt.formatRouteMessage({ kind: 'route', data, attrs }, stream);
  return stream.bufs;
}

/** fib_rule_hdr + FRA_* attributes: lookup `table`. */
export function ruleBody(r: VirtualRule, o: { del: boolean }): Uint8Array[] {
  const where = { op: o.del ? 'remove rule' : 'add rule', target: describeRule(r) };
  const attrs: rt.RuleAttrs = { table: r.table };
  if (r.from) attrs.src = bytes(r.from.address, r.family, where);
  if (r.to) attrs.dst = bytes(r.to.address, r.family, where);
  if (r.priority !== undefined) attrs.priority = r.priority;
  if (r.fwmark !== undefined) attrs.fwmark = r.fwmark;
  if (r.fwmask !== undefined) attrs.fwmask = r.fwmask;
  if (r.iif !== undefined) attrs.iifname = r.iif;
  if (r.oif !== undefined) attrs.oifname = r.oif;
  if (r.protocol !== 0) attrs.protocol = r.protocol;
  const data: rt.Rule = { family: AF[r.family], srcLen: r.from?.len ?? 0, dstLen: r.to?.len ?? 0, table: r.table < 256 ? r.table : 0, action: FR_ACT_TO_TBL };
  const stream = new AttrStream();
  rt.formatRuleMessage({ kind: 'rule', data, attrs }, stream);
  return stream.bufs;
}

class RtRouteManager implements RouteManager {
  constructor(private readonly sock: RtNetlinkSocket, private readonly timeoutMs: number) {}

  async addRoute(r: VirtualRoute): Promise<'added' | 'present'> {
    const where = { op: 'add route', target: describeRoute(r) };
    const body = routeBody(r, { del: false, ...(r.dev !== undefined ? { ifindex: interfaceIndex(r.dev, where) } : {}) });
    return this.add({ type: rt.MessageType.NEWROUTE, body, ...where });
  }

  async removeRoute(r: VirtualRoute): Promise<'removed' | 'absent'> {
    const where = { op: 'remove route', target: describeRoute(r) };
    const body = routeBody(r, { del: true, ...(r.dev !== undefined ? { ifindex: interfaceIndex(r.dev, where) } : {}) });
    return this.remove({ type: rt.MessageType.DELROUTE, body, ...where }, 'ESRCH');
  }

  async addRule(r: VirtualRule): Promise<'added' | 'present'> {
    return this.add({ type: rt.MessageType.NEWRULE, body: ruleBody(r, { del: false }), op: 'add rule', target: describeRule(r) });
  }

  async removeRule(r: VirtualRule): Promise<'removed' | 'absent'> {
    return this.remove({ type: rt.MessageType.DELRULE, body: ruleBody(r, { del: true }), op: 'remove rule', target: describeRule(r) }, 'ENOENT');
  }

  close(): void {
    this.sock.socket.close();
  }

  private async add(m: { type: number; body: Uint8Array[]; op: string; target: string }): Promise<'added' | 'present'> {
    try {
      await rtRequest(this.sock, { ...m, flags: FlagsNew.CREATE | FlagsNew.EXCL, timeoutMs: this.timeoutMs });
      return 'added';
    } catch (e) {
      if (e instanceof KernelError && e.code === 'EEXIST') return 'present';
      throw e;
    }
  }

  private async remove(m: { type: number; body: Uint8Array[]; op: string; target: string }, absent: 'ESRCH' | 'ENOENT'): Promise<'removed' | 'absent'> {
    try {
      await rtRequest(this.sock, { ...m, flags: 0, timeoutMs: this.timeoutMs });
      return 'removed';
    } catch (e) {
      if (e instanceof KernelError && e.code === absent) return 'absent';
      throw e;
    }
  }
}
