/**
 * The steady lane over the addon (native/tcp_repeat.c): a TCP_CHECK, plain HTTP_GET or
 * ldirectord negotiate http whose server is up repeats in C, every delay_loop, with no
 * JavaScript per passing attempt (issues 8 and 10: under the lab's emulation most of lvsd's
 * checker CPU was the JavaScript around each attempt).
 *
 * Taken only when the addon would run the attempt exactly as the checkers do: what
 * native-stream.ts takes (an IP literal, no bindto / bind_port / bind_if / fwmark), and
 *  - HTTP_GET: a plain connection with one url that has no digest and no regex (then the
 *    verdict is the status line alone, known once the headers end); the request is http.ts's;
 *  - negotiate: what negotiate/http.ts laneShape allows (service http, GET, checktype
 *    negotiate, the real server's own URL, a receive that is empty or a plain string, which the
 *    addon looks for in the body); the request is checkHttp's first.
 *
 * A miss is judged here as the checker would judge it: the errno through describeError, the
 * bytes received through http-response.ts's ResponseReader (then its end of stream), the
 * deadline as run-attempt.ts's "timeout after …". If the bytes give no verdict (a redirect the
 * negotiate check follows, a body cut at the addon's bound, a lane bug), the result is
 * undefined and the engine runs the attempt itself.
 */
import type { AttemptResult, AttemptSpec, SteadyHandle, SteadyLane, SteadyStats } from '../checker.js';
import type { HttpExpect } from '../../model/index.js';
import { formatDuration } from '../run-attempt.js';
import { DEFAULT_URL, MAX_BODY_BYTES, MAX_HEADER_BYTES, requestBytes, type HttpProbe } from './http.js';
import { ResponseReader } from './http-response.js';
import { followed, laneShape } from './negotiate/http.js';
import { eligible, errnoError, native, type TcpProbeNative } from './native-stream.js';
import { describeError } from './outcome.js';

// Miss kinds (tcp_repeat.c); 3, "the bytes decide", needs no branch of its own.
const MISS_ERROR = 1;
const MISS_END = 2;
const MISS_TIMEOUT = 4;

type Miss = (id: number, kind: number, errno: number, latencyUs: number, endUs: number, bytes: Buffer | null) => void;
type Repeat = Required<Pick<TcpProbeNative, 'tcpRepeatStart' | 'tcpRepeatStats' | 'tcpRepeatStop'>>;

/** LVSD_STEADY_LANE=off in lvsd's environment keeps every attempt in the engine (before/after measurements). */
const enabled = process.env['LVSD_STEADY_LANE'] !== 'off';
let repeat: Repeat | null | undefined;
/** The open repeats' miss handlers, by the addon's id. */
const waiting = new Map<number, (kind: number, errno: number, latencyUs: number, endUs: number, bytes: Buffer | null) => void>();

const onMissNative: Miss = (id, kind, errno, latencyUs, endUs, bytes) => {
  const w = waiting.get(id);
  waiting.delete(id);
  w?.(kind, errno, latencyUs, endUs, bytes);
};

function addon(): Repeat | undefined {
  if (repeat !== undefined) return repeat ?? undefined;
  const n = native();
  if (n === undefined) return undefined; // not loaded yet or not built: ask again next time
  repeat = null;
  if (n.tcpRepeatInit === undefined || n.tcpRepeatStart === undefined || n.tcpRepeatStats === undefined || n.tcpRepeatStop === undefined) return undefined;
  n.tcpRepeatInit(onMissNative);
  repeat = { tcpRepeatStart: n.tcpRepeatStart.bind(n), tcpRepeatStats: n.tcpRepeatStats.bind(n), tcpRepeatStop: n.tcpRepeatStop.bind(n) };
  return repeat;
}

/** The HTTP probe's one url when the status line alone decides, else undefined. */
function statusOnly(probe: HttpProbe): HttpExpect | undefined {
  if (probe.tls || probe.urls.length > 1) return undefined;
  const url = probe.urls[0] ?? DEFAULT_URL;
  return url.digest === undefined && url.regex === undefined ? url : undefined;
}

function rangesOf(url: HttpExpect): Int32Array {
  const r = url.status.length > 0 ? url.status : [[200, 299] as const];
  return Int32Array.from(r.flat());
}

/** What the repeat needs beyond the target: the request, the response's judge, the body's needle. */
interface Shape {
  readonly request: Buffer | null;
  readonly expect: HttpExpect | undefined;
  readonly needle: Buffer | null;
  readonly head: boolean;
}

function shapeOf(spec: AttemptSpec): Shape | undefined {
  const p = spec.probe;
  if (p.kind === 'tcp') return { request: null, expect: undefined, needle: null, head: false };
  if (p.kind === 'http') {
    const url = statusOnly(p);
    return url !== undefined ? { request: requestBytes(spec, p, url), expect: url, needle: null, head: p.method === 'HEAD' } : undefined;
  }
  if (p.kind === 'negotiate') {
    const n = laneShape(spec, p);
    return n !== undefined ? { request: n.request, expect: n.expect, needle: n.needle, head: false } : undefined;
  }
  return undefined;
}

/** The result the checker would give for a miss; undefined when these facts give none. */
export function judgeMiss(spec: AttemptSpec, kind: number, errno: number, latencyMs: number, bytes: Buffer | null): AttemptResult | undefined {
  const shape = shapeOf(spec);
  if (shape?.expect !== undefined) {
    const reader = new ResponseReader({ expect: shape.expect, head: shape.head, maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES });
    const v = (bytes !== null ? reader.feed(bytes) : undefined) ?? (kind === MISS_END ? reader.end() : undefined);
    if (v !== undefined && spec.probe.kind === 'negotiate' && !v.ok && followed(reader.statusCode, reader.location)) return undefined;
    // At the deadline too: bytes the checker would already have judged (a chunked body that
    // ended with a trailer on a connection the server keeps open) give its verdict.
    if (v !== undefined) return v.ok ? { ok: true, latencyMs, detail: v.detail } : { ok: false, latencyMs, reason: v.reason, detail: v.detail };
  }
  if (kind === MISS_TIMEOUT) return { ok: false, latencyMs, reason: 'timeout', detail: `timeout after ${formatDuration(spec.timeoutMs)}` };
  if (kind === MISS_ERROR) {
    const d = describeError(errnoError(errno, 'tcp probe'));
    return { ok: false, latencyMs, reason: d.reason, detail: d.detail, ...(d.errno !== undefined ? { errno: d.errno } : {}) };
  }
  return undefined;
}

const statsBuf = new Float64Array(5);

function statsOf(spec: AttemptSpec): SteadyStats {
  const [lastUs = 0, latUs = 0, status = 0, dueUs = 0] = statsBuf;
  const detail = spec.probe.kind === 'tcp' ? 'connected' : `HTTP ${status}`;
  return {
    ...(lastUs > 0 ? { last: { result: { ok: true, latencyMs: latUs / 1000, detail }, atUs: lastUs } } : {}),
    ...(dueUs > 0 ? { dueUs } : {}),
  };
}

export const steadyLane: SteadyLane = {
  start(spec, delayMs, intervalMs, onMiss): SteadyHandle | undefined {
    if (!enabled) return undefined;
    const shape = shapeOf(spec);
    const family = shape === undefined ? undefined : eligible(spec);
    const a = family === undefined ? undefined : addon();
    if (shape === undefined || family === undefined || a === undefined) return undefined;
    const ranges = shape.expect !== undefined ? rangesOf(shape.expect) : null;
    let id: number;
    try {
      id = a.tcpRepeatStart(family, spec.address, spec.port, shape.request, ranges, Math.max(0, Math.ceil(delayMs)), Math.max(1, Math.round(intervalMs)), Math.max(1, Math.ceil(spec.timeoutMs)), shape.needle);
    } catch {
      return undefined; // out of memory in the addon: the engine runs it
    }
    let live = true;
    waiting.set(id, (kind, errno, latencyUs, endUs, bytes) => {
      live = false;
      onMiss(judgeMiss(spec, kind, errno, latencyUs / 1000, bytes), endUs);
    });
    return {
      stats: () => {
        if (!live) return {};
        a.tcpRepeatStats(id, statsBuf);
        return statsOf(spec);
      },
      stop: () => {
        if (!live) return {};
        live = false;
        waiting.delete(id);
        a.tcpRepeatStop(id, statsBuf);
        return statsOf(spec);
      },
    };
  },
};
