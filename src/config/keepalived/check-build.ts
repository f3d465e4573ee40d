/**
 * Checker drafts → model HealthChecks, with keepalived 2.2.7's inheritance and defaults
 * (keepalived/check/check_data.c validate_check_config, check_api.c queue_checker):
 * a checker's delay_loop, retry, delay_before_retry, warmup and connect_timeout fall back to
 * its real_server's, then its virtual_server's, then the per-type defaults in
 * model/defaults.ts. Two keepalived quirks kept on purpose: warmup defaults to the checker's
 * own delay_loop, and MISC_CHECK without misc_timeout (or with 0) gets the virtual_server's
 * delay_loop, not the inherited one (check_misc.c misc_check_thread).
 */
import { type CheckProbe, type CheckTarget, type CheckTiming, defaultsFor, type HealthCheck, type HttpExpect, type IpAddress } from '../../model/index.js';
import type { Sink } from '../keywords.js';
import { checkBindIf, type CheckDraft, type TargetDraft, type TimingDraft, type UrlDraft } from './check-common.js';

const D = defaultsFor('keepalived').checks;

/** What a checker inherits from where it is written. */
export interface CheckContext {
  readonly rs: { readonly timing: TimingDraft; readonly alpha?: boolean; readonly virtualhost?: string; readonly ip: IpAddress };
  readonly vs: { readonly timing: TimingDraft; readonly alpha: boolean; readonly virtualhost?: string };
  /** The weight and reverse of a track_file definition, for FILE_CHECK without its own. */
  readonly fileDefault: (name: string) => { weight: number; reverse: boolean } | undefined;
  readonly sink: Sink;
}

const ms = (us: number): number => us / 1000;

function timing(c: CheckDraft, target: TargetDraft, ctx: CheckContext): CheckTiming {
  const rs = ctx.rs.timing;
  const vs = ctx.vs.timing;
  const kind = probeKind(c);
  const intervalMs = ms(c.timing.delayLoopUs ?? rs.delayLoopUs ?? vs.delayLoopUs ?? D.intervalMs * 1000);
  const retryDelay = D.retryDelayMs[kind];
  const delayBeforeRetryUs = c.timing.delayBeforeRetryUs ?? rs.delayBeforeRetryUs ?? vs.delayBeforeRetryUs;
  const warmupUs = c.timing.warmupUs ?? rs.warmupUs ?? vs.warmupUs;
  const vsDelayMs = ms(vs.delayLoopUs ?? D.intervalMs * 1000);
  const timeoutMs = c.type === 'MISC_CHECK'
    ? (c.miscTimeoutS !== undefined && c.miscTimeoutS > 0 ? c.miscTimeoutS * 1000 : vsDelayMs)
    : ms(target.timeoutUs ?? rs.connectTimeoutUs ?? vs.connectTimeoutUs ?? D.timeoutMs * 1000);
  return {
    intervalMs,
    timeoutMs,
    retries: c.timing.retry ?? rs.retry ?? vs.retry ?? D.retries[kind],
    retryDelayMs: delayBeforeRetryUs !== undefined ? ms(delayBeforeRetryUs) : retryDelay === 'interval' ? intervalMs : retryDelay,
    warmupMs: warmupUs !== undefined ? ms(warmupUs) : D.warmupMs === 'interval' ? intervalMs : D.warmupMs,
    rise: D.rise,
    fall: D.fall,
  };
}

function probeKind(c: CheckDraft): CheckProbe['kind'] {
  switch (c.type) {
    case 'TCP_CHECK': return 'tcp';
    case 'HTTP_GET': case 'SSL_GET': return 'http';
    case 'MISC_CHECK': return 'misc';
    case 'SMTP_CHECK': return 'smtp';
    case 'DNS_CHECK': return 'dns';
    case 'UDP_CHECK': return 'udp';
    case 'PING_CHECK': return 'ping';
    case 'FILE_CHECK': return 'file';
  }
}

/** Sorted, merged inclusive ranges (keepalived keeps a bitmap of codes). */
export function mergeRanges(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function url(u: UrlDraft, c: CheckDraft, ctx: CheckContext): HttpExpect {
  const host = u.virtualhost ?? c.virtualhost ?? ctx.rs.virtualhost ?? ctx.vs.virtualhost;
  const sni = c.type === 'SSL_GET' && c.sni?.on === true ? u.virtualhost ?? c.virtualhost ?? ctx.vs.virtualhost : undefined;
  return {
    path: u.path ?? '/',
    ...(u.digest !== undefined ? { digest: u.digest } : {}),
    status: u.status.length > 0 ? mergeRanges(u.status) : [[...D.httpStatus]],
    ...(u.regex !== undefined ? { regex: u.regex, ...(u.regexFlags !== '' ? { regexFlags: u.regexFlags } : {}) } : {}),
    ...(u.regexNoMatch !== undefined ? { regexNoMatch: true } : {}),
    ...(u.regexMinOffset !== undefined && u.regexMinOffset.value > 0 ? { regexMinOffset: u.regexMinOffset.value } : {}),
    ...(u.regexMaxOffset !== undefined ? { regexMaxOffset: u.regexMaxOffset.value } : {}),
    ...(host !== undefined ? { virtualhost: host } : {}),
    ...(sni !== undefined ? { sniName: sni } : {}),
  };
}

function probe(c: CheckDraft, ctx: CheckContext): CheckProbe | undefined {
  switch (c.type) {
    case 'TCP_CHECK': return { kind: 'tcp' };
    case 'PING_CHECK': return { kind: 'ping' };
    case 'HTTP_GET': case 'SSL_GET':
      return {
        kind: 'http', tls: c.type === 'SSL_GET', method: 'GET', urls: c.urls.map((u) => url(u, c, ctx)),
        ...(c.virtualhost !== undefined ? { virtualhost: c.virtualhost } : {}),
        sni: c.sni?.on ?? false, httpVersion: c.httpVersion ?? D.httpVersion, fastRecovery: c.fastRecovery ?? false,
      };
    case 'MISC_CHECK':
      return { kind: 'misc', argv: c.argv ?? [], dynamic: c.dynamic ?? false, ...(c.user !== undefined ? { user: c.user } : {}), ...(c.group !== undefined ? { group: c.group } : {}) };
    case 'SMTP_CHECK': return { kind: 'smtp', heloName: c.helo ?? D.smtpHelo };
    case 'DNS_CHECK': return { kind: 'dns', type: c.dnsType ?? D.dnsType, name: c.dnsName ?? D.dnsName };
    case 'UDP_CHECK':
      return {
        kind: 'udp', ...(c.payloadHex !== undefined ? { payloadHex: c.payloadHex } : {}), requireReply: c.requireReply ?? false,
        ...(c.replyHex !== undefined ? { replyHex: c.replyHex } : {}), minReplyLength: c.minReply ?? D.udpMinReply, maxReplyLength: c.maxReply ?? D.udpMaxReply,
      };
    case 'FILE_CHECK': {
      const name = c.track?.text ?? '';
      const w = c.fileWeight ?? ctx.fileDefault(name);
      return w === undefined ? undefined : { kind: 'file', track: name, weight: w.weight, reverse: w.reverse };
    }
  }
}

function target(t: TargetDraft): CheckTarget {
  return {
    ...(t.address ? { address: t.address.address } : {}),
    ...(t.port !== undefined ? { port: t.port } : {}),
    ...(t.bindTo ? { bindTo: t.bindTo.address } : {}),
    ...(t.bindPort !== undefined ? { bindPort: t.bindPort } : {}),
    ...(t.bindIf !== undefined ? { bindIf: t.bindIf.name } : {}),
    ...(t.fwmark !== undefined ? { fwmark: t.fwmark } : {}),
  };
}

/**
 * SMTP_CHECK's deprecated host blocks (check_smtp.c smtp_check_end_handler): each host is one
 * more target; the checker's own target is probed too only when a connection keyword was
 * written outside the hosts (otherwise the first host replaces it).
 */
function targets(c: CheckDraft): TargetDraft[] {
  if (c.hosts.length === 0 || c.target.written) return [c.target, ...c.hosts];
  return c.hosts;
}

/** The checkers whose connections are Node sockets (no SO_BINDTODEVICE); PING_CHECK ignores bind_if as keepalived 2.2.7 does. */
const NODE_SOCKETS: readonly string[] = ['SSL_GET', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK'];

/** One checker block → its checks (several for SMTP_CHECK with host blocks). */
export function buildChecks(c: CheckDraft, ctx: CheckContext): HealthCheck[] {
  const p = probe(c, ctx);
  if (p === undefined) return [];
  const startDown = c.type !== 'FILE_CHECK' && (c.alpha ?? ctx.rs.alpha ?? ctx.vs.alpha);
  const noTarget = c.type === 'MISC_CHECK' || c.type === 'FILE_CHECK';
  return targets(c).map((t) => {
    if (!noTarget) checkBindIf(t, { fallback: ctx.rs.ip, checker: c.type, nodeSockets: NODE_SOCKETS.includes(c.type), sink: ctx.sink });
    return { at: t === c.target ? c.at : t.at, probe: p, target: noTarget ? {} : target(t), timing: timing(c, t, ctx), startDown };
  });
}
