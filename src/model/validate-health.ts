/**
 * Semantic validation of health checks and tracking (pure), for any front-end or a
 * programmatic Config: ranges, and every name a check or an instance tracks must be defined
 * in Config.tracking. Front-ends report bad values at the word; this catches what they cannot.
 */
import type { CheckTiming, Config, HealthCheck, Loc, RealServer, TrackRef, VirtualService, VrrpInstance } from './types.js';

type Report = (at: Loc, message: string) => void;

const positive = (n: number): boolean => Number.isFinite(n) && n > 0;
const count = (n: number, min: number): boolean => Number.isInteger(n) && n >= min;

function checkTiming(t: CheckTiming, at: Loc, report: Report): void {
  if (!positive(t.intervalMs) || !positive(t.timeoutMs)) report(at, `expected a positive check interval and timeout, got ${t.intervalMs} ms and ${t.timeoutMs} ms`);
  if (!count(t.retries, 0) || !(t.retryDelayMs >= 0) || !(t.warmupMs >= 0)) report(at, `expected retries ≥ 0 and non-negative retry delay and warmup, got ${t.retries}, ${t.retryDelayMs} ms, ${t.warmupMs} ms`);
  if (!count(t.rise, 1) || !count(t.fall, 1)) report(at, `expected rise and fall of at least 1, got ${t.rise} and ${t.fall}`);
}

function checkProbe(c: HealthCheck, files: ReadonlySet<string>, report: Report): void {
  const p = c.probe;
  if (p.kind === 'http') {
    if (p.urls.length === 0) report(c.at, 'expected at least one url in an http check, got none');
    for (const u of p.urls) {
      if (u.status.some(([lo, hi]) => !(lo >= 100 && hi <= 599 && lo <= hi))) report(c.at, `expected HTTP status ranges within 100-599 for ${u.path}, got ${JSON.stringify(u.status)}`);
      if (u.regex !== undefined && !compiles(u.regex, u.regexFlags)) report(c.at, `expected a JavaScript regular expression for ${u.path}, got ${JSON.stringify(u.regex)}`);
    }
  }
  if (p.kind === 'misc' && p.argv.length === 0) report(c.at, 'expected a command for the misc check, got none');
  if (p.kind === 'udp' && p.minReplyLength > p.maxReplyLength) report(c.at, `expected a UDP reply length range, got ${p.minReplyLength} > ${p.maxReplyLength}`);
  if (p.kind === 'file' && !files.has(p.track)) report(c.at, `expected a tracked file named "${p.track}" for the file check, got none defined`);
  const port = c.target.port;
  if (port !== undefined && !count(port, 1)) report(c.at, `expected a check port between 1 and 65535, got ${port}`);
}

function compiles(source: string, flags: string | undefined): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch (e) {
    if (e instanceof SyntaxError) return false;
    throw e;
  }
}

function checkReal(r: RealServer, files: ReadonlySet<string>, report: Report): void {
  for (const c of r.health?.checks ?? []) {
    checkTiming(c.timing, c.at, report);
    checkProbe(c, files, report);
  }
}

function checkService(s: VirtualService, files: ReadonlySet<string>, report: Report): void {
  s.reals.forEach((r) => checkReal(r, files, report));
  const h = s.health;
  if (h && (!count(h.quorum, 0) || !count(h.hysteresis, 0))) report(s.at, `expected a quorum and hysteresis ≥ 0, got ${h.quorum} and ${h.hysteresis}`);
  if (s.sorry && s.sorry.server.family !== s.key.family && s.sorry.server.forward !== 'tunnel') report(s.sorry.server.at, `expected a sorry server of the service's family IPv${s.key.family}, got IPv${s.sorry.server.family}`);
}

function checkRefs(v: VrrpInstance, defined: Readonly<Record<TrackRef['kind'], ReadonlySet<string>>>, report: Report): void {
  for (const t of v.tracks ?? []) {
    if (t.kind !== 'interface' && !defined[t.kind].has(t.name)) report(t.at, `expected a tracked ${t.kind} named "${t.name}" for vrrp instance ${v.name}, got none defined`);
    if (t.weight !== undefined && !(Number.isInteger(t.weight) && Math.abs(t.weight) <= 254)) report(t.at, `expected a tracking weight between -254 and 254, got ${t.weight}`);
  }
}

export function checkHealth(c: Config, report: Report): void {
  const tr = c.tracking;
  const defined = {
    script: new Set((tr?.scripts ?? []).map((s) => s.name)),
    file: new Set((tr?.files ?? []).map((f) => f.name)),
    process: new Set((tr?.processes ?? []).map((p) => p.name)),
    interface: new Set<string>(),
  };
  c.services.forEach((s) => checkService(s, defined.file, report));
  c.vrrp.forEach((v) => checkRefs(v, defined, report));
  for (const s of tr?.scripts ?? []) {
    if (s.argv.length === 0 || !positive(s.intervalMs) || !positive(s.timeoutMs)) report(s.at, `expected a command, a positive interval and a positive timeout in vrrp_script ${s.name}`);
    if (!count(s.rise, 1) || !count(s.fall, 1)) report(s.at, `expected rise and fall of at least 1 in vrrp_script ${s.name}, got ${s.rise} and ${s.fall}`);
  }
  for (const p of tr?.processes ?? []) {
    if (p.quorumMax !== undefined && p.quorumMax < p.quorum) report(p.at, `expected quorum_max ≥ quorum in vrrp_track_process ${p.name}, got ${p.quorumMax} < ${p.quorum}`);
  }
}
