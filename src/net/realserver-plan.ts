/**
 * What `lvsd realserver` must change on a direct-routing real server (pure). The real
 * server must accept packets for the VIP (the VIP on `lo`, the old `lo:0`) but never answer
 * ARP for it, or clients would bypass the director: arp_ignore=1 (answer only for addresses
 * on the receiving interface) and arp_announce=2 (never use the VIP as ARP source), on `all`
 * and on the VIP's device (the kernel uses the max of `all` and the device,
 * Documentation/networking/ip-sysctl.rst).
 *
 * IPv6 needs no such switch: neighbour discovery answers a solicitation only for an address
 * of the interface it came in on (net/ipv6/ndisc.c, ndisc_recv_ns looks the target up on that
 * device), so a VIP on lo is never announced on eth0. It needs IPv6 enabled on the device
 * (disable_ipv6 = 0, or adding the address is refused); lo gets no DAD (addrconf skips
 * loopback), other devices get the VIP with nodad.
 */
import { isIP } from 'node:net';
import { parseIp } from '../model/index.js';

export interface SysctlChange {
  readonly key: string; // e.g. net.ipv4.conf.all.arp_ignore
  readonly from: string;
  readonly to: string;
}

export type Family = 4 | 6;

/** The sysctls VIPs of these families on `dev` need. */
export function wantedSysctls(dev: string, families: ReadonlySet<Family>): Record<string, string> {
  const w: Record<string, string> = {};
  if (families.has(4)) {
    for (const scope of ['all', dev]) {
      w[`net.ipv4.conf.${scope}.arp_ignore`] = '1';
      w[`net.ipv4.conf.${scope}.arp_announce`] = '2';
    }
  }
  if (families.has(6)) w[`net.ipv6.conf.${dev}.disable_ipv6`] = '0';
  return w;
}

/** The families of address texts (invalid ones ignored). */
export function familiesOf(addresses: readonly string[]): Set<Family> {
  return new Set(addresses.map((a) => isIP(a)).filter((f): f is Family => f === 4 || f === 6));
}

/**
 * VIPs that are already a real address of this host on another device than `dev`: making
 * them VIPs would take the address off the network's view of that interface (arp_ignore) and
 * is almost certainly a mistake (the director's VIP given to a real server, or a typo).
 */
export function vipConflicts(vips: readonly string[], present: ReadonlyArray<{ address: string; dev: string }>, dev: string): string[] {
  const out: string[] = [];
  for (const v of vips) {
    const on = present.find((p) => p.address === v && p.dev !== dev);
    if (on) out.push(`${v} is already an address of this host on ${on.dev}; a real server holds its VIPs on ${dev} only`);
  }
  return out;
}

/** Changes needed to reach `wanted` from `current` (keys missing from current are skipped). */
export function sysctlChanges(current: Record<string, string>, wanted: Record<string, string>): SysctlChange[] {
  const out: SysctlChange[] = [];
  for (const [key, to] of Object.entries(wanted)) {
    const from = current[key];
    if (from !== undefined && from !== to) out.push({ key, from, to });
  }
  return out;
}

/** Parse `--vip a,b,c` (addresses in canonical text); returns the problems found, none when valid. */
export function parseVipList(text: string): { vips: Array<{ address: string; family: Family }>; problems: string[] } {
  const vips: Array<{ address: string; family: Family }> = [];
  const problems: string[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const a = parseIp(raw);
    if (a !== undefined) vips.push(a);
    else problems.push(`--vip: expected an IPv4 or IPv6 address, got "${raw}"`);
  }
  if (vips.length === 0 && problems.length === 0) problems.push('--vip: expected at least one address');
  return { vips, problems };
}
