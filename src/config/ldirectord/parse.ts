/**
 * ldirectord.cf → Config (pure). The pipeline: lines and blocks (blocks.ts: ldirectord 4.12's
 * line rules, lenient where it is merely fragile), directive readers (global-directives.ts,
 * virtual-directives.ts: its value rules), then one VirtualService per block (build.ts) and
 * the model's own validation. Host and service names go through the injected NameService;
 * nothing here touches the network or the file system.
 */
import { type Config, defaultsFor, type Diagnostic, type IpFamily, LDIRECTORD_DIRECTIVES as D, type LdirectordSettings, sortDiagnostics, validateConfig, type VirtualService } from '../../model/index.js';
import { readVirtualHead, type VirtualHead } from './address.js';
import { readLayout, type VirtualBlock } from './blocks.js';
import { buildVirtual } from './build.js';
import type { GlobalDraft, VirtualDraft } from './drafts.js';
import { applyGlobal, type Ctx } from './global-directives.js';
import type { NameService } from './names.js';
import { take, type Report } from './values.js';
import { applyVirtual } from './virtual-directives.js';

export interface LdirectordDeps {
  /** Host and service names (the edge's default reads /etc/hosts and /etc/services). */
  readonly names: NameService;
  /** This host's name (uname -n): ldirectord's default ftp password and sip login end in "@" + it. */
  readonly hostname: string;
}

export interface LdirectordResult {
  /** Present when there are no errors. */
  readonly config?: Config;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

function newVirtual(b: VirtualBlock, head: VirtualHead): VirtualDraft {
  const family: IpFamily = b.head.name === 'virtual6' ? 6 : 4;
  const udp = head.kind === 'addr' && /:(53|domain)$/.test(`${head.host}:${head.port}`);
  return {
    at: b.head.at, family, head,
    protocol: head.kind === 'fwmark' ? 'fwm' : udp ? 'udp' : D.protocol,
    scheduler: D.scheduler, ops: false, checkType: D.checkType, checkCommand: D.checkCommand,
    request: D.request, receive: '', login: '', passwd: '', database: '', secret: '', httpMethod: D.httpMethod,
    reals: [],
  };
}

function readBlock(b: VirtualBlock, ctx: Ctx & { hostname: string }): VirtualDraft | undefined {
  const family: IpFamily = b.head.name === 'virtual6' ? 6 : 4;
  const head = take(ctx.report, b.head, (v) => readVirtualHead(v, family));
  // With a broken head the body is still read, so its own errors are reported too.
  const draft = newVirtual(b, head ?? { kind: 'fwmark', mark: 0 });
  for (const d of b.body) applyVirtual(d, draft, ctx);
  return head === undefined ? undefined : draft;
}

function settings(path: string, g: GlobalDraft): LdirectordSettings {
  const logfile = g.logfile ?? D.logFile;
  return {
    at: { file: path, line: 1 },
    autoreload: g.autoreload ?? D.autoreload,
    ...(g.callback !== undefined ? { callback: g.callback } : {}),
    log: logfile.startsWith('/') ? { kind: 'file', path: logfile } : { kind: 'syslog', facility: logfile },
    fork: g.fork ?? D.fork,
    supervised: g.supervised ?? D.supervised,
    readdQuiescent: g.readdQuiescent ?? D.readdQuiescent,
    ...(g.maintenanceDir !== undefined ? { maintenanceDir: g.maintenanceDir } : {}),
    ...(g.emailAlertFrom !== undefined ? { emailAlertFrom: g.emailAlertFrom } : {}),
    execute: g.execute,
  };
}

export function parseLdirectord(o: { path: string; text: string } & LdirectordDeps): LdirectordResult {
  const layout = readLayout(o.path, o.text);
  const report: Report = { errors: [], warnings: [...layout.warnings] };
  const ctx = { report, ns: o.names, hostname: o.hostname };
  const g: GlobalDraft = { execute: [] };
  for (const d of layout.globals) applyGlobal(d, g, ctx);
  const drafts = layout.blocks.map((b) => readBlock(b, ctx));
  const services: VirtualService[] = [];
  for (const v of drafts) {
    const s = v === undefined ? undefined : buildVirtual(v, { g, ns: o.names, report });
    if (s !== undefined) services.push(s);
  }
  const config: Config = {
    path: o.path,
    format: 'ldirectord',
    routerId: o.hostname,
    ldirectord: settings(o.path, g),
    vrrp: [],
    syncGroups: [],
    services,
    ipvs: { ...defaultsFor('ldirectord').ipvs, cleanStop: g.cleanStop ?? D.cleanStop },
  };
  if (report.errors.length === 0) report.errors.push(...validateConfig(config));
  const errors = sortDiagnostics(report.errors);
  const warnings = sortDiagnostics(report.warnings);
  return errors.length === 0 ? { config, errors, warnings } : { errors, warnings };
}
