/**
 * Choosing the IPVS backend: generic netlink (client.ts) by default, the ipvsadm binary
 * (ipvsadm.ts) when netlink is unusable (native binding missing, genetlink refused) or when
 * configured. The netlink client is imported lazily so that a missing native prebuild only
 * disables that backend.
 */
import { LvsdError } from '../errors.js';
import type { IpvsBackend } from './types.js';

export type IpvsBackendChoice = 'auto' | 'netlink' | 'ipvsadm';

export interface OpenIpvsBackendOptions {
  readonly backend?: IpvsBackendChoice; // default 'auto'
  /** Per-request timeout for either backend. */
  readonly timeoutMs?: number;
  readonly ipvsadmBin?: string;
  /** Called when 'auto' falls back to ipvsadm, with the reason netlink was refused. */
  readonly onFallback?: (reason: unknown) => void;
}

async function openNetlink(timeoutMs: number | undefined): Promise<IpvsBackend> {
  const { openNetlinkIpvs } = await import('./client.js');
  const c = await openNetlinkIpvs(timeoutMs !== undefined ? { timeoutMs } : {});
  try {
    await c.info(); // proves that requests, not only the family lookup, work
  } catch (e) {
    c.close();
    throw e;
  }
  return c;
}

async function openIpvsadm(o: OpenIpvsBackendOptions): Promise<IpvsBackend> {
  const { openIpvsadmBackend } = await import('./ipvsadm.js');
  return openIpvsadmBackend({
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.ipvsadmBin ? { bin: o.ipvsadmBin } : {}),
  });
}

/** Open the IPVS backend for this process's network namespace. Rejects with the netlink error when nothing works. */
export async function openIpvsBackend(o: OpenIpvsBackendOptions = {}): Promise<IpvsBackend> {
  const choice = o.backend ?? 'auto';
  if (choice === 'netlink') return openNetlink(o.timeoutMs);
  if (choice === 'ipvsadm') return openIpvsadm(o);
  try {
    return await openNetlink(o.timeoutMs);
  } catch (netlinkError) {
    o.onFallback?.(netlinkError);
    try {
      return await openIpvsadm(o);
    } catch (ipvsadmError) {
      if (netlinkError instanceof LvsdError) throw netlinkError;
      throw new LvsdError('EIPVS', `no usable IPVS backend: netlink: ${String(netlinkError)}; ipvsadm: ${String(ipvsadmError)}`, { cause: ipvsadmError });
    }
  }
}
