/**
 * Plain TCP connections through the C addon (native/tcp_probe.c) instead of a net.Socket:
 * for TCP_CHECK and plain HTTP_GET the addon connects, writes the request and hands the
 * received bytes back here, where they are judged as before (http-response.ts). Per attempt
 * this skips the Socket's stream objects, its event emitters and its destroy machinery: on the
 * host, a sequential plain HTTP check against loopback costs about 20-35 µs of user CPU instead
 * of 67-69 µs, with 9 syscalls instead of 13 (issue 8, bench/checks).
 *
 * Used only when it changes nothing a check can see: an IP literal without a zone, no bindTo /
 * bindPort / bindIf / fwmark, no TLS, and an addon with tcpProbe* given through
 * `useTcpProbeAddon` (checkerRegistry passes the director's addon loader; health does not
 * import native). Otherwise (or with
 * `setNativeStreams(false)`, or LVSD_TCP_PROBES=net in the environment, for A/B measurements)
 * the checkers use connection.ts's net.Socket path. Semantics kept:
 * connect errors, resets and end of stream arrive as before (errors carry the errno `code`
 * describeError maps), the attempt's deadline still comes from run-attempt.ts, and the
 * connection is closed when the attempt ends (settled or cancelled), exactly once.
 */
import { constants } from 'node:os';
import net from 'node:net';
import type { AttemptSpec } from '../checker.js';
import type { Outcome } from './outcome.js';

export interface TcpProbeNative {
  tcpProbeInit(cb: (id: number, event: number, errno: number, n: number) => void, readBuffer: Buffer): void;
  tcpProbeOpen(family: 4 | 6, address: string, port: number, request: Buffer | null): number;
  tcpProbeClose(id: number): void;
  /** mark 0, bindAddress null, bindPort 0, scopeIf null: unset. Absent in builds before fwmark. */
  tcpProbeOpenWith?(family: 4 | 6, address: string, port: number, request: Buffer | null, mark: number, bindAddress: string | null, bindPort: number, scopeIf: string | null): number;
  /** The steady lane (native/tcp_repeat.c, checks/steady-lane.ts); absent in builds before it. */
  tcpRepeatInit?(cb: (id: number, kind: number, errno: number, latencyUs: number, endUs: number, bytes: Buffer | null) => void): void;
  tcpRepeatStart?(family: 4 | 6, address: string, port: number, request: Buffer | null, ranges: Int32Array | null, delayMs: number, intervalMs: number, timeoutMs: number, needle?: Buffer | null): number;
  tcpRepeatStats?(id: number, out: Float64Array): void;
  tcpRepeatStop?(id: number, out: Float64Array): void;
}

export interface NativeStreamHandlers {
  /** Connected (only when opened without a request). */
  readonly onConnect?: () => void;
  /** Bytes received; `chunk` is valid only during the call (one shared buffer). */
  readonly onData?: (chunk: Buffer) => void;
  /** The peer closed its side. */
  readonly onEnd?: () => void;
}

const EV_CONNECTED = 1;
const EV_DATA = 2;
const EV_END = 3;
const EV_ERROR = 4;

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

interface Live {
  readonly h: NativeStreamHandlers;
  readonly out: Outcome;
}

const live = new Map<number, Live>();
let enabled = process.env['LVSD_TCP_PROBES'] !== 'net';
let source: (() => unknown) | undefined;
let addon: TcpProbeNative | null | undefined;
let loadFailure: string | undefined;

function isTcpProbeNative(m: unknown): m is TcpProbeNative {
  if (typeof m !== 'object' || m === null) return false;
  const rec = m as Record<string, unknown>;
  return typeof rec['tcpProbeInit'] === 'function' && typeof rec['tcpProbeOpen'] === 'function' && typeof rec['tcpProbeClose'] === 'function';
}

/** A system error as Node would raise it, enough for describeError (its `code`). */
export function errnoError(errno: number, where: string): Error & { code: string; errno: number } {
  const code = ERRNO_NAMES.get(errno) ?? `E${errno}`;
  return Object.assign(new Error(`${code} (${where})`), { code, errno });
}

function dispatch(id: number, event: number, errno: number, n: number): void {
  const l = live.get(id);
  if (l === undefined) return;
  if (event === EV_DATA) l.h.onData?.(READ_BUFFER.subarray(0, n));
  else if (event === EV_END) l.h.onEnd?.();
  else if (event === EV_CONNECTED) l.h.onConnect?.();
  else if (event === EV_ERROR) l.out.failWith(errnoError(errno, 'tcp probe'), '');
}

/** The addon with tcpProbe*, initialised on this thread, or undefined (not built, stale build). */
export function native(): TcpProbeNative | undefined {
  if (addon !== undefined) return addon ?? undefined;
  if (source === undefined) return undefined;
  addon = null;
  try {
    const m: unknown = source();
    if (!isTcpProbeNative(m)) {
      loadFailure = 'the addon has no tcpProbeOpen (stale build?)';
      return undefined;
    }
    m.tcpProbeInit(dispatch, READ_BUFFER);
    addon = m;
    return m;
  } catch (e) {
    loadFailure = e instanceof Error ? e.message : String(e);
    return undefined;
  }
}

/** Whether plain TCP connections go through the addon, and why not when they cannot. */
export function nativeStreamStatus(): { readonly enabled: boolean; readonly available: boolean; readonly failure?: string } {
  const available = native() !== undefined;
  const failure = loadFailure ?? (source === undefined ? 'no addon given (useTcpProbeAddon)' : undefined);
  return { enabled, available, ...(failure !== undefined ? { failure } : {}) };
}

/** Where the addon comes from (loaded on the first eligible attempt); the first call wins. */
export function useTcpProbeAddon(load: () => unknown): void {
  source ??= load;
}

/** Tests and benches: false sends every connection through net.Socket (connection.ts). */
export function setNativeStreams(on: boolean): void {
  enabled = on;
}

/** net.isIP per address (a regex each time otherwise); bounded by the configured addresses, cleared past a cap. */
const families = new Map<string, number>();

/** Whether `spec` can go through the addon without changing what the check sees: its family then. */
export function eligible(spec: AttemptSpec): 4 | 6 | undefined {
  const t = spec.target;
  if (!enabled || t.bindTo !== undefined || t.bindPort !== undefined || t.bindIf !== undefined || t.fwmark !== undefined) return undefined;
  let family = families.get(spec.address);
  if (family === undefined) {
    if (families.size >= 65536) families.clear();
    family = net.isIP(spec.address);
    families.set(spec.address, family);
  }
  return family === 4 || family === 6 ? family : undefined;
}

/**
 * A target with `fwmark` (keepalived's SO_MARK on the checker socket) or `bindIf` (its
 * SO_BINDTODEVICE) goes through the addon whatever else it has: Node can do neither to its
 * sockets, so this is the only path that can. The addon also applies bindTo and bindPort there,
 * in keepalived's order (layer4.c socket_bind_connect: SO_MARK, SO_BINDTODEVICE, bind,
 * connect). A failing setsockopt (EPERM without the capability) or bind fails the attempt with
 * its errno. Without the addon the attempt fails: probing from another socket than the one
 * configured would test another path.
 */
function openWithOptions(spec: AttemptSpec, out: Outcome, request: Buffer | undefined): { n: TcpProbeNative; id: number } | undefined {
  const t = spec.target;
  const family = net.isIP(spec.address);
  const n = native();
  const what = [t.fwmark !== undefined ? `fwmark ${t.fwmark}` : '', t.bindIf !== undefined ? `bind_if ${t.bindIf}` : ''].filter((x) => x !== '').join(' and ');
  if (family !== 4 && family !== 6) out.fail('error', `${what} needs an IP address to connect to, got ${spec.address}`);
  else if (n === undefined) out.fail('error', `${what} needs lvsd's native addon: ${nativeStreamStatus().failure ?? 'not loaded'}`);
  else if (n.tcpProbeOpenWith === undefined) out.fail('error', `${what} needs lvsd's native addon with tcpProbeOpenWith (stale build?)`);
  else return { n, id: n.tcpProbeOpenWith(family, spec.address, spec.port, request ?? null, t.fwmark ?? 0, t.bindTo ?? null, t.bindPort ?? 0, t.bindIf ?? null) };
  return undefined;
}

/**
 * Opens the connection through the addon and ties it to `out` (closed when the attempt ends;
 * errors fail it). Returns a function closing it, or undefined when this spec (or this build)
 * cannot use the addon: the caller then uses openStream. An addon that cannot load counts as
 * "cannot" (the net.Socket path works without it; nativeStreamStatus says why), except for a
 * target with fwmark or bindIf (openWithOptions).
 */
export function openNativeStream(spec: AttemptSpec, out: Outcome, request: Buffer | undefined, h: NativeStreamHandlers): (() => void) | undefined {
  let n: TcpProbeNative | undefined;
  let id: number;
  try {
    if (spec.target.fwmark !== undefined || spec.target.bindIf !== undefined) {
      const m = openWithOptions(spec, out, request);
      if (m === undefined) return () => undefined;
      ({ n, id } = m);
    } else {
      const family = eligible(spec);
      n = family === undefined ? undefined : native();
      if (family === undefined || n === undefined) return undefined;
      id = n.tcpProbeOpen(family, spec.address, spec.port, request ?? null);
    }
  } catch (e) {
    out.failWith(e, '');
    return () => undefined;
  }
  live.set(id, { h, out });
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    live.delete(id);
    n.tcpProbeClose(id);
  };
  out.release(close);
  return close;
}
