/**
 * keepalived.conf checker drafts and the keywords every checker shares (keepalived 2.2.7
 * keepalived/check/check_api.c install_checker_common_keywords): the connection keywords
 * (connect_ip, connect_port, bindto, bind_port, bind_if, connect_timeout, fwmark) and the
 * scheduling ones (retry, delay_before_retry, warmup, delay_loop, alpha, log_all_failures).
 * The same timing keywords at real_server and virtual_server level are the defaults a checker
 * inherits (check_data.c validate_check_config).
 */
import type { IpAddress, Loc } from '../../model/index.js';
import { kw, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, bool, decimalSecondsUs, int, ip, port } from '../values.js';

/** Timing as written at one level (checker, real_server or virtual_server), in µs like keepalived. */
export interface TimingDraft {
  delayLoopUs?: number;
  connectTimeoutUs?: number;
  retry?: number;
  delayBeforeRetryUs?: number;
  warmupUs?: number;
}

export type CheckType = 'TCP_CHECK' | 'HTTP_GET' | 'SSL_GET' | 'MISC_CHECK' | 'SMTP_CHECK' | 'DNS_CHECK' | 'UDP_CHECK' | 'PING_CHECK' | 'FILE_CHECK';

export interface TargetDraft {
  address?: IpAddress;
  port?: number;
  bindTo?: IpAddress;
  bindPort?: number;
  bindIf?: { readonly name: string; readonly at: Loc };
  fwmark?: number;
  /** connect_timeout belongs to the connection in keepalived (conn_opts_t), so SMTP hosts have their own. */
  timeoutUs?: number;
  /** Any connection keyword written (SMTP_CHECK decides on it whether to probe its own target). */
  written: boolean;
  readonly at: Loc;
}

export interface UrlDraft {
  readonly at: Loc;
  path?: string;
  digest?: string;
  status: Array<[number, number]>;
  regex?: string;
  regexAt?: Loc;
  regexFlags: string;
  regexNoMatch?: Loc;
  /** regex_min_offset / regex_max_offset as written (byte offsets, both inclusive) and where. */
  regexMinOffset?: { value: number; at: Loc };
  regexMaxOffset?: { value: number; at: Loc };
  virtualhost?: string;
}

/** One checker block as written. Probe fields are filled only by the keywords of its type. */
export interface CheckDraft {
  readonly at: Loc;
  readonly type: CheckType;
  readonly timing: TimingDraft;
  readonly target: TargetDraft;
  alpha?: boolean;
  // HTTP_GET / SSL_GET
  urls: UrlDraft[];
  virtualhost?: string;
  sni?: { on: boolean; at: Loc };
  httpVersion?: '1.0' | '1.0C' | '1.1';
  fastRecovery?: boolean;
  // MISC_CHECK
  argv?: string[];
  miscTimeoutS?: number;
  dynamic?: boolean;
  user?: string;
  group?: string;
  // SMTP_CHECK
  helo?: string;
  hosts: TargetDraft[];
  // DNS_CHECK
  dnsType?: string;
  dnsName?: string;
  // UDP_CHECK
  payloadHex?: string;
  requireReply?: boolean;
  replyHex?: string;
  minReply?: number;
  maxReply?: number;
  // FILE_CHECK
  track?: Word;
  /** The track_file was defined before this FILE_CHECK (keepalived looks it up as it reads it). */
  trackKnown?: boolean;
  fileWeight?: { weight: number; reverse: boolean };
}

export function newTarget(at: Loc): TargetDraft {
  return { written: false, at };
}

export function newCheck(type: CheckType, at: Loc): CheckDraft {
  return { at, type, timing: {}, target: newTarget(at), urls: [], hosts: [] };
}

/** Node timers stop at 2^31-1 ms; keepalived's at ULONG_MAX µs. Longer waits are refused. */
const MAX_TIMER_US = 24 * 86_400e6;

/** A keepalived <TIMER>: decimal seconds with µs resolution (lib/parser.c read_timer). */
export function timer(sink: Sink, s: Stmt, o: { minUs: number; maxUs?: number }): number | undefined {
  const w = s.args[0];
  return w && decimalSecondsUs(sink, w, { what: `a ${s.keyword.text}`, minUs: o.minUs, maxUs: o.maxUs ?? MAX_TIMER_US });
}

/** keepalived check_true_false: an optional yes/no word, true when absent. */
export function optionalBool(sink: Sink, s: Stmt): boolean | undefined {
  const w = s.args[0];
  return w === undefined ? true : bool(sink, w, s.keyword.text);
}

/**
 * delay_loop, connect_timeout, retry, delay_before_retry, warmup at any level. keepalived
 * 2.2.7 allows `retry 0` on a checker but not on a real_server or virtual_server
 * (rs_retry_handler / vs_retry_handler read 1..UINT32_MAX).
 */
export function timingKeywords<A>(get: (a: A) => TimingDraft, level: 'checker' | 'server'): Keyword<A>[] {
  return [
    kw<A>('delay_loop', 1, (s, a, sink) => { const v = timer(sink, s, { minUs: 1 }); if (v !== undefined) get(a).delayLoopUs = v; }),
    kw<A>('retry', 1, (s, a, sink) => {
      const v = s.args[0] && int(sink, s.args[0], { what: 'a retry count', min: level === 'checker' ? 0 : 1, max: 2 ** 32 - 1 });
      if (v !== undefined) get(a).retry = v;
    }),
    kw<A>('delay_before_retry', 1, (s, a, sink) => { const v = timer(sink, s, { minUs: 0 }); if (v !== undefined) get(a).delayBeforeRetryUs = v; }),
    kw<A>('warmup', 1, (s, a, sink) => { const v = timer(sink, s, { minUs: 0 }); if (v !== undefined) get(a).warmupUs = v; }),
  ];
}

/** connect_timeout, read 1 µs .. UINT_MAX µs (check_api.c co_timeout_handler, check_parser.c). */
export function connectTimeout<A>(set: (a: A, us: number) => void): Keyword<A> {
  return kw<A>('connect_timeout', 1, (s, a, sink) => { const v = timer(sink, s, { minUs: 1, maxUs: 2 ** 32 - 1 }); if (v !== undefined) set(a, v); });
}

/** The keywords of every checker but FILE_CHECK (check_api.c install_checker_common_keywords(false)). */
export const SCHEDULE_KEYWORDS: readonly Keyword<CheckDraft>[] = [
  ...timingKeywords<CheckDraft>((c) => c.timing, 'checker'),
  { names: ['alpha'], minArgs: 0, maxArgs: 1, block: 'none', apply: (s, c, sink) => { const v = optionalBool(sink, s); if (v !== undefined) c.alpha = v; } },
];

/** Connection keywords on a target (a checker's own, or an SMTP_CHECK `host` block's). */
export function connectionKeywords<A>(get: (a: A) => TargetDraft): Keyword<A>[] {
  const addr = (field: 'address' | 'bindTo', what: string) => (s: Stmt, a: A, sink: Sink): void => {
    const t = get(a);
    const v = s.args[0] && ip(sink, s.args[0], what);
    const other = field === 'address' ? t.bindTo : t.address;
    t.written = true;
    if (v && other && other.family !== v.family && s.args[0]) bad(sink, s.args[0], `${what} of the same family as the ${field === 'address' ? 'bindto' : 'connect_ip'} address (IPv${other.family})`);
    else if (v) t[field] = v;
  };
  const portOf = (field: 'port' | 'bindPort') => (s: Stmt, a: A, sink: Sink): void => {
    const v = s.args[0] && port(sink, s.args[0]);
    get(a).written = true;
    if (v !== undefined) get(a)[field] = v;
  };
  return [
    kw<A>('connect_ip', 1, addr('address', 'a connect_ip')),
    kw<A>('connect_port', 1, portOf('port')),
    kw<A>('bindto', 1, addr('bindTo', 'a bindto address')),
    kw<A>('bind_port', 1, portOf('bindPort')),
    kw<A>('bind_if', 1, (s, a, sink) => {
      const w = s.args[0];
      get(a).written = true;
      if (w && w.text.length > 15) bad(sink, w, 'an interface name of at most 15 characters');
      else if (w) get(a).bindIf = { name: w.text, at: w.at };
    }),
    connectTimeout<A>((a, us) => { get(a).timeoutUs = us; get(a).written = true; }),
  ];
}

/**
 * `fwmark N` (check_api.c co_fwmark_handler: 0..UINT_MAX, 0 = none): SO_MARK on the probe
 * socket, for the checkers whose connections come from the addon (TCP_CHECK, plain HTTP_GET:
 * src/health/checks/native-stream.ts). The others use Node sockets, which cannot be marked, and
 * refuse it (policy.ts).
 */
export function fwmarkKeyword<A>(get: (a: A) => TargetDraft): Keyword<A> {
  return kw<A>('fwmark', 1, (s, a, sink) => {
    const v = s.args[0] && int(sink, s.args[0], { what: 'a fwmark between 0 (none) and 4294967295', min: 0, max: 2 ** 32 - 1 });
    get(a).written = true;
    if (v === 0) delete get(a).fwmark;
    else if (v !== undefined) get(a).fwmark = v;
  });
}

/**
 * keepalived check_conn_opts: an IPv6 link-local target needs bind_if to pick the link.
 * Elsewhere bind_if is SO_BINDTODEVICE on the checker socket (layer4.c socket_bind_connect),
 * which lvsd's addon sets for TCP_CHECK and plain HTTP_GET; the checkers on Node sockets
 * (`nodeSockets`) can only use it as the zone of a link-local target, and refuse it otherwise.
 */
export function checkBindIf(t: TargetDraft, o: { readonly fallback: IpAddress; readonly checker: string; readonly nodeSockets: boolean; readonly sink: Sink }): void {
  const a = t.address ?? o.fallback;
  const linkLocal = a.family === 6 && /^fe[89ab]/i.test(a.address);
  if (linkLocal && t.bindIf === undefined) {
    o.sink.errors.push({ at: t.at, message: `expected bind_if with the IPv6 link-local check target ${a.address} (keepalived 2.2.7 drops the checker without it), got none` });
  }
  if (!linkLocal && t.bindIf !== undefined && o.nodeSockets) {
    o.sink.errors.push({
      at: t.bindIf.at,
      message: `keepalived's bind_if on ${o.checker} is not supported by lvsd for ${a.address}: keepalived binds the checker socket to the device (SO_BINDTODEVICE); lvsd's ${o.checker} runs over Node sockets, which cannot, so there bind_if only names the link of an IPv6 link-local target (TCP_CHECK and HTTP_GET bind to the device)`,
    });
  }
}
