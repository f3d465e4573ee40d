/**
 * ldirectord's maintenancedir (4.12 _check_real_for_maintenance), pure: a real server is in
 * maintenance while a file in the directory is named after it. ldirectord looks, in order, for
 * `IP:PORT`, `IP`, `NAME:PORT`, `NAME`, `SHORT:PORT`, `SHORT`, where NAME is the reverse DNS
 * name of IP and SHORT its first label. lvsd takes NAME from /etc/hosts (every name of the
 * address; no DNS query per real server and pass) and also accepts IPv6 addresses with or
 * without brackets (`[2001:db8::2]:80`, `2001:db8::2`). PORT is the real server's port as the
 * model holds it (for gate and ipip: the virtual port, which is what ipvsadm shows).
 * The fallback server is never put in maintenance (ldirectord checks real servers only).
 */
import type { VirtualService } from '../../model/index.js';
import { realId, realKey, serviceId } from '../../health/index.js';

/** /etc/hosts → names by address (text as written), in file order. */
export function hostNames(hostsText: string): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const raw of hostsText.split('\n')) {
    const [address, ...names] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    if (address === undefined || address === '' || names.length === 0) continue;
    out.set(address, [...(out.get(address) ?? []), ...names]);
  }
  return out;
}

/** The file names that put this real server in maintenance. */
export function maintenanceNames(address: string, port: number, names: readonly string[] = []): string[] {
  const hosts = address.includes(':') ? [address, `[${address}]`] : [address];
  for (const n of names) {
    hosts.push(n);
    const short = /^([a-z][a-z0-9-]+)\./.exec(n)?.[1];
    if (short !== undefined) hosts.push(short);
  }
  return hosts.flatMap((h) => [`${h}:${port}`, h]);
}

/** realKeys (health/plan.ts) of every real server a file in `files` names. */
export function maintained(services: readonly VirtualService[], files: ReadonlySet<string>, hosts: ReadonlyMap<string, readonly string[]> = new Map()): Set<string> {
  const out = new Set<string>();
  if (files.size === 0) return out;
  for (const vs of services) {
    const svc = serviceId(vs.key);
    for (const rs of vs.reals) {
      if (maintenanceNames(rs.address, rs.port, hosts.get(rs.address)).some((n) => files.has(n))) out.add(realKey(svc, realId(rs)));
    }
  }
  return out;
}
