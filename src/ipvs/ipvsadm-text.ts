/**
 * ipvsadm 1.31 command lines and the -S rule format, both directions (pure). Used by the ipvsadm
 * backend (ipvsadm.ts) and by tests that program a table with `ipvsadm -R`; the -L listings and
 * other output it reads are in ipvsadm-listing.ts. Format: ipvsadm 1.31 ipvsadm.c (-S rules).
 * Limits of the text interface, by ipvsadm's design: -S does not save thresholds (read from
 * --thresholds), -g stands for both Route and Local, and for Route/Tunnel dests of non-fwmark
 * services ipvsadm forces the dest port to the service port.
 */
import type { Result } from '../errors.js';
import { addrPort, canonicalAddr } from './address.js';
import {
  AF_INET, AF_INET6, FWD_DROUTE, FWD_MASQ, FWD_TUNNEL, PROTOCOL_NAME, PROTOCOL_OPTION, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED1,
  SVC_F_SCHED2, SVC_F_SCHED3,
  type AddressFamily, type IpvsDaemon, type IpvsDest, type IpvsOp, type IpvsService, type IpvsServiceWithDests,
  type IpvsTimeouts, type ServiceId,
} from './types.js';

const OPT_PROTO: Record<string, number> = { '-t': 6, '--tcp-service': 6, '-u': 17, '--udp-service': 17, '--sctp-service': 132 };
const TUN_TYPES = ['ipip', 'gue', 'gre'];
const TUN_FLAGS = ['--tun-nocsum', '--tun-csum', '--tun-remcsum'];

function maskText(af: AddressFamily, netmask: number): string {
  if (af === AF_INET6) return String(netmask);
  return [24, 16, 8, 0].map((s) => (netmask >>> s) & 0xff).join('.');
}

/** ipvsadm's service options: `-t|-u|--sctp-service addr:port` or `-f mark [-6]`. */
export function serviceArgs(s: ServiceId): string[] {
  if (s.fwmark) return ['-f', String(s.fwmark >>> 0), ...(s.af === AF_INET6 ? ['-6'] : [])];
  return [PROTOCOL_OPTION[s.protocol] ?? '-t', addrPort(s.af, s.addr, s.port)];
}

/** `-b` names as ipvsadm -S prints them: sh-fallback/sh-port, mh-fallback/mh-port, else flag-N. */
export function schedFlagNames(sched: string, flags: number): string[] {
  const pre = sched === 'sh' || sched === 'mh' ? sched : '';
  const out: string[] = [];
  if (flags & SVC_F_SCHED1) out.push(pre ? `${pre}-fallback` : 'flag-1');
  if (flags & SVC_F_SCHED2) out.push(pre ? `${pre}-port` : 'flag-2');
  if (flags & SVC_F_SCHED3) out.push('flag-3');
  return out;
}

function serviceSettings(s: IpvsService): string[] {
  const out = ['-s', s.sched];
  if (s.flags & SVC_F_PERSISTENT) out.push('-p', String(s.timeout), '-M', maskText(s.af, s.netmask));
  if (s.pe) out.push('--pe', s.pe);
  if (s.flags & SVC_F_ONEPACKET) out.push('-o');
  const b = schedFlagNames(s.sched, s.flags);
  if (b.length) out.push('-b', b.join(','));
  return out;
}

function destSettings(d: IpvsDest): Result<string[], string> {
  const fwd = d.fwd === FWD_DROUTE ? '-g' : d.fwd === FWD_MASQ ? '-m' : d.fwd === FWD_TUNNEL ? '-i' : undefined;
  if (!fwd) return { ok: false, error: `forwarding method ${d.fwd} cannot be set through ipvsadm` };
  const out = [fwd, '-w', String(d.weight), '-x', String(d.uThresh), '-y', String(d.lThresh)];
  if (d.fwd === FWD_TUNNEL) {
    out.push('--tun-type', TUN_TYPES[d.tunType] ?? 'ipip');
    if (d.tunType === 1) out.push('--tun-port', String(d.tunPort));
    if (d.tunType === 1 || d.tunType === 2) out.push(TUN_FLAGS[d.tunFlags] ?? '--tun-nocsum');
  }
  return { ok: true, value: out };
}

/** MAX_TIMEOUT in ipvsadm.c: -p accepts 1..31 days. */
const MAX_PERSIST_S = 86400 * 31;

/**
 * Settings ipvsadm itself refuses with fail(2, ...), which would end a whole `ipvsadm -R`:
 * checked here so that such an op is refused alone.
 */
function ipvsadmRefuses(op: IpvsOp): string | undefined {
  if (op.op === 'add-service' || op.op === 'edit-service') {
    const s = op.service;
    if (s.flags & SVC_F_PERSISTENT) {
      if (s.af === AF_INET6 && (s.netmask < 1 || s.netmask > 128)) return `illegal ipv6 netmask ${s.netmask}`;
      if (s.timeout < 1 || s.timeout > MAX_PERSIST_S) return `illegal persistence timeout ${s.timeout}`;
    }
  }
  if ((op.op === 'add-dest' || op.op === 'edit-dest') && op.dest.fwd === FWD_TUNNEL && op.dest.tunType === 1 && !op.dest.tunPort) {
    return 'gue tunnel without port';
  }
  return undefined;
}

/** The ipvsadm arguments for one operation (also one `ipvsadm -R` line, joined by spaces). */
export function opArgs(op: IpvsOp): Result<string[], string> {
  const refused = ipvsadmRefuses(op);
  if (refused) return { ok: false, error: refused };
  const svc = serviceArgs(op.service);
  switch (op.op) {
    case 'add-service': return { ok: true, value: ['-A', ...svc, ...serviceSettings(op.service)] };
    case 'edit-service': return { ok: true, value: ['-E', ...svc, ...serviceSettings(op.service)] };
    case 'del-service': return { ok: true, value: ['-D', ...svc] };
    case 'add-dest': case 'edit-dest': {
      const set = destSettings(op.dest);
      if (!set.ok) return set;
      const cmd = op.op === 'add-dest' ? '-a' : '-e';
      return { ok: true, value: [cmd, ...svc, '-r', addrPort(op.dest.af, op.dest.addr, op.dest.port), ...set.value] };
    }
    case 'del-dest': return { ok: true, value: ['-d', ...svc, '-r', addrPort(op.dest.af, op.dest.addr, op.dest.port)] };
    default: {
      const never: never = op;
      return { ok: false, error: `unknown op ${JSON.stringify(never)}` };
    }
  }
}

export function daemonArgs(d: IpvsDaemon): string[] {
  const out = ['--start-daemon', d.state, '--mcast-interface', d.mcastIfn, '--syncid', String(d.syncId)];
  if (d.maxLen) out.push('--sync-maxlen', String(d.maxLen));
  if (d.mcastGroup) out.push('--mcast-group', d.mcastGroup);
  if (d.mcastPort) out.push('--mcast-port', String(d.mcastPort));
  if (d.mcastTtl) out.push('--mcast-ttl', String(d.mcastTtl));
  return out;
}

export const timeoutArgs = (t: IpvsTimeouts): string[] => ['--set', String(t.tcp), String(t.tcpFin), String(t.udp)];

// ------------------------------------------------------------------ parsing -----------

/** "1.2.3.4:80" / "[2001:db8::1]:80" → family, canonical address, port. */
export function parseHostPort(text: string): { af: AddressFamily; addr: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m?.[1] || m[2] === undefined) return undefined;
  const af: AddressFamily = text.startsWith('[') ? AF_INET6 : AF_INET;
  const addr = canonicalAddr(af, m[1]);
  const port = Number(m[2]);
  return addr !== undefined && port <= 65535 ? { af, addr, port } : undefined;
}

/** Key shared by -S lines and -L listings: "TCP 1.2.3.4:80", "FWM 100", "FWM 100 IPv6". */
export function listingKey(s: ServiceId): string {
  if (s.fwmark) return `FWM ${s.fwmark | 0}${s.af === AF_INET6 ? ' IPv6' : ''}`;
  return `${PROTOCOL_NAME[s.protocol] ?? '?'} ${addrPort(s.af, s.addr, s.port)}`;
}

interface Opts { readonly svc: ServiceId; readonly rest: Map<string, string | true> }

const FLAG_ONLY = new Set(['-6', '-o', '-g', '-m', '-i', '--tun-nocsum', '--tun-csum', '--tun-remcsum']);

function parseRuleOptions(tokens: readonly string[]): Result<Opts, string> {
  const rest = new Map<string, string | true>();
  let svc: ServiceId | undefined;
  let fwmark: number | undefined;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (FLAG_ONLY.has(t)) { rest.set(t, true); continue; }
    const v = tokens[++i];
    if (v === undefined) return { ok: false, error: `option ${t} without value` };
    if (OPT_PROTO[t] !== undefined) {
      const hp = parseHostPort(v);
      if (!hp) return { ok: false, error: `bad service address ${v}` };
      svc = { af: hp.af, protocol: OPT_PROTO[t] ?? 0, addr: hp.addr, port: hp.port, fwmark: 0 };
    } else if (t === '-f') {
      fwmark = Number(v) >>> 0;
    } else {
      rest.set(t, v);
    }
  }
  if (fwmark !== undefined) svc = { af: rest.has('-6') ? AF_INET6 : AF_INET, protocol: 0, addr: '', port: 0, fwmark };
  return svc ? { ok: true, value: { svc, rest } } : { ok: false, error: 'no service' };
}

function schedFlags(names: string | true | undefined): number {
  if (typeof names !== 'string') return 0;
  let f = 0;
  for (const n of names.split(',')) {
    if (/-fallback$|^flag-1$/.test(n)) f |= SVC_F_SCHED1;
    else if (/-port$|^flag-2$/.test(n)) f |= SVC_F_SCHED2;
    else if (n === 'flag-3') f |= SVC_F_SCHED3;
  }
  return f;
}

function serviceFromRule(o: Opts): IpvsService {
  const { svc, rest } = o;
  const p = rest.get('-p');
  const m = rest.get('-M');
  const persistent = typeof p === 'string';
  let netmask = svc.af === AF_INET6 ? 128 : 0xffffffff;
  if (typeof m === 'string') {
    const wire = svc.af === AF_INET ? canonicalAddr(AF_INET, m) : undefined;
    netmask = wire ? wire.split('.').reduce((acc, b) => ((acc << 8) | Number(b)) >>> 0, 0) : Number(m);
  }
  const sched = rest.get('-s');
  const pe = rest.get('--pe');
  const flags = (persistent ? SVC_F_PERSISTENT : 0) | (rest.has('-o') ? SVC_F_ONEPACKET : 0) | schedFlags(rest.get('-b'));
  return {
    ...svc, sched: typeof sched === 'string' ? sched : '', flags, timeout: persistent ? Number(p) : 0, netmask,
    ...(typeof pe === 'string' ? { pe } : {}),
  };
}

function destFromRule(o: Opts): Result<IpvsDest, string> {
  const r = o.rest.get('-r');
  const hp = typeof r === 'string' ? parseHostPort(r) : undefined;
  if (!hp) return { ok: false, error: `bad real server ${String(r)}` };
  const fwd = o.rest.has('-m') ? FWD_MASQ : o.rest.has('-i') ? FWD_TUNNEL : FWD_DROUTE;
  const tunType = Math.max(0, TUN_TYPES.indexOf(String(o.rest.get('--tun-type') ?? 'ipip')));
  const tunFlags = Math.max(0, TUN_FLAGS.findIndex((f) => o.rest.has(f)));
  return {
    ok: true,
    value: {
      ...hp, fwd, weight: Number(o.rest.get('-w') ?? 1), uThresh: 0, lThresh: 0, tunType,
      tunPort: Number(o.rest.get('--tun-port') ?? 0), tunFlags,
    },
  };
}

/** Parse `ipvsadm -S -n` output. Thresholds are not in it (0 here; see mergeListing). */
export function parseSave(text: string): Result<IpvsServiceWithDests[], string> {
  const out: Array<{ service: IpvsService; dests: IpvsDest[] }> = [];
  const byKey = new Map<string, { service: IpvsService; dests: IpvsDest[] }>();
  for (const [n, line] of text.split('\n').entries()) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (!tokens.length) continue;
    const o = parseRuleOptions(tokens);
    if (!o.ok) return { ok: false, error: `line ${n + 1}: ${o.error}` };
    if (tokens[0] === '-A') {
      const entry = { service: serviceFromRule(o.value), dests: [] };
      out.push(entry);
      byKey.set(listingKey(entry.service), entry);
    } else if (tokens[0] === '-a') {
      const d = destFromRule(o.value);
      const entry = byKey.get(listingKey(o.value.svc));
      if (!d.ok || !entry) return { ok: false, error: `line ${n + 1}: ${d.ok ? 'dest before its service' : d.error}` };
      entry.dests.push(d.value);
    } else {
      return { ok: false, error: `line ${n + 1}: unexpected ${tokens[0]}` };
    }
  }
  return { ok: true, value: out };
}
