/**
 * `lvsd realserver`: prepare a direct-routing real server, idempotently, and undo it.
 * The sysctl values found before the first run are kept in a state file so --undo restores
 * exactly them (a second run never overwrites what was saved).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openVipManager, type VipSpec } from './vip.js';
import { sysctlChanges, wantedSysctls, type RealServerState, type SysctlChange } from './realserver-plan.js';

export const DEFAULT_STATE = '/run/lvsd/realserver.json';

export interface RealServerReport {
  readonly sysctls: readonly SysctlChange[];
  readonly vips: ReadonlyArray<{ address: string; action: string }>;
}

const sysctlPath = (key: string): string => `/proc/sys/${key.replaceAll('.', '/')}`;

function readSysctls(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    try {
      out[k] = readFileSync(sysctlPath(k), 'utf8').trim();
    } catch {
      // no such device or key: nothing to change there
    }
  }
  return out;
}

function loadState(path: string): RealServerState | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RealServerState;
  } catch {
    return undefined;
  }
}

function saveState(path: string, s: RealServerState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function vipSpec(address: string, family: 4 | 6, dev: string, index: number): VipSpec {
  return family === 4
    ? { address, family, prefix: 32, dev, label: dev === 'lo' ? `lo:${index}` : undefined }
    : { address, family, prefix: 128, dev };
}

export async function prepareRealServer(o: { vips: ReadonlyArray<{ address: string; family: 4 | 6 }>; dev: string; statePath: string }): Promise<RealServerReport> {
  const wanted = wantedSysctls(o.dev);
  const current = readSysctls(Object.keys(wanted));
  const prior = loadState(o.statePath);
  const saved = { ...current, ...(prior?.saved ?? {}) };
  const allVips = [...new Set([...(prior?.vips ?? []), ...o.vips.map((v) => v.address)])];
  saveState(o.statePath, { saved, vips: allVips, dev: o.dev });
  const changes = sysctlChanges(current, wanted);
  for (const c of changes) writeFileSync(sysctlPath(c.key), c.to);
  const mgr = await openVipManager();
  try {
    const vips = [];
    for (const [i, v] of o.vips.entries()) vips.push({ address: v.address, action: await mgr.add(vipSpec(v.address, v.family, o.dev, i)) });
    return { sysctls: changes, vips };
  } finally {
    mgr.close();
  }
}

export async function undoRealServer(o: { vips: ReadonlyArray<{ address: string; family: 4 | 6 }>; dev: string; statePath: string }): Promise<RealServerReport> {
  const prior = loadState(o.statePath);
  const dev = prior?.dev ?? o.dev;
  const wanted = prior?.saved ?? {};
  const changes = sysctlChanges(readSysctls(Object.keys(wanted)), wanted);
  for (const c of changes) writeFileSync(sysctlPath(c.key), c.to);
  const mgr = await openVipManager();
  try {
    const vips = [];
    for (const [i, v] of o.vips.entries()) vips.push({ address: v.address, action: await mgr.remove(vipSpec(v.address, v.family, dev, i)) });
    rmSync(o.statePath, { force: true });
    return { sysctls: changes, vips };
  } finally {
    mgr.close();
  }
}
