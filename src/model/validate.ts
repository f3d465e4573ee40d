/**
 * Semantic validation of a whole Config, whatever front-end made it (pure). Front-ends check
 * syntax and single values at the token; this checks the model: ranges again (for
 * programmatic configs), combinations, and cross-references, citing both places.
 * Returns every problem, sorted by file and line; an empty list means valid.
 */
import { netmaskToPrefix, parseIp } from './ip.js';
import { formatLoc, sortDiagnostics } from './diagnostic.js';
import type { Config, Diagnostic, Loc, RealServer, ServiceKey, SyncDaemonSettings, VirtualService, Vip, VrrpInstance } from './types.js';
import { checkHealth } from './validate-health.js';

/** Kernel IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c, Linux 6.1). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
export const FORWARD_METHODS = ['route', 'masq', 'tunnel'] as const;
/** Scheduler flags and the schedulers they mean something to (ipvsadm(8) --sched-flags). */
export const SCHED_FLAGS: Readonly<Record<string, readonly string[] | 'any'>> = {
  'flag-1': 'any', 'flag-2': 'any', 'flag-3': 'any',
  'sh-fallback': ['sh'], 'sh-port': ['sh'], 'mh-fallback': ['mh'], 'mh-port': ['mh'],
};

const U32 = 2 ** 32 - 1;

type Report = (at: Loc, message: string) => void;

export function validateConfig(c: Config): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (at, message) => out.push({ at, message });
  c.vrrp.forEach((v) => checkInstance(v, report, c.format));
  checkVrrpCrossRefs(c, report);
  c.services.forEach((s) => checkService(s, report));
  if (c.sync !== undefined) checkSync(c.sync, c, report);
  duplicates(c.services, (s) => keyText(s.key), (s, first) => report(s.at, `expected each virtual service once, got ${keyText(s.key)} again (first at ${formatLoc(first.at)})`));
  checkHealth(c, report);
  return sortDiagnostics(out);
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function inRange(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function duplicates<T>(items: readonly T[], key: (t: T) => string, found: (t: T, first: T) => void): void {
  const seen = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    const first = seen.get(k);
    if (first !== undefined) found(t, first);
    else seen.set(k, t);
  }
}

// ---------------------------------------------------------------- VRRP

/** Linux dev_valid_name (net/core/dev.c): 1..15 bytes, not "." or "..", no '/', ':' or space. */
export function validInterfaceName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

function checkInstance(v: VrrpInstance, report: Report, format: Config['format']): void {
  const at = v.at;
  const name = `vrrp instance ${v.name}`;
  if (!validInterfaceName(v.interface)) report(at, `expected an interface name of 1-15 characters without '/', ':' or spaces for ${name}, got "${v.interface}"`);
  if (!inRange(v.vrid, 1, 255)) report(at, `expected a virtual_router_id between 1 and 255, got "${v.vrid}"`);
  if (!inRange(v.priority, 1, 255)) report(at, `expected a priority between 1 and 255, got "${v.priority}"`);
  checkAdvert(v, report);
  if (v.family === 6 && v.version !== 3) report(at, `expected VRRP version 3 for IPv6 ${name} (RFC 9568; VRRPv2 is IPv4 only), got version ${v.version}`);
  if (v.authPass !== undefined && v.version !== 2) report(at, `expected no authentication for VRRPv3 ${name} (RFC 9568 removed it), got a password`);
  if (v.authPass !== undefined && !inRange(byteLength(v.authPass), 1, 8)) {
    report(at, `expected an auth_pass of 1 to 8 characters (the VRRPv2 field is 8 bytes; keepalived silently uses the first 8), got ${byteLength(v.authPass)} bytes`);
  }
  v.vips.forEach((vip) => checkVip(vip, v, report));
  // keepalived: excluded addresses may be of the other family (vrrp.c VRRP_FLAG_EVIP_OTHER_FAMILY)
  (v.excludedVips ?? []).forEach((vip) => checkVip(vip, { ...v, family: vip.family }, report));
  // keepalived 2.2.7 keeps a repeated VIP, and its adverts count it twice: peers must agree on the count (config/keepalived/vrrp.ts warns).
  if (format !== 'keepalived') duplicates([...v.vips, ...(v.excludedVips ?? [])], (x) => x.address, (x, first) => report(x.at, `expected each virtual IP once per instance, got ${x.address} again (first at ${formatLoc(first.at)})`));
  for (const a of [...(v.unicastSrc !== undefined ? [v.unicastSrc] : []), ...v.unicastPeers]) {
    const p = parseIp(a);
    if (p === undefined || p.family !== v.family) report(at, `expected unicast addresses of IPv${v.family} like the VIPs of ${name}, got ${a}`);
  }
  // keepalived (vrrp.c) clears nopreempt and preempt_delay for initial state MASTER, and
  // preempt_delay under nopreempt, with a config error: we refuse rather than drop a setting.
  if (!v.preempt && v.initialState === 'MASTER') report(at, `expected initial state BACKUP with nopreempt in ${name} (a MASTER start preempts anyway), got MASTER`);
  if (v.preemptDelayMs > 0 && v.initialState === 'MASTER') report(at, `expected initial state BACKUP with a preempt delay in ${name}, got MASTER`);
  if (v.preemptDelayMs > 0 && !v.preempt) report(at, `expected either nopreempt or a preempt delay in ${name}, got both`);
  if (!inRange(v.preemptDelayMs, 0, 1_000_000)) report(at, `expected a preempt_delay between 0 and 1000 s, got ${v.preemptDelayMs} ms`);
  if (v.notify.timeoutMs <= 0) report(at, `expected a positive notify timeout, got ${v.notify.timeoutMs} ms`);
  const g = v.garp;
  if (g.masterDelayMs < 0 || g.masterRefreshMs < 0 || g.intervalMs < 0 || g.masterRepeat < 1 || g.refreshRepeat < 1) {
    report(at, `expected non-negative gratuitous ARP delays and repeat counts of at least 1 for ${name}`);
  }
  if (v.vmac && !validInterfaceName(v.vmac.ifname)) report(at, `expected a use_vmac interface name of 1-15 characters, got "${v.vmac.ifname}"`);
  v.trackInterfaces.filter((i) => !validInterfaceName(i)).forEach((i) => report(at, `expected a track_interface name of 1-15 characters, got "${i}"`));
}

/** RFC 3768 §5.3.7: v2 interval is 8-bit seconds; RFC 9568 §5.2.7: v3 is 12-bit centiseconds. */
function checkAdvert(v: VrrpInstance, report: Report): void {
  const cs = v.advertIntervalCs;
  if (v.version === 3 && !inRange(cs, 1, 4095)) report(v.at, `expected a VRRPv3 advert interval between 0.01 and 40.95 s, got ${cs / 100} s`);
  if (v.version === 2 && !(inRange(cs, 100, 25500) && cs % 100 === 0)) report(v.at, `expected a VRRPv2 advert interval of whole seconds between 1 and 255, got ${cs / 100} s`);
}

function checkVip(vip: Vip, v: VrrpInstance, report: Report): void {
  const p = parseIp(vip.address);
  if (p === undefined || p.address !== vip.address || p.family !== vip.family) report(vip.at, `expected a canonical IP address, got "${vip.address}"`);
  if (vip.family !== v.family) report(vip.at, `expected only IPv${v.family} virtual IPs in vrrp instance ${v.name} (its first VIP decides), got ${vip.address}`);
  if (!inRange(vip.prefix, 0, vip.family === 4 ? 32 : 128)) report(vip.at, `expected a prefix length up to ${vip.family === 4 ? 32 : 128}, got /${vip.prefix}`);
  if (vip.dev !== undefined && !validInterfaceName(vip.dev)) report(vip.at, `expected a dev name of 1-15 characters, got "${vip.dev}"`);
  if (vip.label !== undefined && vip.family === 6) report(vip.at, `expected no label on IPv6 address ${vip.address} (labels are IPv4-only), got "${vip.label}"`);
  if (vip.label !== undefined && vip.label.length > 15) report(vip.at, `expected a label of at most 15 characters, got "${vip.label}"`);
}

function checkVrrpCrossRefs(c: Config, report: Report): void {
  duplicates(c.vrrp, (v) => v.name, (v, first) => report(v.at, `expected unique vrrp instance names, got "${v.name}" again (first at ${formatLoc(first.at)})`));
  duplicates(c.syncGroups, (g) => g.name, (g, first) => report(g.at, `expected unique sync group names, got "${g.name}" again (first at ${formatLoc(first.at)})`));
  // One virtual router per (interface, family, VRID); unicast instances with disjoint peers may share.
  for (let i = 0; i < c.vrrp.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = c.vrrp[i];
      const b = c.vrrp[j];
      if (a && b && a.vrid === b.vrid && a.interface === b.interface && a.family === b.family && !disjointUnicast(a, b)) {
        report(a.at, `expected a unique virtual_router_id per interface and family, got ${a.vrid} on ${a.interface} (IPv${a.family}) again (first in ${b.name} at ${formatLoc(b.at)})`);
      }
    }
  }
  const instances = new Map(c.vrrp.map((v) => [v.name, v]));
  const memberOf = new Map<string, { group: string; at: Loc }>();
  for (const g of c.syncGroups) {
    for (const m of g.members) {
      if (!instances.has(m)) report(g.at, `expected sync group ${g.name} members to be vrrp instances, got "${m}" which is not defined`);
      const prev = memberOf.get(m);
      if (prev) report(g.at, `expected ${m} in one sync group, got it in ${g.name} and in ${prev.group} (at ${formatLoc(prev.at)})`);
      else memberOf.set(m, { group: g.name, at: g.at });
    }
  }
  for (const v of c.vrrp) {
    if (v.syncGroup !== undefined && memberOf.get(v.name)?.group !== v.syncGroup) report(v.at, `expected sync group "${v.syncGroup}" of ${v.name} to list it, got no such membership`);
  }
}

function disjointUnicast(a: VrrpInstance, b: VrrpInstance): boolean {
  if (a.unicastPeers.length === 0 || b.unicastPeers.length === 0) return false;
  return !a.unicastPeers.some((p) => b.unicastPeers.includes(p));
}

// ---------------------------------------------------------------- IPVS sync daemon

/**
 * Ranges as keepalived 2.2.7 reads them (global_parser.c lvs_syncd_handler): id 0-255, maxlen
 * 1..65507 (65535 - IP and UDP headers), port 1-65535, ttl 1-255, a multicast group.
 */
function checkSync(s: SyncDaemonSettings, c: Config, report: Report): void {
  if (!validInterfaceName(s.interface)) report(s.at, `expected a sync daemon interface name of 1-15 characters without '/', ':' or spaces, got "${s.interface}"`);
  if (!inRange(s.syncId, 0, 255)) report(s.at, `expected a sync id between 0 and 255, got ${s.syncId}`);
  if (s.maxLen !== undefined && !inRange(s.maxLen, 1, 65507)) report(s.at, `expected a sync maxlen between 1 and 65507, got ${s.maxLen}`);
  if (!inRange(s.port, 1, 65535)) report(s.at, `expected a sync port between 1 and 65535, got ${s.port}`);
  if (!inRange(s.ttl, 1, 255)) report(s.at, `expected a sync TTL between 1 and 255, got ${s.ttl}`);
  if (!isMulticast(s.group)) report(s.at, `expected a multicast sync group (IPv4 224.0.0.0/4 or IPv6 ff00::/8), got "${s.group}"`);
  if (s.mode.kind === 'follow') {
    const name = s.mode.instance;
    if (!c.vrrp.some((v) => v.name === name)) report(s.at, `expected the sync daemon to follow a vrrp instance, got "${name}" which is not defined`);
  }
}

export function isMulticast(address: string): boolean {
  const p = parseIp(address);
  if (p === undefined) return false;
  if (p.family === 6) return p.address.startsWith('ff');
  const first = Number(p.address.split('.')[0]);
  return first >= 224 && first <= 239;
}

// ---------------------------------------------------------------- IPVS

export function keyText(k: ServiceKey): string {
  if (k.kind === 'fwmark') return `FWM ${k.fwmark} IPv${k.family}`;
  const host = k.family === 6 ? `[${k.address}]` : k.address;
  return `${k.protocol.toUpperCase()} ${host}:${k.port}`;
}

function checkService(s: VirtualService, report: Report): void {
  const name = keyText(s.key);
  const k = s.key;
  if (k.kind === 'fwmark' && !inRange(k.fwmark, 1, U32)) report(s.at, `expected a fwmark between 1 and ${U32}, got ${k.fwmark}`);
  if (k.kind === 'addr') {
    const p = parseIp(k.address);
    if (p === undefined || p.family !== k.family) report(s.at, `expected an IPv${k.family} address for ${name}, got "${k.address}"`);
    if (!inRange(k.port, 0, 65535)) report(s.at, `expected a port between 1 and 65535, got ${k.port}`);
    if (k.port === 0 && s.persistence === undefined) report(s.at, `expected a port for non-persistent service ${name} (only persistent services may omit it), got none`);
  }
  if (!(SCHEDULERS as readonly string[]).includes(s.scheduler)) report(s.at, `expected a scheduler (${SCHEDULERS.join(' ')}), got "${s.scheduler}"`);
  for (const f of s.schedFlags) {
    const allowed = SCHED_FLAGS[f];
    if (allowed === undefined) report(s.at, `expected a scheduler flag (${Object.keys(SCHED_FLAGS).join(' ')}), got "${f}"`);
    else if (allowed !== 'any' && !allowed.includes(s.scheduler)) report(s.at, `expected flag ${f} only with the ${allowed.join('/')} scheduler, got it with ${s.scheduler}`);
  }
  checkPersistence(s, report);
  s.reals.forEach((r) => checkReal(r, s, report));
  duplicates(s.reals, (r) => `${r.address}:${r.port}`, (r, first) => report(r.at, `expected each real server once in ${name}, got ${r.address}:${r.port} again (first at ${formatLoc(first.at)})`));
}

function checkPersistence(s: VirtualService, report: Report): void {
  if (s.pe !== undefined && s.persistence === undefined) report(s.at, `expected persistence with persistence engine "${s.pe}", got none`);
  if (s.persistence === undefined) return;
  const { timeoutS, netmask } = s.persistence;
  if (!inRange(timeoutS, 1, 2 ** 31 - 1)) report(s.at, `expected a persistence timeout of at least 1 s, got ${timeoutS}`);
  const ok = s.key.family === 4 ? typeof netmask === 'string' && netmaskToPrefix(netmask) !== undefined : typeof netmask === 'number' && inRange(netmask, 1, 128);
  if (!ok) report(s.at, `expected a persistence netmask (${s.key.family === 4 ? 'dotted IPv4 netmask' : 'IPv6 prefix length 1-128'}), got ${String(netmask)}`);
}

function checkReal(r: RealServer, s: VirtualService, report: Report): void {
  const p = parseIp(r.address);
  const rs = `real server ${r.address}`;
  if (p === undefined || p.family !== r.family) report(r.at, `expected an IPv${r.family} address for the ${rs}, got "${r.address}"`);
  if (r.family !== s.key.family && r.forward !== 'tunnel') report(r.at, `expected an IPv${s.key.family} ${rs} like its service (only tunnel forwarding may mix families), got IPv${r.family}`);
  if (!(FORWARD_METHODS as readonly string[]).includes(r.forward)) report(r.at, `expected a forwarding method (${FORWARD_METHODS.join(' ')}), got "${r.forward}"`);
  if (!inRange(r.port, 0, 65535)) report(r.at, `expected a port between 1 and 65535, got ${r.port}`);
  if (s.key.kind === 'addr' && r.forward !== 'masq' && r.port !== s.key.port) {
    report(r.at, `expected ${rs} with ${r.forward} forwarding to use the service port ${s.key.port} (the kernel ignores others), got ${r.port}`);
  }
  if (!inRange(r.weight, 0, 65535)) report(r.at, `expected a weight between 0 and 65535, got ${r.weight}`);
  if (!inRange(r.upperThreshold, 0, U32) || !inRange(r.lowerThreshold, 0, U32)) report(r.at, `expected connection thresholds between 0 and ${U32}, got ${r.upperThreshold}/${r.lowerThreshold}`);
  const t = r.tunnel;
  if (t !== undefined && r.forward !== 'tunnel') report(r.at, `expected tunnel settings only with tunnel forwarding, got them with ${r.forward}`);
  if (t?.type === 'gue' && (t.port === undefined || !inRange(t.port, 1, 65535))) report(r.at, `expected a port for the GUE tunnel of the ${rs}, got none`);
  if (t !== undefined && t.type !== 'gue' && t.port !== undefined) report(r.at, `expected a tunnel port only with GUE, got one with ${t.type}`);
  if (t?.type === 'gre' && t.checksum === 'remcsum') report(r.at, `expected nocsum or csum with a GRE tunnel (the kernel has no remcsum for GRE), got remcsum`);
}
