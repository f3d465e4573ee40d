/**
 * An ldirectord virtual's checktype, service and timing → the health checks of one real
 * server (src/model/health.ts, ldirectord.ts). Timing follows ldirectord 4.12 (ld_setup):
 * checktimeout and negotiatetimeout default to each other, block before global; a down
 * server comes back after one passed check; failurecount failed checks take an up one down;
 * no retries (ping: checkcount attempts); checkinterval is the global one unless fork=yes.
 */
import { type CheckProbe, type CheckTarget, type CheckTiming, type HealthCheck, LDIRECTORD_DIRECTIVES as D, type NegotiateService, type RealServerHealth } from '../../model/index.js';
import type { GlobalDraft, VirtualDraft } from './drafts.js';
import type { RealDraft } from './real.js';

/** ld_service_to_port: the port a check uses when neither checkport nor the real server's port is set. */
const PORT_OF: readonly (readonly [NegotiateService, number])[] = [
  ['ftp', 21], ['smtp', 25], ['dns', 53], ['http', 80], ['pop', 110], ['nntp', 119], ['imap', 143], ['ldap', 389], ['https', 443],
  ['submission', 587], ['ldaps', 636], ['imaps', 993], ['pops', 995], ['oracle', 1521], ['radius', 1812], ['http_proxy', 3128],
  ['mysql', 3306], ['sip', 5060], ['pgsql', 5432],
];
const SERVICE_PORTS: ReadonlyMap<NegotiateService, number> = new Map(PORT_OF);

/** ld_port_to_service: the service of a virtual without service=, from its port. */
export function serviceOfPort(port: number): NegotiateService {
  return PORT_OF.find(([, p]) => p === port)?.[0] ?? 'none';
}

export interface Timeouts { readonly checkS: number; readonly negotiateS: number }

/** §"Timeouts" of README.md: block checktimeout → block negotiatetimeout → global ... → 5 (and the mirror for 30). */
export function timeouts(v: VirtualDraft, g: GlobalDraft): Timeouts {
  return {
    checkS: v.checkTimeoutS ?? v.negotiateTimeoutS ?? g.checkTimeoutS ?? g.negotiateTimeoutS ?? D.checkTimeoutS,
    negotiateS: v.negotiateTimeoutS ?? v.checkTimeoutS ?? g.negotiateTimeoutS ?? g.checkTimeoutS ?? D.negotiateTimeoutS,
  };
}

export interface CheckContext {
  readonly v: VirtualDraft;
  readonly g: GlobalDraft;
  readonly service: NegotiateService;
  /** The real server as ldirectord prints it in URLs: IPv6 in brackets. */
  readonly real: RealDraft;
  /** Port for checks when nothing else gives one (the virtual's). */
  readonly fallbackPort: number;
  /** What an external check gets first (check_external): the VIP ([v6] in brackets) or the fwmark, and the virtual port (fwmark: 0). */
  readonly virtual: { readonly address: string; readonly port: number };
}

function timing(c: CheckContext, timeoutS: number, retries = 0): CheckTiming {
  const block = c.g.fork === true ? c.v.checkIntervalS?.value : undefined;
  const intervalS = block ?? c.g.checkIntervalS?.value ?? D.checkIntervalS;
  return {
    intervalMs: intervalS * 1000,
    timeoutMs: timeoutS * 1000,
    retries,
    retryDelayMs: 0,
    warmupMs: 0,
    rise: 1,
    fall: c.v.failureCount ?? c.g.failureCount ?? D.failureCount,
  };
}

/** ld_checkport: checkport, else the real server's port when > 0, else the service's own. */
export function checkPort(c: CheckContext): number {
  return c.v.checkPort ?? (c.real.port > 0 ? c.real.port : SERVICE_PORTS.get(c.service) ?? c.fallbackPort);
}

/** ldirectord's URL for http, https and http_proxy (ld_setup), with this real's own request when it has one. */
function url(c: CheckContext, request: string): string | undefined {
  const s = c.service;
  if (s !== 'http' && s !== 'https' && s !== 'http_proxy') return undefined;
  const scheme = s === 'https' ? 'https' : 'http';
  const uri = request.replace(/^\//, '');
  const own = c.real.request !== undefined && c.real.receive !== undefined;
  if (own ? request.includes(`${scheme}://`) : s === 'http_proxy') return uri;
  const host = c.real.family === 6 ? `[${c.real.address}]` : c.real.address;
  return `${scheme}://${host}:${checkPort(c)}/${uri}`;
}

function negotiate(c: CheckContext, connectBetween: number, t: Timeouts): CheckProbe {
  const request = c.real.request ?? c.v.request;
  const u = url(c, request);
  return {
    kind: 'negotiate',
    service: c.service,
    request,
    receive: c.real.receive ?? c.v.receive,
    ...(u !== undefined ? { url: u } : {}),
    method: c.v.httpMethod,
    ...(c.v.virtualhost !== undefined ? { virtualhost: c.v.virtualhost } : {}),
    login: c.v.login,
    passwd: c.v.passwd,
    database: c.v.database,
    secret: c.v.secret,
    transport: c.v.protocol === 'udp' ? 'udp' : 'tcp',
    connectBetween,
    connectTimeoutMs: t.checkS * 1000,
  };
}

function check(c: CheckContext, probe: CheckProbe, o: { timeoutS: number; retries?: number; target: CheckTarget }): HealthCheck {
  // ldirectord starts every real server absent from IPVS as down and brings it up on its first passed check.
  return { at: c.real.at, probe, target: o.target, timing: timing(c, o.timeoutS, o.retries), startDown: true };
}

/** The checks of one real server; an empty list means always up (checktype on, or negotiate with service none). */
export function realHealth(c: CheckContext): RealServerHealth {
  const t = timeouts(c.v, c.g);
  const port = { port: checkPort(c) };
  const pings = (c.v.checkCount ?? c.g.checkCount ?? D.checkCount) - 1;
  const type = c.v.checkType;
  const checks: HealthCheck[] = [];
  if (type === 'connect' && c.v.protocol === 'udp') checks.push(check(c, { kind: 'ping' }, { timeoutS: t.checkS, retries: pings, target: {} }));
  else if (type === 'connect') checks.push(check(c, { kind: 'tcp' }, { timeoutS: t.checkS, target: port }));
  else if (type === 'ping') checks.push(check(c, { kind: 'ping' }, { timeoutS: t.checkS, retries: pings, target: {} }));
  else if (type === 'external') checks.push(check(c, { kind: 'external', argv: [c.v.checkCommand], virtual: c.virtual.address, virtualPort: c.virtual.port }, { timeoutS: t.checkS, target: { port: c.real.port } }));
  else if (type === 'off') checks.push(check(c, { kind: 'off' }, { timeoutS: t.checkS, target: {} }));
  else if (type === 'negotiate' && c.service !== 'none') checks.push(check(c, negotiate(c, 0, t), { timeoutS: t.negotiateS, target: port }));
  else if (typeof type === 'object') checks.push(check(c, negotiate(c, type.combined, t), { timeoutS: t.negotiateS, target: port }));
  return {
    checks,
    inhibitOnFailure: c.v.quiescent ?? c.g.quiescent ?? D.quiescent,
    startDown: checks.some((k) => k.startDown),
  };
}
