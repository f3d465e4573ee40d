/**
 * `ipvsadm -S -n`, byte for byte (pure): the rules `ipvsadm -R` accepts; thresholds, timeouts and
 * daemons are not saved. ipvsadm 1.31 ipvsadm.c (print_service_entry and print_title with
 * FMT_RULE); service names, masks and scheduler flags are the listing's (format.ts).
 */
import { addrPort } from './address.js';
import { maskText, SCHED_ANY, schedFlagNames, serviceName } from './format.js';
import { sortDests, sortServices } from './sort.js';
import {
  FWD_DROUTE, FWD_LOCALNODE, FWD_MASQ, FWD_TUNNEL, SVC_F_ONEPACKET, SVC_F_PERSISTENT, TUN_TYPE_GRE, TUN_TYPE_GUE, TUN_TYPE_IPIP,
  type IpvsDest, type IpvsService, type IpvsServiceWithDests,
} from './types.js';

const u32 = (n: number): number => n >>> 0;
const i32 = (n: number): number => n | 0;

function ruleServiceLine(name: string, s: IpvsService): string {
  let line = `-A ${name} -s ${s.sched}`;
  if (s.flags & SVC_F_PERSISTENT) {
    line += ` -p ${u32(s.timeout)}`;
    const m = maskText(s);
    if (m !== undefined) line += ` -M ${m}`;
  }
  if (s.pe) line += ` --pe ${s.pe}`;
  if (s.flags & SVC_F_ONEPACKET) line += ' -o';
  if (s.flags & SCHED_ANY) line += ` -b ${schedFlagNames(s)}`;
  return line;
}

function fwdSwitch(fwd: number): string {
  switch (fwd & 7) {
    case FWD_MASQ: return '-m';
    case FWD_TUNNEL: return '-i';
    case FWD_LOCALNODE:
    case FWD_DROUTE: return '-g';
    default: return '(null)';
  }
}

const TUN_NAMES = ['ipip', 'gue', 'gre'];
const TUN_FLAG_OPTS = ['--tun-nocsum', '--tun-csum', '--tun-remcsum'];

function ruleDestLine(svcName: string, d: IpvsDest, dname: string): string {
  const base = `-a ${svcName} -r ${dname} ${fwdSwitch(d.fwd)} -w ${i32(d.weight)}`;
  if ((d.fwd & 7) !== FWD_TUNNEL) return base;
  const opt = TUN_FLAG_OPTS[d.tunFlags] ?? '(null)';
  switch (d.tunType) {
    case TUN_TYPE_GRE: return `${base} --tun-type gre ${opt}`;
    case TUN_TYPE_GUE: return `${base} --tun-type gue --tun-port ${i32(d.tunPort)} ${opt}`;
    case TUN_TYPE_IPIP: return `${base} --tun-type ${TUN_NAMES[0]}`;
    default: return base;
  }
}

/** `ipvsadm -S -n`; `nosort` keeps the kernel's dump order, as --nosort. */
export function formatSave(services: readonly IpvsServiceWithDests[], opts: { nosort?: boolean } = {}): string {
  let out = '';
  for (const { service, dests } of opts.nosort ? services : sortServices(services)) {
    const name = serviceName(service, true);
    out += `${ruleServiceLine(name, service)}\n`;
    for (const d of opts.nosort ? dests : sortDests(dests)) out += `${ruleDestLine(name, d, addrPort(d.af, d.addr, d.port))}\n`;
  }
  return out;
}
