/**
 * lvsd native format: health checks of a service (conf/README.md). `check tcp|http|https
 * [{ ... }]` (repeatable) probes every real server of the service; all checks must pass.
 * Defaults are the native ones of model/defaults.ts (a dead server is out within seconds).
 */
import { type CheckProbe, defaultsFor, type HealthCheck, type HttpExpect, type Loc } from '../../model/index.js';
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bad, bool, durationMs, int, oneOf, port } from '../values.js';

const D = defaultsFor('native').checks;
const DAY_MS = 86_400_000;

export interface NativeCheck {
  readonly at: Loc;
  readonly kind: 'tcp' | 'http' | 'https';
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
  warmupMs?: number;
  rise?: number;
  fall?: number;
  port?: number;
  startDown?: boolean;
  path?: string;
  status: Array<[number, number]>;
  regex?: string;
  noMatch?: boolean;
  host?: string;
  httpVersion?: '1.0' | '1.1';
}

function duration(field: 'intervalMs' | 'timeoutMs' | 'retryDelayMs' | 'warmupMs', min: number) {
  return (s: Stmt, c: NativeCheck, sink: Sink): void => {
    const w = s.args[0];
    const v = w && durationMs(sink, w, { what: s.keyword.text, maxMs: DAY_MS });
    if (w && v !== undefined && v < min) bad(sink, w, `${s.keyword.text} of at least ${min}ms`);
    else if (v !== undefined) c[field] = v;
  };
}

function counter(field: 'retries' | 'rise' | 'fall', min: number) {
  return (s: Stmt, c: NativeCheck, sink: Sink): void => {
    const v = s.args[0] && int(sink, s.args[0], { what: s.keyword.text, min, max: 1000 });
    if (v !== undefined) c[field] = v;
  };
}

function statusCodes(s: Stmt, c: NativeCheck, sink: Sink): void {
  for (const w of s.args) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(w.text);
    const lo = Number(m?.[1]);
    const hi = Number(m?.[2] ?? m?.[1]);
    if (!m || lo < 100 || hi > 599 || lo > hi) bad(sink, w, 'an HTTP status or range between 100 and 599 (200, 200-299)');
    else c.status.push([lo, hi]);
  }
}

function regex(s: Stmt, c: NativeCheck, sink: Sink): void {
  const w = s.args[0];
  if (w === undefined) return;
  try {
    new RegExp(w.text);
    c.regex = w.text;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    bad(sink, w, `a JavaScript regular expression (${e.message})`);
  }
}

const COMMON: readonly Keyword<NativeCheck>[] = [
  kw('interval', 1, duration('intervalMs', 10)),
  kw('timeout', 1, duration('timeoutMs', 1)),
  kw('retries', 1, counter('retries', 0)),
  kw('retry-delay', 1, duration('retryDelayMs', 0)),
  kw('warmup', 1, duration('warmupMs', 0)),
  kw('rise', 1, counter('rise', 1)),
  kw('fall', 1, counter('fall', 1)),
  kw('port', 1, (s, c, sink) => { const v = s.args[0] && port(sink, s.args[0]); if (v !== undefined) c.port = v; }),
  kw('start-down', 1, (s, c, sink) => { const v = s.args[0] && bool(sink, s.args[0], 'start-down'); if (v !== undefined) c.startDown = v; }),
];

const HTTP: readonly Keyword<NativeCheck>[] = [
  ...COMMON,
  kw('path', 1, (s, c, sink) => { const w = s.args[0]; if (w && !w.text.startsWith('/')) bad(sink, w, 'a path starting with "/"'); else if (w) c.path = w.text; }),
  { names: ['expect-status'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: statusCodes },
  kw('expect-regex', 1, regex),
  kw('expect-no-match', 1, (s, c, sink) => { const v = s.args[0] && bool(sink, s.args[0], 'expect-no-match'); if (v !== undefined) c.noMatch = v; }),
  kw('host', 1, (s, c) => { c.host = s.args[0]?.text; }),
  kw('http-version', 1, (s, c, sink) => { const v = s.args[0] && oneOf(sink, s.args[0], { what: 'an http-version', values: ['1.0', '1.1'] as const }); if (v) c.httpVersion = v; }),
];

/** `check tcp|http|https [{ ... }]` in a service. */
export function parseCheck(s: Stmt, sink: Sink): NativeCheck | undefined {
  const kindWord = s.args[0];
  const kind = kindWord && oneOf(sink, kindWord, { what: 'a check type', values: ['tcp', 'http', 'https'] as const });
  if (kind === undefined) return undefined;
  const c: NativeCheck = { at: s.keyword.at, kind, status: [] };
  interpret(s.block?.body ?? [], kind === 'tcp' ? COMMON : HTTP, c, { where: `check ${kind}`, sink });
  if (c.noMatch === true && c.regex === undefined) error(sink, c.at, 'expected expect-regex with expect-no-match yes, got none');
  return c;
}

function probe(c: NativeCheck): CheckProbe {
  if (c.kind === 'tcp') return { kind: 'tcp' };
  const url: HttpExpect = {
    path: c.path ?? '/',
    status: c.status.length > 0 ? c.status : [[...D.httpStatus]],
    ...(c.regex !== undefined ? { regex: c.regex, ...(c.noMatch ? { regexNoMatch: true } : {}) } : {}),
    ...(c.host !== undefined ? { virtualhost: c.host, ...(c.kind === 'https' ? { sniName: c.host } : {}) } : {}),
  };
  return {
    kind: 'http', tls: c.kind === 'https', method: 'GET', urls: [url],
    ...(c.host !== undefined ? { virtualhost: c.host } : {}),
    sni: c.kind === 'https' && c.host !== undefined, httpVersion: c.httpVersion ?? D.httpVersion, fastRecovery: false,
  };
}

export function buildCheck(c: NativeCheck): HealthCheck {
  const kind = c.kind === 'tcp' ? 'tcp' : 'http';
  const intervalMs = c.intervalMs ?? D.intervalMs;
  const retryDelay = D.retryDelayMs[kind];
  return {
    at: c.at,
    probe: probe(c),
    target: c.port !== undefined ? { port: c.port } : {},
    timing: {
      intervalMs,
      timeoutMs: c.timeoutMs ?? D.timeoutMs,
      retries: c.retries ?? D.retries[kind],
      retryDelayMs: c.retryDelayMs ?? (retryDelay === 'interval' ? intervalMs : retryDelay),
      warmupMs: c.warmupMs ?? (D.warmupMs === 'interval' ? intervalMs : D.warmupMs),
      rise: c.rise ?? D.rise,
      fall: c.fall ?? D.fall,
    },
    startDown: c.startDown ?? false,
  };
}
