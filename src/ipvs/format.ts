/**
 * `ipvsadm -L -n` and friends, byte for byte (pure).
 *
 * Every format string below is ipvsadm 1.31's (ipvsadm.c: print_title, print_service_entry,
 * print_largenum, list_all, list_timeout, list_daemon), confirmed against the strings of
 * Debian's /usr/sbin/ipvsadm 1:1.31-1+b1. Trailing spaces are part of the output.
 * Names are never resolved: this is the `-n` (FMT_NUMERIC) rendering. `ipvsadm -S` is in
 * format-save.ts.
 */
import { addrPort } from './address.js';
import { sortDests, sortServices } from './sort.js';
import {
  AF_INET,
  AF_INET6,
  FWD_DROUTE,
  FWD_LOCALNODE,
  FWD_MASQ,
  FWD_TUNNEL,
  PROTOCOL_NAME,
  PROTOCOL_OPTION,
  SVC_F_ONEPACKET,
  SVC_F_PERSISTENT,
  SVC_F_SCHED1,
  SVC_F_SCHED2,
  SVC_F_SCHED3,
  TUN_TYPE_GRE,
  TUN_TYPE_GUE,
  TUN_TYPE_IPIP,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsInfo,
  type IpvsService,
  type IpvsServiceWithDests,
  type IpvsStats,
  type IpvsTimeouts,
} from './types.js';

/** The listing variants; precedence as ipvsadm: stats > rate > thresholds > persistentConn > tunInfo. */
export interface ListOptions {
  readonly stats?: boolean;
  readonly rate?: boolean;
  readonly thresholds?: boolean;
  readonly persistentConn?: boolean;
  readonly tunInfo?: boolean;
  readonly exact?: boolean;
  /** --nosort: keep the kernel's dump order. */
  readonly nosort?: boolean;
}

type Mode = 'stats' | 'rate' | 'thresholds' | 'persistentConn' | 'tunInfo' | 'default';

function modeOf(o: ListOptions): Mode {
  if (o.stats) return 'stats';
  if (o.rate) return 'rate';
  if (o.thresholds) return 'thresholds';
  if (o.persistentConn) return 'persistentConn';
  if (o.tunInfo) return 'tunInfo';
  return 'default';
}

// printf helpers: %-Ns, %Ns (no truncation, as printf).
const left = (s: string | number, w: number): string => String(s).padEnd(w, ' ');
const right = (s: string | number | bigint, w: number): string => String(s).padStart(w, ' ');
const u32 = (n: number): number => n >>> 0;
const i32 = (n: number): number => n | 0;

/** print_largenum: 9 columns; K/M/G/T by integer division unless --exact. */
export function largenum(i: bigint, exact: boolean): string {
  const s = i.toString();
  if (exact) return right(s, s.length <= 8 ? 9 : s.length + 1);
  if (i < 100000000n) return right(s, 9);
  if (i < 1000000000n) return `${right(i / 1000n, 8)}K`;
  if (i < 100000000000n) return `${right(i / 1000000n, 8)}M`;
  if (i < 100000000000000n) return `${right(i / 1000000000n, 8)}G`;
  return `${right(i / 1000000000000n, 8)}T`;
}

function title(mode: Mode): string {
  const two = (cols: string): string => `${cols}\n  -> RemoteAddress:Port\n`;
  const p = left('Prot LocalAddress:Port', 33);
  switch (mode) {
    case 'stats':
      return two(`${p} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((c) => right(c, 8)).join(' ')}`);
    case 'rate':
      return two(`${p} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((c) => right(c, 8)).join(' ')}`);
    case 'thresholds':
      return two(`${p} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((c) => left(c, 10)).join(' ')}`);
    case 'persistentConn':
      return two(`${p} ${left('Weight', 9)} ${left('PersistConn', 11)} ${left('ActiveConn', 10)} ${left('InActConn', 10)}`);
    case 'tunInfo':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
    case 'default':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  }
}

const protocolName = (p: number): string => PROTOCOL_NAME[p] ?? '?';
const protocolOption = (p: number): string => PROTOCOL_OPTION[p] ?? '--xxx-service';

/** svc_name: "FWM  %d[ IPv6]" / "%-4s %s" (cut to 33 chars unless IPv6) / "-f %d[ -6]" / "-t addr:port". */
export function serviceName(s: IpvsService, rule: boolean): string {
  if (s.fwmark !== 0) {
    const mark = i32(s.fwmark); // %d of a u32: marks >= 2^31 print negative in 1.31
    if (rule) return s.af === AF_INET6 ? `-f ${mark} -6` : `-f ${mark}`;
    return s.af === AF_INET6 ? `FWM  ${mark} IPv6` : `FWM  ${mark}`;
  }
  const vname = addrPort(s.af, s.addr, s.port);
  if (rule) return `${protocolOption(s.protocol)} ${vname}`;
  const name = `${left(protocolName(s.protocol), 4)} ${vname}`;
  return s.af !== AF_INET6 ? name.slice(0, 33) : name;
}

/** print_sched_flags: names by scheduler, comma-joined. */
export function schedFlagNames(s: IpvsService): string {
  const names: string[] = [];
  const f = s.flags;
  if (s.sched === 'sh' || s.sched === 'mh') {
    if (f & SVC_F_SCHED1) names.push(`${s.sched}-fallback`);
    if (f & SVC_F_SCHED2) names.push(`${s.sched}-port`);
  } else {
    if (f & SVC_F_SCHED1) names.push('flag-1');
    if (f & SVC_F_SCHED2) names.push('flag-2');
    if (f & SVC_F_SCHED3) names.push('flag-3');
  }
  return names.join(',');
}

export const SCHED_ANY = SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_SCHED3;

/** inet_ntoa of the stored mask; the type keeps the dotted form's value (0xffffff00 = /24). */
function dottedMask(m: number): string {
  return [24, 16, 8, 0].map((sh) => (m >>> sh) & 0xff).join('.');
}

/** " mask X" / " -M X" text, or '' when the mask is the host mask. */
export function maskText(s: IpvsService): string | undefined {
  if (s.af === AF_INET) return u32(s.netmask) !== 0xffffffff ? dottedMask(s.netmask) : undefined;
  if (s.af === AF_INET6) return s.netmask !== 128 ? String(i32(s.netmask)) : undefined;
  return undefined;
}

function serviceLine(s: IpvsService, mode: Mode, exact: boolean): string {
  const name = serviceName(s, false);
  if (mode === 'stats' || mode === 'rate') {
    const st = s.stats ?? ZERO_STATS;
    const vals = mode === 'stats' ? [st.conns, st.inPkts, st.outPkts, st.inBytes, st.outBytes] : [st.cps, st.inPps, st.outPps, st.inBps, st.outBps];
    return `${left(name, 33)}${vals.map((v) => largenum(v, exact)).join('')}\n`;
  }
  let line = `${name} ${s.sched}`;
  if (s.flags & SCHED_ANY) line += ` (${schedFlagNames(s)})`;
  if (s.flags & SVC_F_PERSISTENT) {
    line += ` persistent ${u32(s.timeout)}`;
    const m = maskText(s);
    if (m !== undefined) line += ` mask ${m}`;
    if (s.pe) line += ` pe ${s.pe}`;
  }
  if (s.flags & SVC_F_ONEPACKET) line += ' ops';
  return `${line}\n`;
}

export const ZERO_STATS: IpvsStats = {
  conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n,
  cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n,
};

/**
 * Dest stats as ipvsadm 1.31 shows them: libipvs parses the dest STATS64 nest with its
 * 32-bit parser (nla_get_u32 on a u64 reads the low half on little-endian), so conns,
 * packets and all rates are the low 32 bits; bytes stay 64-bit. Mirrored deliberately.
 */
function destStats(d: IpvsDest): IpvsStats {
  const s = d.stats ?? ZERO_STATS;
  const lo = (v: bigint): bigint => BigInt.asUintN(32, v);
  return {
    conns: lo(s.conns), inPkts: lo(s.inPkts), outPkts: lo(s.outPkts), inBytes: s.inBytes, outBytes: s.outBytes,
    cps: lo(s.cps), inPps: lo(s.inPps), outPps: lo(s.outPps), inBps: lo(s.inBps), outBps: lo(s.outBps),
  };
}

/** fwd_name; glibc prints "(null)" for the NULL ipvsadm passes for other methods. */
function fwdName(fwd: number): string {
  switch (fwd & 7) {
    case FWD_MASQ: return 'Masq';
    case FWD_LOCALNODE: return 'Local';
    case FWD_TUNNEL: return 'Tunnel';
    case FWD_DROUTE: return 'Route';
    default: return '(null)';
  }
}

const TUN_FLAGS = ['-c', '+c', 'r+c'];

/** fwd_tun_info: "ipip", "gue:PORT:FLAGS", "gre:FLAGS", or "n/a". */
function tunInfo(d: IpvsDest): string {
  if ((d.fwd & 7) !== FWD_TUNNEL) return 'n/a';
  const flags = TUN_FLAGS[d.tunFlags] ?? '(null)';
  if (d.tunType === TUN_TYPE_IPIP) return 'ipip';
  if (d.tunType === TUN_TYPE_GUE) return `gue:${i32(d.tunPort)}:${flags}`.slice(0, 15);
  if (d.tunType === TUN_TYPE_GRE) return `gre:${flags}`;
  return 'n/a';
}

function destLine(d: IpvsDest, mode: Mode, exact: boolean): string {
  let dname = addrPort(d.af, d.addr, d.port);
  if (d.af !== AF_INET6) dname = dname.slice(0, 28);
  const head = `  -> ${left(dname, 28)}`;
  const act = u32(d.activeConns ?? 0);
  const inact = u32(d.inactConns ?? 0);
  switch (mode) {
    case 'stats': {
      const s = destStats(d);
      return `${head}${[s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes].map((v) => largenum(v, exact)).join('')}\n`;
    }
    case 'rate': {
      const s = destStats(d);
      return `${head} ${right(s.cps, 8)} ${right(s.inPps, 8)} ${right(s.outPps, 8)}${largenum(s.inBps, exact)}${largenum(s.outBps, exact)}\n`;
    }
    case 'thresholds':
      return `${head} ${left(u32(d.uThresh), 10)} ${left(u32(d.lThresh), 10)} ${left(act, 10)} ${left(inact, 10)}\n`;
    case 'persistentConn':
      return `${head} ${left(u32(d.weight), 9)} ${left(u32(d.persistConns ?? 0), 11)} ${left(act, 10)} ${left(inact, 10)}\n`;
    case 'tunInfo':
      return `${head} ${left(fwdName(d.fwd), 7)} ${left(tunInfo(d), 13)} ${left(i32(d.weight), 6)} ${left(act, 10)} ${left(inact, 10)}\n`;
    default:
      return `${head} ${left(fwdName(d.fwd), 7)} ${left(i32(d.weight), 6)} ${left(act, 10)} ${left(inact, 10)}\n`;
  }
}

function body(services: readonly IpvsServiceWithDests[], mode: Mode, o: ListOptions): string {
  const list = o.nosort ? services : sortServices(services);
  let out = '';
  for (const { service, dests } of list) {
    out += serviceLine(service, mode, o.exact ?? false);
    for (const d of o.nosort ? dests : sortDests(dests)) out += destLine(d, mode, o.exact ?? false);
  }
  return out;
}

/** "IP Virtual Server version 1.2.1 (size=4096)" */
export function formatVersion(info: IpvsInfo): string {
  const v = info.version;
  return `IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${i32(info.connTabSize)})\n`;
}

/** `ipvsadm -L -n [opts]`: version line, title, every service sorted (list_all). */
export function formatList(info: IpvsInfo, services: readonly IpvsServiceWithDests[], opts: ListOptions = {}): string {
  const mode = modeOf(opts);
  return formatVersion(info) + title(mode) + body(services, mode, opts);
}

/** `ipvsadm -L -n -t|-u|-f SVC [opts]`: title and that one service, no version line (list_service). */
export function formatOne(service: IpvsServiceWithDests, opts: ListOptions = {}): string {
  const mode = modeOf(opts);
  return title(mode) + body([service], mode, opts);
}

/** `ipvsadm -L --timeout` */
export function formatTimeout(t: IpvsTimeouts): string {
  return `Timeout (tcp tcpfin udp): ${i32(t.tcp)} ${i32(t.tcpFin)} ${i32(t.udp)}\n`;
}

/** `ipvsadm -L --daemon`: one line per running daemon, in the kernel's order (master first). */
export function formatDaemon(daemons: readonly IpvsDaemon[]): string {
  let out = '';
  for (const d of daemons) {
    let line = `${d.state} sync daemon (mcast=${d.mcastIfn}, syncid=${i32(d.syncId)}`;
    if (d.maxLen) line += `, maxlen=${u32(d.maxLen)}`;
    if (d.mcastGroup !== undefined && d.mcastGroup !== '') line += `, group=${d.mcastGroup}`;
    if (d.mcastPort) line += `, port=${u32(d.mcastPort)}`;
    if (d.mcastTtl) line += `, ttl=${u32(d.mcastTtl)}`;
    out += `${line})\n`;
  }
  return out;
}
