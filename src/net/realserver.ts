/**
 * `lvsd realserver`: prepare a direct-routing real server, idempotently, and undo it.
 * The sysctl values found before the first run are kept in a state file so --undo restores
 * exactly them (a second run never overwrites what was saved). The state lives under
 * /var/lib: with --persist the changes outlive a reboot, and so must the original values.
 * Nothing is changed when a check fails: an unreadable state file, a VIP that is a real
 * address of another interface, a --persist file that is not lvsd's.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LvsdError } from '../errors.js';
import { openVipManager, type VipManager, type VipSpec } from './vip.js';
import { familiesOf, sysctlChanges, vipConflicts, wantedSysctls, type Family, type SysctlChange } from './realserver-plan.js';
import { bootUnit, decodeState, encodeState, sysctlConf, type BootVip, type RealServerState } from './realserver-files.js';
import { checkOwnership, persistPresent, removePersist, writePersist, type FileChange, type PersistPaths } from './realserver-persist.js';

export interface RealServerOptions {
  readonly vips: ReadonlyArray<{ address: string; family: Family }>;
  readonly dev: string;
  readonly statePath: string;
  /** Write (prepare) or remove (undo) the boot-time files at these paths. */
  readonly persist?: PersistPaths;
  /** Where the reminder that persist files remain is looked for on a plain --undo. */
  readonly persistPaths: PersistPaths;
}

export interface RealServerReport {
  readonly sysctls: readonly SysctlChange[];
  readonly vips: ReadonlyArray<{ address: string; action: string }>;
  /** Boot files written or removed by --persist. */
  readonly files: readonly FileChange[];
  /** Persist files still in place after an --undo without --persist. */
  readonly remaining: readonly string[];
}

const sysctlPath = (key: string): string => `/proc/sys/${key.replaceAll('.', '/')}`;

/** Present keys only: a key of a device that does not exist is not there to change. */
function readSysctls(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    try {
      out[k] = readFileSync(sysctlPath(k), 'utf8').trim();
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
    }
  }
  return out;
}

/** undefined when there is no state file; an error naming the file when it is not ours or unreadable. */
function loadState(path: string): RealServerState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw new LvsdError('ESTATE', `cannot read the state file ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const r = decodeState(text);
  if (!r.ok) {
    throw new LvsdError('ESTATE', `${path} is not an lvsd realserver state file (${r.error}): it was left untouched; it holds the original sysctl values --undo restores, so repair it, or move it away to start afresh`);
  }
  return r.value;
}

function saveState(path: string, s: RealServerState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, encodeState(s), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function vipSpec(v: BootVip, dev: string, index: number): VipSpec {
  return v.family === 4
    ? { address: v.address, family: 4, prefix: 32, dev, label: dev === 'lo' ? `lo:${index}` : undefined }
    : { address: v.address, family: 6, prefix: 128, dev };
}

const bootVip = (address: string): BootVip => ({ address, family: familiesOf([address]).has(6) ? 6 : 4 });

async function withVips<T>(fn: (mgr: VipManager) => Promise<T>): Promise<T> {
  const mgr = await openVipManager();
  try {
    return await fn(mgr);
  } finally {
    mgr.close();
  }
}

export async function prepareRealServer(o: RealServerOptions): Promise<RealServerReport> {
  const prior = loadState(o.statePath);
  const all = [...new Set([...(prior?.vips ?? []), ...o.vips.map((v) => v.address)])];
  const wanted = wantedSysctls(o.dev, familiesOf(all));
  return withVips(async (mgr) => {
    const conflicts = vipConflicts(o.vips.map((v) => v.address), await mgr.list(), o.dev);
    if (conflicts.length > 0) throw new LvsdError('EADDRINUSE', `refused, nothing changed: ${conflicts.join('; ')}`);
    if (o.persist) checkOwnership(o.persist);
    const boot = { sysctl: sysctlConf(wanted), unit: bootUnit({ vips: all.map(bootVip), dev: o.dev }) };
    const current = readSysctls(Object.keys(wanted));
    saveState(o.statePath, { saved: { ...current, ...(prior?.saved ?? {}) }, vips: all, dev: o.dev });
    const changes = sysctlChanges(current, wanted);
    for (const c of changes) writeFileSync(sysctlPath(c.key), c.to);
    const vips = [];
    for (const v of o.vips) vips.push({ address: v.address, action: await mgr.add(vipSpec(v, o.dev, all.indexOf(v.address))) });
    const files = o.persist ? writePersist(o.persist, boot) : [];
    return { sysctls: changes, vips, files, remaining: [] };
  });
}

/**
 * Removes the given VIPs (none given: every VIP the state lists). The sysctls are restored,
 * the state file and (with --persist) the boot files removed once no VIP is left; until then
 * the state and the boot files keep the VIPs that remain.
 */
export async function undoRealServer(o: RealServerOptions): Promise<RealServerReport> {
  const prior = loadState(o.statePath);
  const dev = prior?.dev ?? o.dev;
  const all = prior?.vips ?? [];
  const gone = o.vips.length > 0 ? o.vips.map((v) => v.address) : all;
  const left = all.filter((a) => !gone.includes(a));
  const files = !o.persist ? [] : left.length === 0 ? removePersist(o.persist)
    : writePersist(o.persist, { sysctl: sysctlConf(wantedSysctls(dev, familiesOf(left))), unit: bootUnit({ vips: left.map(bootVip), dev }) });
  const wanted = left.length === 0 ? prior?.saved ?? {} : {};
  const changes = sysctlChanges(readSysctls(Object.keys(wanted)), wanted);
  for (const c of changes) writeFileSync(sysctlPath(c.key), c.to);
  return withVips(async (mgr) => {
    const vips = [];
    for (const address of gone) vips.push({ address, action: await mgr.remove(vipSpec(bootVip(address), dev, 0)) });
    if (left.length === 0) rmSync(o.statePath, { force: true });
    else if (prior) saveState(o.statePath, { ...prior, vips: left });
    return { sysctls: changes, vips, files, remaining: o.persist ? [] : persistPresent(o.persistPaths) };
  });
}
