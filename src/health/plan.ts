/**
 * The config model's virtual services → the probes to run (pure).
 *
 * Identity texts, used as map keys, in events and by `lvsctl checks`/`drain`:
 *  - service: `TCP 192.0.2.10:80`, `UDP [2001:db8::1]:53`, `FWM 7`, `FWM 7 IPv6` (ipvsadm's words);
 *  - real server: `10.0.0.2:80` or `[2001:db8::2]:80`;
 *  - a real server within a service: `SERVICE|REAL` (realKey).
 *
 * SHARED PROBES: keepalived runs one checker per copy of a check, so a real server behind five
 * virtual services is probed five times. Here two checks are one probe when everything that can
 * change the outcome or its timing is equal: the probe spec, the resolved address and port, the
 * rest of the target (bind address, port, interface, fwmark), the timing (interval, timeout,
 * retries, delays, warmup, rise, fall) and the starting state (alpha). The probe key is a
 * canonical JSON of exactly those; its result fans out to every subscriber.
 */
import type { CheckProbe, CheckTarget, CheckTiming, HealthCheck, RealServer, ServiceKey, VirtualService } from '../model/index.js';

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function serviceId(key: ServiceKey): string {
  if (key.kind === 'fwmark') return key.family === 6 ? `FWM ${key.fwmark} IPv6` : `FWM ${key.fwmark}`;
  return `${key.protocol.toUpperCase()} ${hostPort(key.address, key.port)}`;
}

export function realId(rs: Pick<RealServer, 'address' | 'port'>): string {
  return hostPort(rs.address, rs.port);
}

export function realKey(service: string, real: string): string {
  return `${service}|${real}`;
}

/** One (service, real server, check) that listens to a probe. */
export interface Subscriber {
  readonly service: string;
  readonly real: string;
  /** Index of the check in the real server's `health.checks`. */
  readonly check: number;
  readonly kind: CheckProbe['kind'];
}

export interface ProbePlan {
  readonly key: string;
  readonly probe: CheckProbe;
  readonly address: string;
  readonly port: number;
  readonly target: CheckTarget;
  readonly timing: CheckTiming;
  readonly startDown: boolean;
  readonly subscribers: readonly Subscriber[];
}

export interface HealthPlan {
  /** Probes by key, in first-seen config order. */
  readonly probes: ReadonlyMap<string, ProbePlan>;
  /** Probe keys of every real server that has checks, by realKey, in check order. */
  readonly reals: ReadonlyMap<string, readonly string[]>;
}

/** JSON with object keys sorted, so equal data gives equal text whatever the build order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function probeOf(c: HealthCheck, rs: RealServer): Omit<ProbePlan, 'key' | 'subscribers' | 'startDown'> {
  const { address, port, ...rest } = c.target;
  return { probe: c.probe, address: address ?? rs.address, port: port ?? rs.port, target: rest, timing: c.timing };
}

/** Every probe the services need, shared where identical (see the file comment). */
export function planHealth(services: readonly VirtualService[]): HealthPlan {
  const probes = new Map<string, { plan: Omit<ProbePlan, 'subscribers'>; subs: Subscriber[] }>();
  const reals = new Map<string, string[]>();
  for (const vs of services) {
    const service = serviceId(vs.key);
    for (const rs of vs.reals) {
      const checks = rs.health?.checks ?? [];
      if (checks.length === 0) continue;
      const real = realId(rs);
      const keys: string[] = [];
      checks.forEach((c, check) => {
        const base = { ...probeOf(c, rs), startDown: rs.health?.startDown === true };
        const key = canonicalJson(base);
        let entry = probes.get(key);
        if (entry === undefined) {
          entry = { plan: { key, ...base }, subs: [] };
          probes.set(key, entry);
        }
        entry.subs.push({ service, real, check, kind: c.probe.kind });
        keys.push(key);
      });
      reals.set(realKey(service, real), keys);
    }
  }
  const out = new Map<string, ProbePlan>();
  for (const [k, e] of probes) out.set(k, { ...e.plan, subscribers: e.subs });
  return { probes: out, reals };
}

/** FNV-1a, 32 bits: a stable spread of probe keys over an interval (not security). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
