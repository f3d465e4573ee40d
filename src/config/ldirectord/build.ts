/**
 * ldirectord.cf step 3 of 3: a read virtual block (with the globals) → a VirtualService.
 * Like ldirectord, the block's fallback, address, port and real servers are resolved here,
 * after the whole block is known. Global values are inherited (fallback per family and
 * protocol, fallbackcommand, quiescent, cleanstop, e-mail alerts, timeouts); defaults come
 * from LDIRECTORD_DIRECTIVES.
 */
import { defaultsFor, type ForwardMethod, LDIRECTORD_DIRECTIVES as D, type LdirectordServiceSettings, type NegotiateService, type RealServer, type ServiceKey, type SorryServer, type VirtualService } from '../../model/index.js';
import { resolveFallback, resolveVirtual } from './address.js';
import { realHealth, serviceOfPort } from './checks.js';
import { monitorName } from './monitor-id.js';
import type { GlobalDraft, ResolvedFallback, VirtualDraft } from './drafts.js';
import type { NameService } from './names.js';
import { readRealSyntax, resolveReal, type LdForward, type RealDraft } from './real.js';
import { errorAt, take, warnAt, type Report } from './values.js';

const FORWARD: Readonly<Record<LdForward, ForwardMethod>> = { gate: 'route', masq: 'masq', ipip: 'tunnel' };

export interface BuildContext {
  readonly g: GlobalDraft;
  readonly ns: NameService;
  readonly report: Report;
}

function key(v: VirtualDraft, c: BuildContext): ServiceKey | undefined {
  if (v.head.kind === 'fwmark') return { kind: 'fwmark', family: v.family, fwmark: v.head.mark };
  const r = resolveVirtual(v.head, { protocol: v.protocol, family: v.family, ns: c.ns });
  if (!r.ok) {
    errorAt(c.report, v.at, r.error);
    return undefined;
  }
  return { kind: 'addr', family: v.family, protocol: v.protocol === 'udp' ? 'udp' : 'tcp', address: r.value.address, port: r.value.port };
}

function reals(v: VirtualDraft, c: BuildContext): RealDraft[] {
  return v.reals.flatMap((d) => {
    const s = take(c.report, d, readRealSyntax);
    if (s === undefined) return [];
    s.notes.forEach((n) => warnAt(c.report, d.valueAt, n));
    const r = resolveReal(s, { at: d.at, family: v.family, ns: c.ns });
    if (!r.ok) {
      errorAt(c.report, d.valueAt, r.error);
      return [];
    }
    if (r.note !== undefined) warnAt(c.report, d.valueAt, r.note);
    return [...r.value];
  });
}

/** gate and ipip cannot change the port: ipvsadm and the kernel use the service's (fwmark: as written). */
function modelPort(k: ServiceKey, forward: LdForward, written: number): number {
  if (k.kind === 'fwmark') return written;
  return forward === 'masq' ? written : k.port;
}

function portNote(k: ServiceKey, r: { forward: LdForward; port: number }, what: string): string | undefined {
  if (k.kind !== 'addr' || r.forward === 'masq' || r.port === 0 || r.port === k.port) return undefined;
  return `${what} port ${r.port} differs from the virtual port ${k.port}: with ${r.forward} the kernel uses the virtual port (ldirectord's checks still use ${r.port}, and so do lvsd's)`;
}

function sorry(v: VirtualDraft, k: ServiceKey, c: BuildContext): SorryServer | undefined {
  let f: ResolvedFallback | undefined;
  if (v.fallback !== undefined) {
    const d = v.fallback.directive;
    const r = resolveFallback(v.fallback, { protocol: v.protocol, family: v.family, ns: c.ns });
    if (!r.ok) errorAt(c.report, d.valueAt, r.error);
    else f = { at: d.at, ...r.value };
  } else if (v.protocol !== 'fwm') {
    f = (v.family === 4 ? c.g.fallback4 : c.g.fallback6)?.[v.protocol];
  } else if ((v.family === 4 ? c.g.fallback4 : c.g.fallback6) !== undefined) {
    warnAt(c.report, v.at, 'the global fallback is not used for a firewall-mark service (ldirectord would add an empty one); write fallback= in this block');
  }
  if (f === undefined) return undefined;
  const written = f.port ?? (k.kind === 'addr' ? k.port : 0);
  const note = portNote(k, { forward: f.forward, port: written }, 'fallback server');
  if (note !== undefined) warnAt(c.report, f.at, note);
  const server: RealServer = {
    at: f.at, family: v.family, address: f.address, port: modelPort(k, f.forward, written), forward: FORWARD[f.forward],
    weight: 1, upperThreshold: 0, lowerThreshold: 0,
  };
  return { server, inhibit: false };
}

function settings(v: VirtualDraft, g: GlobalDraft): LdirectordServiceSettings {
  const fallbackCommand = v.fallbackCommand ?? g.fallbackCommand;
  const smtp = v.smtp ?? g.smtp;
  return {
    ...(fallbackCommand !== undefined ? { fallbackCommand } : {}),
    cleanStop: v.cleanStop ?? g.cleanStop ?? D.cleanStop,
    emailAlert: v.emailAlert ?? g.emailAlert ?? [],
    emailAlertFreqS: v.emailAlertFreqS ?? g.emailAlertFreqS ?? D.emailAlertFreqS,
    emailAlertStatus: v.emailAlertStatus ?? g.emailAlertStatus ?? D.emailAlertStatus,
    ...(smtp !== undefined ? { smtp } : {}),
    ...(v.serviceName !== undefined ? { serviceName: v.serviceName } : {}),
    ...(v.comment !== undefined ? { comment: v.comment } : {}),
    ...(v.monitorFile !== undefined ? { monitorFile: v.monitorFile } : {}),
  };
}

function serviceOf(v: VirtualDraft, k: ServiceKey, c: BuildContext): NegotiateService {
  if (v.service !== undefined) return v.service;
  if (k.kind === 'fwmark') return 'none';
  const s = serviceOfPort(k.port);
  const negotiates = v.checkType === 'negotiate' || typeof v.checkType === 'object';
  if (s === 'none' && negotiates && v.serviceWritten !== true && v.reals.length > 0) {
    warnAt(c.report, v.at, `no service= for port ${k.port}, which ldirectord does not know: its negotiate check then checks nothing (service none) and every real server is always up; write service= or checktype=connect`);
  }
  return s;
}

function warnings(v: VirtualDraft, c: BuildContext): void {
  if (v.checkIntervalS !== undefined && c.g.fork !== true) warnAt(c.report, v.checkIntervalS.at, 'checkinterval in a virtual block is ignored unless fork=yes (ldirectord warns the same); the global checkinterval applies');
  if (v.netmask !== undefined && v.persistentS === undefined) warnAt(c.report, v.netmask.at, 'netmask is ignored without persistent=, as ldirectord ignores it');
  if (v.ops && v.protocol !== 'udp' && v.opsAt !== undefined) warnAt(c.report, v.opsAt, 'ops=yes is ignored for a tcp or firewall-mark service, as ldirectord ignores it (one-packet scheduling is for udp)');
  if (v.checkType === 'external' && /\s/.test(v.checkCommand)) {
    warnAt(c.report, v.checkTypeAt ?? v.at, `checkcommand "${v.checkCommand}" contains a space: ldirectord runs it as one program name without a shell, so every check fails; lvsd does the same`);
  }
}

/** The real servers; with monitorfile, their names in its lines go to `names` (by ADDRESS:PORT). */
function realServers(v: VirtualDraft, k: ServiceKey, service: NegotiateService, c: BuildContext, names: Record<string, string>): RealServer[] {
  const out: RealServer[] = [];
  for (const r of reals(v, c)) {
    const note = portNote(k, r, `real server ${r.address}:`);
    if (note !== undefined) warnAt(c.report, r.at, note);
    const port = modelPort(k, r.forward, r.port);
    const first = out.find((x) => x.address === r.address && x.port === port);
    if (first !== undefined) {
      warnAt(c.report, r.at, `real server ${r.address}:${port} is already listed at line ${first.at.line}: ldirectord's second ipvsadm -a fails (and is only logged), so lvsd keeps the first`);
      continue;
    }
    const fallbackPort = k.kind === 'addr' ? k.port : 0;
    const virtual = k.kind === 'addr' ? { address: k.family === 6 ? `[${k.address}]` : k.address, port: k.port } : { address: String(k.fwmark), port: 0 };
    const health = realHealth({ v, g: c.g, service, real: r, fallbackPort, virtual });
    if (v.monitorFile !== undefined) names[`${r.family === 6 ? `[${r.address}]` : r.address}:${port}`] = monitorName(v, service, r);
    out.push({
      at: r.at, family: r.family, address: r.address, port, forward: FORWARD[r.forward], weight: r.weight,
      upperThreshold: r.upper, lowerThreshold: r.lower, health,
    });
  }
  return out;
}

export function buildVirtual(v: VirtualDraft, c: BuildContext): VirtualService | undefined {
  const k = key(v, c);
  warnings(v, c);
  if (k === undefined) return undefined;
  const service = serviceOf(v, k, c);
  const names: Record<string, string> = {};
  const rs = realServers(v, k, service, c, names);
  const fb = sorry(v, k, c);
  const defaults = defaultsFor('ldirectord');
  const netmask = v.netmask?.value ?? (v.family === 4 ? defaults.persistenceNetmask4 : defaults.persistenceNetmask6);
  return {
    at: v.at,
    key: k,
    scheduler: v.scheduler,
    schedFlags: v.schedFlags === undefined ? [] : v.schedFlags.split(','),
    ...(v.persistentS !== undefined ? { persistence: { timeoutS: v.persistentS, netmask: v.family === 6 ? Number(netmask) : netmask } } : {}),
    onePacket: v.ops && v.protocol === 'udp',
    ldirectord: { ...settings(v, c.g), ...(v.monitorFile !== undefined ? { monitorNames: names } : {}) },
    reals: rs,
    ...(rs.some((r) => (r.health?.checks.length ?? 0) > 0) ? { health: { quorum: 1, hysteresis: 0, omega: false, haSuspend: false } } : {}),
    ...(fb !== undefined ? { sorry: fb } : {}),
  };
}
