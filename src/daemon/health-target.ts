/**
 * `lvsctl drain|enable VIP:PORT RIP:PORT` → the real server it names in the running config
 * (pure), and the overrides a reload keeps. Errors are values with an errno-like code: EINVAL for text that is not an address
 * (or names more than one thing), ENOENT for a service or real server that is not configured:
 * "no real server 10.0.0.9:80 in TCP 192.0.2.10:80".
 *
 * Service forms: "192.0.2.10:80", "[2001:db8::1]:80", "TCP 192.0.2.10:80" (also "tcp:…",
 * needed only when TCP and UDP share VIP:PORT), "FWM 7" / "fwm:7" (add " IPv6" for an IPv6
 * fwmark service). Real server forms: "10.0.0.2:80", "[2001:db8::2]:80", or the address alone
 * when only one real server of the service has it. Addresses compare in canonical form, so
 * "2001:db8:0::2" names "2001:db8::2".
 */
import type { Result } from '../errors.js';
import { realId, realKey, serviceId, type Override } from '../health/index.js';
import { canonicalAddress, type Config, type L4Protocol, parseIp, type RealServer, type VirtualService } from '../model/index.js';
import type { Logger } from './logger.js';

export interface TargetError {
  readonly code: 'EINVAL' | 'ENOENT';
  readonly message: string;
}

export interface FoundReal {
  readonly vs: VirtualService;
  /** serviceId: "TCP 192.0.2.10:80". */
  readonly service: string;
  readonly rs: RealServer;
  /** realId: "10.0.0.2:80". */
  readonly real: string;
  /** realKey: the key of overrides and engine state. */
  readonly key: string;
  readonly sorry: boolean;
}

type ServiceSpec =
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family: 4 | 6 }
  | { readonly kind: 'addr'; readonly protocol?: L4Protocol; readonly address: string; readonly port: number };

interface HostPort {
  readonly address: string;
  readonly family: 4 | 6;
  readonly port?: number;
}

/** Model addresses are canonical already (validated); this keeps a hand-built one comparable. */
const canonical = (family: 4 | 6, address: string): string => canonicalAddress(address, family) ?? address;

const fail = (code: TargetError['code'], message: string): { ok: false; error: TargetError } => ({ ok: false, error: { code, message } });

/** "A.B.C.D[:PORT]" or "[V6][:PORT]" (a bare IPv6 address without brackets too). */
export function parseHostPort(text: string): HostPort | undefined {
  const t = text.trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(t);
  const ip = parseIp(m?.[1] ?? t);
  if (ip === undefined || (m === null && ip.family !== 6)) return undefined;
  const portText = m?.[2];
  if (portText === undefined) return { address: ip.address, family: ip.family };
  const port = Number(portText);
  return port >= 0 && port <= 65535 ? { address: ip.address, family: ip.family, port } : undefined;
}

function parseService(text: string): ServiceSpec | undefined {
  const fwm = /^fwm[\s:]*(\d+)(\s+ipv6)?$/i.exec(text.trim());
  if (fwm) return { kind: 'fwmark', fwmark: Number(fwm[1]), family: fwm[2] ? 6 : 4 };
  const proto = /^(tcp|udp|sctp)[\s:]+(.+)$/i.exec(text.trim());
  const hp = parseHostPort(proto ? (proto[2] ?? '') : text);
  if (hp?.port === undefined) return undefined;
  const protocol = proto?.[1]?.toLowerCase() as L4Protocol | undefined;
  return { kind: 'addr', address: hp.address, port: hp.port, ...(protocol ? { protocol } : {}) };
}

function matches(vs: VirtualService, s: ServiceSpec): boolean {
  const k = vs.key;
  if (s.kind === 'fwmark') return k.kind === 'fwmark' && k.fwmark === s.fwmark && k.family === s.family;
  if (k.kind !== 'addr' || k.port !== s.port || canonical(k.family, k.address) !== s.address) return false;
  return s.protocol === undefined || s.protocol === k.protocol;
}

/** The virtual service `text` names, or why none (or several). */
export function findService(services: readonly VirtualService[], text: string): Result<VirtualService, TargetError> {
  const spec = parseService(text);
  if (spec === undefined) return fail('EINVAL', `expected a virtual service as VIP:PORT, [VIP6]:PORT, "TCP VIP:PORT" or "FWM N", got "${text}"`);
  const found = services.filter((vs) => matches(vs, spec));
  const [only] = found;
  if (only === undefined) return fail('ENOENT', `no virtual service ${text.trim()} in the running configuration`);
  if (found.length > 1) {
    const names = found.map((vs) => serviceId(vs.key));
    return fail('EINVAL', `${text.trim()} names ${found.length} virtual services (${names.join(', ')}): give the protocol, e.g. "${names[0]}"`);
  }
  return { ok: true, value: only };
}

/** The real server (or sorry server) `realText` names in the service `serviceText` names. */
export function findReal(services: readonly VirtualService[], serviceText: string, realText: string): Result<FoundReal, TargetError> {
  const vs = findService(services, serviceText);
  if (!vs.ok) return vs;
  const service = serviceId(vs.value.key);
  const hp = parseHostPort(realText);
  if (hp === undefined) return fail('EINVAL', `expected a real server as RIP:PORT or [RIP6]:PORT, got "${realText}"`);
  const candidates = [...vs.value.reals.map((rs) => ({ rs, sorry: false })), ...(vs.value.sorry ? [{ rs: vs.value.sorry.server, sorry: true }] : [])];
  const found = candidates.filter(({ rs }) => rs.family === hp.family && canonical(rs.family, rs.address) === hp.address && (hp.port === undefined || rs.port === hp.port));
  const [only] = found;
  if (only === undefined) return fail('ENOENT', `no real server ${realText.trim()} in ${service}`);
  const ids = [...new Set(found.map((f) => realId(f.rs)))];
  // A sorry server that is also a real server is one destination (one key): not ambiguous.
  if (ids.length > 1) return fail('EINVAL', `${realText.trim()} names ${ids.length} real servers of ${service} (${ids.join(', ')}): give the port`);
  const real = realId(only.rs);
  return { ok: true, value: { vs: vs.value, service, rs: only.rs, real, key: realKey(service, real), sorry: only.sorry } };
}

/** The realKeys of a service's real servers and sorry server. */
export function configuredKeys(vs: VirtualService): string[] {
  const svc = serviceId(vs.key);
  return [...vs.reals, ...(vs.sorry ? [vs.sorry.server] : [])].map((rs) => realId(rs)).map((id) => realKey(svc, id));
}

/** A reload: the overrides of real servers no longer configured are dropped, one log line each. */
export function pruneOverrides(overrides: Map<string, Override>, config: Config, log: Logger): void {
  const keys = new Set<string>();
  for (const vs of config.services) for (const key of configuredKeys(vs)) keys.add(key);
  for (const key of [...overrides.keys()]) {
    if (keys.has(key)) continue;
    overrides.delete(key);
    const cut = key.lastIndexOf('|');
    log.info({ event: 'check.override', svc: key.slice(0, cut), rs: key.slice(cut + 1), override: null, changed: true,
      reason: 'no longer configured' }, 'operator override of a real server');
  }
}

/**
 * serviceId, remembered per key object (a config's services and the ones derived from them
 * share it): a pass after a health change looks every service up by id, and building the text
 * of each was most of a small pass under emulation (issue 8, detection time).
 */
const ids = new WeakMap<VirtualService['key'], string>();
export function idOf(vs: VirtualService): string {
  let id = ids.get(vs.key);
  if (id === undefined) {
    id = serviceId(vs.key);
    ids.set(vs.key, id);
  }
  return id;
}
