/**
 * A heartbeat directory (/etc/ha.d) → Config (pure; files come through deps.readFile):
 * ha.cf (timing, media, nodes, auto_failback), haresources (resource groups), authkeys (the
 * VRRP password) and every ldirectord config its groups name, merged. heartbeat's own start-up
 * checks are kept: at least one node and this node among them, a network medium, deadtime
 * above twice keepalive, initdead not below deadtime, group nodes that ha.cf declares.
 */
import { type Config, defaultsFor, type Diagnostic, HEARTBEAT_DEFAULTS as H, type LdirectordSettings, sortDiagnostics, type SyncDaemonSettings, validateConfig, type VirtualService, type VrrpInstance } from '../../model/index.js';
import type { LoadReport } from '../load.js';
import type { NameService } from '../ldirectord/names.js';
import { parseLdirectord } from '../ldirectord/parse.js';
import { readAuthkeys } from './authkeys.js';
import { readHaCf, type HaCf } from './ha-cf.js';
import { readHaresources, type ResourceGroup } from './haresources.js';
import { groupInstance } from './vrrp.js';

export interface HaDirDeps {
  /** Reads a file; throws a Node-style error (code ENOENT, ...) when it cannot. */
  readonly readFile: (path: string) => string;
  /** This director's node name (uname -n), compared without case as heartbeat does. */
  readonly nodeName: string;
  /** Host and service names for the ldirectord configs. */
  readonly names: NameService;
  /** authkeys' permission bits, when the edge knows them (heartbeat refuses group/other access). */
  readonly authkeysMode?: number;
  /** This host's addresses: ucast lines to one of them are skipped, as heartbeat skips them. */
  readonly localAddresses?: readonly string[];
}

interface Acc { readonly errors: Diagnostic[]; readonly warnings: Diagnostic[] }

function join(dir: string, file: string): string {
  return file.startsWith('/') ? file : `${dir.replace(/\/+$/, '')}/${file}`;
}

function read(path: string, deps: HaDirDeps, acc: Acc): string | undefined {
  try {
    return deps.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    acc.errors.push({ at: { file: path, line: 1 }, message: `expected a readable file, got ${code}` });
    return undefined;
  }
}

function checkCf(cf: HaCf, haCf: string, deps: HaDirDeps, acc: Acc): void {
  const at = { file: haCf, line: 1 };
  const names = cf.nodes.map((n) => n.name);
  if (names.length === 0) acc.errors.push({ at, message: 'expected "node NAME ..." lines, got none (heartbeat: no nodes defined)' });
  else if (!names.includes(deps.nodeName.toLowerCase())) acc.errors.push({ at: cf.nodes[0]?.at ?? at, message: `expected this node "${deps.nodeName}" (uname -n) among the nodes ${names.join(', ')}, got it missing (heartbeat: Current node not in configuration)` });
  if (cf.media.length === 0) acc.errors.push({ at, message: 'expected a network medium (bcast, mcast or ucast), got none (heartbeat: No heartbeat media defined)' });
  const keepalive = cf.keepaliveMs ?? H.keepaliveMs;
  const deadtime = cf.deadtimeMs ?? H.deadtimeMs;
  if (deadtime <= 2 * keepalive) acc.errors.push({ at: cf.timingAt ?? at, message: `expected deadtime above twice keepalive, got deadtime ${deadtime} ms and keepalive ${keepalive} ms (heartbeat refuses it too)` });
  if (cf.initdeadMs !== undefined && cf.initdeadMs < deadtime) acc.errors.push({ at: cf.timingAt ?? at, message: `expected initdead of at least deadtime (${deadtime} ms), got ${cf.initdeadMs} ms (heartbeat refuses it too)` });
  if (cf.autoFailback === undefined) acc.warnings.push({ at, message: 'no auto_failback: heartbeat defaults to legacy (and warns); lvsd preempts, as legacy fails back' });
  else if (cf.autoFailback.value === 'legacy') acc.warnings.push({ at: cf.autoFailback.at, message: 'auto_failback legacy is deprecated (heartbeat warns too); lvsd preempts, as legacy fails back' });
}

/** The interface and unicast peers VRRP uses: the first network medium (others warned). */
function medium(cf: HaCf, deps: HaDirDeps, acc: Acc): { interface: string; peers: string[] } | undefined {
  const first = cf.media[0];
  if (first === undefined) return undefined;
  const same = cf.media.filter((m) => m.dev === first.dev && m.kind === first.kind);
  cf.media.filter((m) => !same.includes(m)).forEach((m) => acc.warnings.push({ at: m.at, message: `${m.kind} ${m.dev} is not used: lvsd's VRRP runs on one medium (${first.kind} ${first.dev}), where heartbeat sent on all` }));
  const local = new Set(deps.localAddresses ?? []);
  const peers = same.flatMap((m) => (m.kind === 'ucast' && !local.has(m.peer) ? [m.peer] : []));
  return { interface: first.dev, peers };
}

function ldirectordFiles(groups: readonly ResourceGroup[], dir: string, deps: HaDirDeps, acc: Acc): { services: VirtualService[]; settings?: LdirectordSettings; cleanStop?: boolean } {
  const services: VirtualService[] = [];
  let settings: LdirectordSettings | undefined;
  let cleanStop: boolean | undefined;
  for (const r of groups.flatMap((g) => g.resources)) {
    if (r.kind !== 'ldirectord') continue;
    if (settings !== undefined) acc.warnings.push({ at: r.at, message: `ldirectord::${r.file}: its services are added; its global settings (logging, autoreload, ...) are not, those of the first ldirectord resource apply` });
    // ldirectord's own lookup: /etc/ha.d/FILE, then /etc/ha.d/conf/FILE.
    const candidates = r.file.startsWith('/') ? [r.file] : [join(dir, r.file), join(dir, `conf/${r.file}`)];
    const path = candidates.find((p) => { try { deps.readFile(p); return true; } catch (e) { if (e instanceof Error) return false; throw e; } }) ?? candidates[0] ?? r.file;
    const text = read(path, deps, acc);
    if (text === undefined) continue;
    const parsed = parseLdirectord({ path, text, names: deps.names, hostname: deps.nodeName });
    acc.errors.push(...parsed.errors);
    acc.warnings.push(...parsed.warnings);
    services.push(...(parsed.config?.services ?? []));
    settings ??= parsed.config?.ldirectord;
    cleanStop ??= parsed.config?.ipvs.cleanStop;
  }
  return { services, ...(settings !== undefined ? { settings } : {}), ...(cleanStop !== undefined ? { cleanStop } : {}) };
}

function syncSettings(groups: readonly ResourceGroup[], instances: readonly VrrpInstance[], acc: Acc): SyncDaemonSettings | undefined {
  const found = groups.flatMap((g, i) => g.resources.flatMap((r) => (r.kind === 'sync' ? [{ r, instance: instances[i]?.name }] : [])));
  const [first, second] = found;
  if (second !== undefined) acc.errors.push({ at: second.r.at, message: `expected one LVSSyncDaemonSwap resource, got another (first at line ${first?.r.at.line ?? '?'})` });
  if (first === undefined || first.r.kind !== 'sync' || first.instance === undefined) return undefined;
  const d = defaultsFor('heartbeat').sync;
  return {
    at: first.r.at, mode: { kind: 'follow', instance: first.instance },
    interface: first.r.iface ?? H.syncInterface, syncId: first.r.syncId ?? H.syncId, group: d.group, port: d.port, ttl: d.ttl,
  };
}

export function readHaDir(dir: string, deps: HaDirDeps): LoadReport {
  const acc: Acc = { errors: [], warnings: [] };
  const paths = { cf: join(dir, 'ha.cf'), res: join(dir, 'haresources'), keys: join(dir, 'authkeys') };
  const [cfText, resText, keysText] = [read(paths.cf, deps, acc), read(paths.res, deps, acc), read(paths.keys, deps, acc)];
  const cf = cfText === undefined ? undefined : readHaCf(paths.cf, cfText);
  const res = resText === undefined ? undefined : readHaresources(paths.res, resText);
  const keys = keysText === undefined ? undefined : readAuthkeys(paths.keys, keysText);
  for (const part of [cf, res, keys]) acc.errors.push(...(part?.errors ?? []));
  acc.warnings.push(...(cf?.warnings ?? []));
  if (deps.authkeysMode !== undefined && (deps.authkeysMode & 0o077) !== 0) {
    acc.warnings.push({ at: { file: paths.keys, line: 1 }, message: `expected authkeys readable by its owner only (mode 600), got mode ${(deps.authkeysMode & 0o777).toString(8)}: heartbeat refuses to start with it` });
  }
  if (keys?.key?.method === 'crc') acc.warnings.push({ at: keys.key.at, message: 'authkeys uses crc (no key): the VRRP adverts carry no authentication' });
  if (cf === undefined || res === undefined) return { result: { ok: false, error: sortDiagnostics(acc.errors) }, warnings: sortDiagnostics(acc.warnings) };
  checkCf(cf.cf, paths.cf, deps, acc);
  const nodes = cf.cf.nodes.map((n) => n.name);
  res.groups.filter((g) => !nodes.includes(g.node)).forEach((g) => acc.errors.push({ at: g.at, message: `expected a node from ha.cf (${nodes.join(', ')}) at the start of the line, got "${g.node}" (heartbeat: Bad nodename)` }));
  const m = medium(cf.cf, deps, acc);
  const context = { cf: cf.cf, ...(keys?.key ? { key: keys.key } : {}), nodeName: deps.nodeName.toLowerCase(), ...(deps.localAddresses ? { localAddresses: deps.localAddresses } : {}), errors: acc.errors, warnings: acc.warnings };
  const vrrp = m === undefined ? [] : res.groups.map((g, i) => groupInstance(g, i, { ...context, nodes, interface: m.interface, peers: m.peers, at: { file: paths.cf, line: 1 } }));
  const ld = ldirectordFiles(res.groups, dir, deps, acc);
  const sync = syncSettings(res.groups, vrrp, acc);
  const config: Config = {
    path: dir, format: 'heartbeat', routerId: deps.nodeName,
    ...(ld.settings !== undefined ? { ldirectord: ld.settings } : {}),
    vrrp, syncGroups: [], services: ld.services,
    ipvs: { ...defaultsFor('heartbeat').ipvs, cleanStop: ld.cleanStop ?? defaultsFor('heartbeat').ipvs.cleanStop },
    ...(sync !== undefined ? { sync } : {}),
  };
  if (acc.errors.length === 0) acc.errors.push(...validateConfig(config));
  const warnings = sortDiagnostics(acc.warnings);
  return acc.errors.length > 0 ? { result: { ok: false, error: sortDiagnostics(acc.errors) }, warnings } : { result: { ok: true, value: config }, warnings };
}
