/**
 * heartbeat's haresources (v1 resources, heartbeat/lib/ResourceManager): "#" to the end of the
 * line removed, a line ending in "\" joined with the next, blanks collapsed; each line is
 * `NODE RESOURCE...`, one resource group started left to right on NODE, its preferred node.
 * A resource that looks like an IPv4 address is `IPaddr::TOKEN`; otherwise `SCRIPT::ARG::ARG`.
 * lvsd maps IPaddr and IPaddr2 (virtual IPs), ldirectord (its config file) and
 * LVSSyncDaemonSwap (the IPVS sync daemon); any other resource is refused.
 */
import { type Diagnostic, type IpFamily, type Loc, netmaskToPrefix, parseIp } from '../../model/index.js';

export interface VipResource {
  readonly kind: 'vip';
  readonly at: Loc;
  readonly address: string;
  readonly family: IpFamily;
  readonly prefix?: number;
  readonly nic?: string;
  /** IPaddr2's label: the whole "nic:label" ip-address label. */
  readonly label?: string;
  readonly broadcast?: string;
}

export type Resource =
  | VipResource
  | { readonly kind: 'ldirectord'; readonly at: Loc; readonly file: string }
  | { readonly kind: 'sync'; readonly at: Loc; readonly iface?: string; readonly syncId?: number };

export interface ResourceGroup {
  readonly node: string;
  readonly at: Loc;
  readonly resources: readonly Resource[];
}

interface Logical { readonly line: number; readonly text: string }

/** Comments cut, continuation lines joined, blanks collapsed, empty lines dropped. */
function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, i) => {
    const noComment = raw.replace(/#.*/, '').replace(/\r$/, '');
    const continued = /\\\s*$/.test(noComment);
    const part = noComment.replace(/\\\s*$/, ' ');
    pending = pending === undefined ? { line: i + 1, text: part } : { line: pending.line, text: `${pending.text} ${part}` };
    if (continued) return;
    const collapsed = pending.text.trim().replace(/\s+/g, ' ');
    if (collapsed !== '') out.push({ line: pending.line, text: collapsed });
    pending = undefined;
  });
  if (pending !== undefined && pending.text.trim() !== '') out.push({ line: pending.line, text: pending.text.trim().replace(/\s+/g, ' ') });
  return out;
}

/** `ip[/cidr[/nic[:label]][/broadcast]]`: a third field starting with a digit is the broadcast. */
function vip(arg: string, at: Loc, errors: Diagnostic[]): VipResource | undefined {
  const [ip = '', cidr, third, fourth, ...more] = arg.split('/');
  const a = parseIp(ip);
  const bad = (why: string): undefined => { errors.push({ at, message: `expected IP[/CIDR[/NIC[:LABEL]][/BROADCAST]] for a virtual IP, got "${arg}": ${why}` }); return undefined; };
  if (a === undefined) return bad('not an IP address');
  if (more.length > 0) return bad('too many fields');
  let prefix: number | undefined;
  if (cidr !== undefined && cidr !== '') {
    prefix = /^\d+$/.test(cidr) ? Number(cidr) : netmaskToPrefix(cidr);
    if (prefix === undefined || prefix > (a.family === 4 ? 32 : 128)) return bad(`"${cidr}" is not a prefix length or netmask`);
  }
  const nicField = third !== undefined && /^\d/.test(third) ? undefined : third;
  const broadcast = nicField === undefined ? third : fourth;
  const [nic, label] = nicField === undefined || nicField === '' ? [] : nicField.split(':', 2);
  return {
    kind: 'vip', at, address: a.address, family: a.family,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(nic !== undefined && nic !== '' ? { nic } : {}),
    ...(label !== undefined && nic !== undefined ? { label: `${nic}:${label}` } : {}),
    ...(broadcast !== undefined && broadcast !== '' ? { broadcast } : {}),
  };
}

function resource(token: string, at: Loc, errors: Diagnostic[]): Resource | undefined {
  const [script = '', ...args] = /^\d+\.\d+\.\d+\.\d+/.test(token) ? ['IPaddr', token] : token.split('::');
  if (script === 'IPaddr' || script === 'IPaddr2') {
    if (args.length !== 1 || args[0] === undefined) {
      errors.push({ at, message: `expected ${script}::IP[/CIDR[/NIC]], got "${token}"` });
      return undefined;
    }
    return vip(args[0], at, errors);
  }
  if (script === 'ldirectord') {
    if (args.length > 1) errors.push({ at, message: `expected ldirectord or ldirectord::CONFIG, got "${token}"` });
    return { kind: 'ldirectord', at, file: args[0] ?? 'ldirectord.cf' };
  }
  if (script === 'LVSSyncDaemonSwap') return syncResource(token, args, at, errors);
  errors.push({ at, message: `resource "${token}" is not supported by lvsd: it manages virtual IPs (IPaddr, IPaddr2), ldirectord and LVSSyncDaemonSwap; run other services under systemd` });
  return undefined;
}

/** `LVSSyncDaemonSwap::master[::IFACE[::SYNCID]]` (the script's defaults: eth0, 0). */
function syncResource(token: string, args: readonly string[], at: Loc, errors: Diagnostic[]): Resource | undefined {
  const [role, iface, id, ...more] = args;
  if (role === 'backup') {
    errors.push({ at, message: 'LVSSyncDaemonSwap::backup (the sync master on the node without the group) is not supported: lvsd runs the sync master where the group is active; write LVSSyncDaemonSwap::master' });
    return undefined;
  }
  if (role !== 'master' || more.length > 0 || (id !== undefined && !/^\d+$/.test(id))) {
    errors.push({ at, message: `expected LVSSyncDaemonSwap::master[::IFACE[::SYNCID]], got "${token}"` });
    return undefined;
  }
  return { kind: 'sync', at, ...(iface !== undefined && iface !== '' ? { iface } : {}), ...(id !== undefined ? { syncId: Number(id) } : {}) };
}

export function readHaresources(file: string, text: string): { groups: ResourceGroup[]; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const groups = logicalLines(text).map((l): ResourceGroup => {
    const [node = '', ...tokens] = l.text.split(' ');
    const at = { file, line: l.line, col: 1 };
    const resources = tokens.flatMap((t) => resource(t, at, errors) ?? []);
    return { node: node.toLowerCase(), at, resources };
  });
  return { groups, errors };
}
