/**
 * heartbeat 3.0.6 ha.cf, read as heartbeat/config.c parse_config reads it: leading blanks
 * skipped, "#" to the end of the line removed, the first word is the directive (case
 * sensitive), the other words (split at blanks and commas) are applied one by one, except for
 * the whole-line directives (mcast, ucast, stonith, respawn, ...). Only what lvsd maps onto
 * VRRP is kept (src/config/heartbeat/README.md); known directives without a meaning for lvsd
 * are accepted, and those whose loss would change behaviour are warned or refused.
 */
import { type Diagnostic, isMulticast, type Loc, parseIp } from '../../model/index.js';

/** A heartbeat medium lvsd can carry VRRP over (serial lines cannot). */
export type Medium =
  | { readonly kind: 'bcast'; readonly dev: string; readonly at: Loc }
  | { readonly kind: 'mcast'; readonly dev: string; readonly group: string; readonly at: Loc }
  | { readonly kind: 'ucast'; readonly dev: string; readonly peer: string; readonly at: Loc };

export interface HaCf {
  keepaliveMs?: number;
  deadtimeMs?: number;
  initdeadMs?: number;
  autoFailback?: { readonly value: 'on' | 'off' | 'legacy'; readonly at: Loc };
  readonly media: Medium[];
  readonly nodes: { readonly name: string; readonly at: Loc }[];
  /** The line of the first keepalive / deadtime, for messages. */
  timingAt?: Loc;
}

/**
 * cluster-glue cl_get_msec: a decimal number of seconds, or with "ms" or "us" after it (any
 * case; fractions allowed; rounded to whole ms). Any other unit ("10s") is -1, an error.
 */
export function clGetMsec(input: string): number {
  const s = input.replace(/^[ \t\n\r\f]+/, '');
  const num = /^[0-9.]*/.exec(s)?.[0] ?? '';
  const units = s.slice(num.length).replace(/^[ \t\n\r\f]+/, '');
  if (num === '' && s !== '') return -1;
  let factor = 1000;
  if (/^(ms|cl_g)/i.test(units)) factor = 1;
  else if (/^us/i.test(units)) factor = 0.001;
  else if (units !== '' && !/^[\n\r]/.test(units)) return -1;
  const value = Number(/^\d*(\.\d*)?/.exec(num)?.[0].replace(/^\.?$/, '0') ?? '0');
  return Math.floor(value * factor + 0.5);
}

/** cl_str_to_boolean. */
export function clBoolean(v: string): boolean | undefined {
  if (/^(true|on|yes|y|1)$/i.test(v)) return true;
  if (/^(false|off|no|n|0)$/i.test(v)) return false;
  return undefined;
}

interface Ctx {
  readonly file: string;
  readonly cf: HaCf;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
}

type OptionFn = (value: string, at: Loc, c: Ctx) => void;
type LineFn = (rest: string, at: Loc, c: Ctx) => void;

const err = (c: Ctx, at: Loc, message: string): void => { c.errors.push({ at, message }); };
const warn = (c: Ctx, at: Loc, message: string): void => { c.warnings.push({ at, message }); };

function time(name: string, min: number, put: (c: Ctx, ms: number) => void): OptionFn {
  return (v, at, c) => {
    const ms = clGetMsec(v);
    if (ms < min) err(c, at, `expected a time for ${name} (seconds, or with ms or us: "2", "1.5", "500ms"), got "${v}"`);
    else { put(c, ms); c.cf.timingAt ??= at; }
  };
}

const IGNORED = [
  'logfacility', 'logfile', 'debugfile', 'use_logd', 'debug', 'hopfudge', 'realtime', 'rtprio', 'hbgenmethod', 'msgfmt',
  'compression', 'compression_threshold', 'traditional_compression', 'coredumps', 'coreroot', 'uuidfrom', 'cluster', 'env',
  'max_rexmit_delay', 'memreserve', 'conn_logd_time', 'log_badpack', 'syslogmsgfmt', 'crm_daemon_dir', 'crmd_spawns_pengine',
  'record_config_changes', 'record_pengine_inputs', 'enable_config_writes', 'register_to_apphbd', 'quorum_server',
  'warntime', 'deadping', 'udpport', 'baud',
];

const OPTIONS: Readonly<Record<string, OptionFn>> = {
  keepalive: time('keepalive', 1, (c, ms) => { c.cf.keepaliveMs = ms; }),
  deadtime: time('deadtime', 0, (c, ms) => { c.cf.deadtimeMs = ms; }),
  initdead: time('initdead', 0, (c, ms) => { c.cf.initdeadMs = ms; }),
  node: (v, at, c) => { c.cf.nodes.push({ name: v.toLowerCase(), at }); },
  bcast: (v, at, c) => { c.cf.media.push({ kind: 'bcast', dev: v, at }); },
  serial: (v, at, c) => warn(c, at, `serial medium ${v} is ignored: VRRP runs over the network media (bcast, mcast, ucast) only`),
  auto_failback: (v, at, c) => {
    const b = v.toLowerCase() === 'legacy' ? 'legacy' : clBoolean(v);
    if (b === undefined) err(c, at, `expected on, off or legacy for auto_failback, got "${v}"`);
    else c.cf.autoFailback = { value: b === 'legacy' ? 'legacy' : b ? 'on' : 'off', at };
  },
  nice_failback: (v, at, c) => {
    const b = clBoolean(v);
    if (b === undefined) return err(c, at, `expected a boolean for nice_failback, got "${v}"`);
    warn(c, at, `nice_failback is obsolete: read as auto_failback ${b ? 'off' : 'legacy'}`);
    c.cf.autoFailback = { value: b ? 'off' : 'legacy', at };
  },
  crm: (v, at, c) => { if (clBoolean(v) !== false) err(c, at, `expected crm off: with crm ${v} heartbeat ignores haresources, and lvsd reads only heartbeat's v1 resources`); },
  pacemaker: (v, at, c) => { if (clBoolean(v) !== false) err(c, at, `expected pacemaker off: with pacemaker ${v} heartbeat ignores haresources, and lvsd reads only heartbeat's v1 resources`); },
  autojoin: (v, at, c) => { if (v.toLowerCase() !== 'none') err(c, at, `expected autojoin none (heartbeat refuses other values with haresources), got "${v}"`); },
  ping: (v, at, c) => err(c, at, `ping node ${v} is not supported by lvsd: heartbeat's network-failure failover (ping nodes with ipfail) has no VRRP mapping; remove ping/ping_group/respawn ipfail, or track the uplink in lvsd's native format`),
  hbaping: (v, at, c) => err(c, at, `hbaping ${v} is not supported by lvsd (no pseudo-nodes)`),
  watchdog: (v, at, c) => warn(c, at, `watchdog ${v} is ignored: run lvsd under systemd with WatchdogSec= (lvsd sends WATCHDOG=1)`),
  ...Object.fromEntries(IGNORED.map((n): [string, OptionFn] => [n, () => undefined])),
};

function ucast(rest: string, at: Loc, c: Ctx, family: 4 | 6): void {
  const [dev, peer, ...more] = rest.split(/[ \t]+/).filter((w) => w !== '');
  const p = peer === undefined ? undefined : parseIp(peer);
  if (dev === undefined || p === undefined || p.family !== family || more.length > 0) {
    return err(c, at, `expected "ucast${family === 6 ? '6' : ''} DEV PEER-IPV${family}", got "${rest}"`);
  }
  c.cf.media.push({ kind: 'ucast', dev, peer: p.address, at });
}

function mcast(rest: string, at: Loc, c: Ctx, family: 4 | 6): void {
  const [dev, group, port, ttl, loop, ...more] = rest.split(/[ \t]+/).filter((w) => w !== '');
  const g = group === undefined ? undefined : parseIp(group);
  const ok = dev !== undefined && g !== undefined && g.family === family && isMulticast(g.address) && /^\d+$/.test(port ?? '')
    && /^\d+$/.test(ttl ?? '') && Number(ttl) >= 1 && Number(ttl) <= 255 && (loop === '0' || loop === '1') && more.length === 0;
  if (!ok || g === undefined || dev === undefined) return err(c, at, `expected "mcast${family === 6 ? '6' : ''} DEV GROUP PORT TTL(1-255) LOOP(0|1)", got "${rest}"`);
  c.cf.media.push({ kind: 'mcast', dev, group: g.address, at });
}

const WHOLE_LINE: Readonly<Record<string, LineFn>> = {
  mcast: (r, at, c) => mcast(r, at, c, 4),
  mcast6: (r, at, c) => mcast(r, at, c, 6),
  ucast: (r, at, c) => ucast(r, at, c, 4),
  ucast6: (r, at, c) => ucast(r, at, c, 6),
  ping_group: (r, at, c) => err(c, at, `ping_group ${r} is not supported by lvsd: heartbeat's ping nodes have no VRRP mapping`),
  respawn: (r, at, c) => err(c, at, `respawn ${r} is not supported by lvsd: it supervises no other programs (ipfail needs ping nodes, which have no VRRP mapping; run other programs under systemd)`),
  apiauth: () => undefined,
  stonith: (r, at, c) => warn(c, at, `stonith ${r} is ignored: lvsd does no fencing`),
  stonith_host: (r, at, c) => warn(c, at, `stonith_host ${r} is ignored: lvsd does no fencing`),
  failfast: () => undefined,
};

export function readHaCf(file: string, text: string): { cf: HaCf; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const c: Ctx = { file, cf: { media: [], nodes: [] }, errors: [], warnings: [] };
  text.split('\n').forEach((raw, i) => {
    const lead = raw.length - raw.replace(/^[ \t\n\r\f]+/, '').length;
    const body = raw.slice(lead).replace(/#.*/, '').replace(/[\r\n].*/, '');
    if (body === '') return;
    const word = /^[^ \t\n\r\f]*/.exec(body)?.[0] ?? '';
    const directive = word === 'udp' ? 'bcast' : word;
    const at = { file, line: i + 1, col: lead + 1 };
    if (word === 'udp') warn(c, at, 'directive "udp" is read as "bcast" (heartbeat replaces it too)');
    const rest = body.slice(word.length).replace(/^[, \t\n\r\f]+/, '');
    const line = Object.hasOwn(WHOLE_LINE, directive) ? WHOLE_LINE[directive] : undefined;
    if (line !== undefined) return line(rest.trimEnd(), at, c);
    const option = Object.hasOwn(OPTIONS, directive) ? OPTIONS[directive] : undefined;
    if (option === undefined) return err(c, at, `unknown ha.cf directive "${word}" (heartbeat: Illegal directive)`);
    for (const v of rest.split(/[, \t\n\r\f]+/).filter((w) => w !== '')) option(v, at, c);
  });
  return { cf: c.cf, errors: c.errors, warnings: c.warnings };
}
