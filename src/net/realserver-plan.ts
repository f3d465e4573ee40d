/**
 * What `lvsd realserver` must change on a direct-routing real server (pure). The real
 * server must accept packets for the VIP (the VIP on `lo`, the old `lo:0`) but never answer
 * ARP for it, or clients would bypass the director: arp_ignore=1 (answer only for addresses
 * on the receiving interface) and arp_announce=2 (never use the VIP as ARP source), on `all`
 * and on the VIP's device (the kernel uses the max of `all` and the device,
 * Documentation/networking/ip-sysctl.rst).
 */
import { isIP } from 'node:net';

export interface SysctlChange {
  readonly key: string; // e.g. net.ipv4.conf.all.arp_ignore
  readonly from: string;
  readonly to: string;
}

export interface RealServerState {
  /** Values before lvsd first touched them; restored by --undo. */
  readonly saved: Record<string, string>;
  readonly vips: readonly string[];
  readonly dev: string;
}

export function wantedSysctls(dev: string): Record<string, string> {
  const w: Record<string, string> = {};
  for (const scope of ['all', dev]) {
    w[`net.ipv4.conf.${scope}.arp_ignore`] = '1';
    w[`net.ipv4.conf.${scope}.arp_announce`] = '2';
  }
  return w;
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

/** Parse `--vip a,b,c`; returns the problems found, none when valid. */
export function parseVipList(text: string): { vips: Array<{ address: string; family: 4 | 6 }>; problems: string[] } {
  const vips: Array<{ address: string; family: 4 | 6 }> = [];
  const problems: string[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const fam = isIP(raw);
    if (fam === 4 || fam === 6) vips.push({ address: raw, family: fam });
    else problems.push(`--vip: expected an IPv4 or IPv6 address, got "${raw}"`);
  }
  if (vips.length === 0 && problems.length === 0) problems.push('--vip: expected at least one address');
  return { vips, problems };
}
