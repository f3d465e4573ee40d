/**
 * The control-socket protocol, shared by lvsd (server) and lvsctl (client); pure.
 *
 * Newline-delimited JSON over a unix stream socket. One request per line:
 *   { "id": 7, "method": "vrrp", "params": ... }
 * one response per line, with the request's id:
 *   { "id": 7, "ok": true, "result": ... }  |  { "id": 7, "ok": false, "error": { "code", "message" } }
 * A line that cannot be read as a request is answered with `id: null`.
 *
 * Decoders never throw. They check the envelope and the params; a result's inner shape is
 * trusted (it comes from our own daemon over a root-only socket) and typed by ControlMethods.
 */
import type { Result } from '../errors.js';
import type { CheckSnapshot, TrackEffect, TrackerSnapshot } from '../health/index.js';
import type { ConfigFormat, ReportedDiagnostic, VrrpRole } from '../model/index.js';
import type { SyncStatus } from '../sync/index.js';
import type { DropReason, TimerLateness } from '../vrrp/index.js';

export const CONTROL_METHODS = ['vrrp', 'reload', 'status', 'checks', 'drain', 'enable', 'ping', 'sync'] as const;
export type ControlMethod = (typeof CONTROL_METHODS)[number];

/** Longest line either side accepts (bytes, newline excluded). */
export const MAX_LINE_BYTES = 1 << 20;

/** One VRRP instance as `lvsctl vrrp` shows it (docs/cli.md). */
export interface VrrpInstanceStatus {
  readonly name: string;
  readonly state: VrrpRole;
  readonly priority: { readonly configured: number; readonly effective: number };
  /** The current master's address; ours when MASTER; null when unknown. */
  readonly masterAddress: string | null;
  readonly advertIntervalCs: number;
  readonly family: 4 | 6;
  readonly version: 2 | 3;
  readonly interface: string;
  readonly vrid: number;
  /** v3: the interval learned from the current master's adverts. */
  readonly masterAdverIntervalCs: number;
  readonly advertsSent: number;
  readonly advertsReceived: number;
  readonly becameMaster: number;
  readonly garpsSent: number;
  /** Master-down timers that fired late and were re-armed once instead of acted on (stale data rule). */
  readonly staleTimerDeferrals: number;
  /** Dropped packets by reason (the closed DropReason: 'ip_header', 'ttl', 'checksum', 'vrid', 'auth', …); absent = none. */
  readonly drops: Readonly<Partial<Record<DropReason, number>>>;
  /** Received VRRPv3/IPv4 adverts by checksum form ('pseudo', 'rfc9568'). */
  readonly checksumForms: Readonly<Record<string, number>>;
  /** `at` is an ISO 8601 time; null before the first transition. */
  readonly lastTransition: { readonly at: string; readonly from: VrrpRole; readonly to: VrrpRole; readonly reason: string } | null;
  /** Why the instance is in FAULT (link, tracking, sync group), null otherwise. */
  readonly faultReason?: string | null;
  /** Tracked objects (vrrp_script, track_interface, track_file, track_process); absent without tracking. */
  readonly tracks?: readonly TrackEffect[];
}

/** One real server of a virtual service, as `lvsctl checks` shows it. */
export interface RealCheckStatus {
  /** "10.0.0.2:80", "[2001:db8::2]:80". */
  readonly realServer: string;
  /** The service's sorry server (in the table only while quorum is down). */
  readonly sorry: boolean;
  /** All its checks pass (no checks: always up). */
  readonly up: boolean;
  readonly configuredWeight: number;
  /** Its weight in the table lvsd wants now; null when it is not in the table. */
  readonly weight: number | null;
  /** The operator's override (`lvsctl drain`), kept across reloads; null when none. */
  readonly override: 'drain' | null;
  /** Per check: kind, target, state, since when, the last result with its reason and latency. */
  readonly checks: readonly CheckStatus[];
}

/** One check; `since` is the ISO 8601 time of its last state change (or of its start). */
export interface CheckStatus extends CheckSnapshot {
  readonly since: string;
}

/** One virtual service and its real servers, as `lvsctl checks` shows them. */
export interface ServiceChecks {
  /** "TCP 192.0.2.10:80", "FWM 7" (ipvsadm's words). */
  readonly service: string;
  /** keepalived's quorum state (sum of up weights against quorum ± hysteresis). */
  readonly quorum: 'up' | 'down';
  readonly reals: readonly RealCheckStatus[];
}

/** What `lvsctl drain|enable` changed. */
export interface WeightResult {
  readonly service: string;
  readonly realServer: string;
  /** Its weight in the table now; null when it is not in the table (down, or replaced by the sorry server). */
  readonly weight: number | null;
  readonly configuredWeight: number;
  readonly override: 'drain' | null;
  /** false when the override already was (or was not) set. */
  readonly changed: boolean;
}

/** `lvsctl director`: what the running lvsd is doing. */
export interface DirectorStatus {
  readonly config: string;
  readonly format: ConfigFormat;
  /** IPVS reconciles: the backend in use (null before the first), operations applied and refused. */
  readonly ipvs: {
    readonly backend: string | null;
    readonly applies: number;
    readonly opsApplied: number;
    readonly opsFailed: number;
    /** `at` is an ISO 8601 time. */
    readonly lastApply: { readonly at: string; readonly ops: number; readonly failed: number; readonly ms: number } | null;
  };
  /** null without VRRP instances. */
  readonly vrrpTimerLateness: TimerLateness | null;
  /** What tracking follows (vrrp_script, track_file, track_process); null when nothing is tracked. */
  readonly tracking: TrackerSnapshot | null;
}

/**
 * A reload's answer. `diagnostics` are the config's problems as structured values (errors and
 * warnings when refused, warnings only when applied); the client formats them.
 */
export type ReloadResult =
  | { readonly ok: true; readonly changed: readonly string[]; readonly diagnostics: readonly ReportedDiagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly ReportedDiagnostic[] };

/**
 * `lvsctl drain|enable VIP:PORT RIP:PORT`: service as "192.0.2.10:80", "[2001:db8::1]:80",
 * "TCP 192.0.2.10:80" (when TCP and UDP share VIP:PORT) or "FWM 7"; real server as
 * "10.0.0.2:80" or "[2001:db8::2]:80" (the port may be left out when the address is unique).
 */
export interface WeightParams {
  readonly service: string;
  readonly realServer: string;
}

/** Params and result of each method. */
export interface ControlMethods {
  ping: { params: undefined; result: { readonly pid: number } };
  vrrp: { params: undefined; result: readonly VrrpInstanceStatus[] };
  reload: { params: undefined; result: ReloadResult };
  status: { params: undefined; result: DirectorStatus };
  checks: { params: undefined; result: readonly ServiceChecks[] };
  drain: { params: WeightParams; result: WeightResult };
  enable: { params: WeightParams; result: WeightResult };
  /** lvsd's intent for the kernel sync daemons (src/sync/manager.ts). */
  sync: { params: undefined; result: SyncStatus };
}
export type ParamsOf<M extends ControlMethod> = ControlMethods[M]['params'];
export type ResultOf<M extends ControlMethod> = ControlMethods[M]['result'];

/** Server side: a method without a handler answers ENOSYS at once. */
export type ControlHandlers = { readonly [M in ControlMethod]?: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export type RequestId = number | string;
export interface ControlRequest {
  readonly id: RequestId;
  readonly method: ControlMethod;
  readonly params?: unknown;
}
export interface ControlFailure {
  readonly code: string;
  readonly message: string;
}
export type ControlResponse =
  | { readonly id: RequestId | null; readonly ok: true; readonly result: unknown }
  | { readonly id: RequestId | null; readonly ok: false; readonly error: ControlFailure };

/** A request that cannot be served, with the id to answer (null when unreadable). */
export interface RequestProblem extends ControlFailure {
  readonly id: RequestId | null;
}

export function encodeRequest(r: ControlRequest): string {
  return `${JSON.stringify(r)}\n`;
}

export function encodeResponse(r: ControlResponse): string {
  return `${JSON.stringify(r)}\n`;
}

/** One line (without its newline) → request; EPARSE for bad JSON, EINVAL for a bad envelope or params, ENOSYS for an unknown method. */
export function decodeRequest(line: string): Result<ControlRequest, RequestProblem> {
  const v = parseJson(line);
  if (!v.ok) return { ok: false, error: { id: null, code: 'EPARSE', message: v.error } };
  const o = v.value;
  if (!isObject(o)) return fail(null, 'EINVAL', 'a request must be a JSON object');
  const id = isId(o.id) ? o.id : null;
  if (id === null) return fail(null, 'EINVAL', 'request id must be a number or a string');
  if (typeof o.method !== 'string') return fail(id, 'EINVAL', 'request method must be a string');
  const method = CONTROL_METHODS.find((m) => m === o.method);
  if (method === undefined) return fail(id, 'ENOSYS', `unknown method "${o.method}" (known: ${CONTROL_METHODS.join(', ')})`);
  const problem = paramsProblem(method, o.params);
  if (problem !== undefined) return fail(id, 'EINVAL', `${method}: ${problem}`);
  return { ok: true, value: o.params === undefined ? { id, method } : { id, method, params: o.params } };
}

/** One line (without its newline) → response; the reason says what was wrong. */
export function decodeResponse(line: string): Result<ControlResponse, string> {
  const v = parseJson(line);
  if (!v.ok) return v;
  const o = v.value;
  if (!isObject(o)) return { ok: false, error: 'response is not a JSON object' };
  const id = o.id === null || isId(o.id) ? o.id : undefined;
  if (id === undefined) return { ok: false, error: 'response id must be a number, a string or null' };
  if (o.ok === true) return { ok: true, value: { id, ok: true, result: o.result } };
  if (o.ok !== false) return { ok: false, error: 'response "ok" must be true or false' };
  const e = o.error;
  if (!isObject(e) || typeof e.code !== 'string' || typeof e.message !== 'string') {
    return { ok: false, error: 'failed response needs error.code and error.message strings' };
  }
  return { ok: true, value: { id, ok: false, error: { code: e.code, message: e.message } } };
}

/** Why these params do not fit the method, or undefined when they do. */
export function paramsProblem(method: ControlMethod, params: unknown): string | undefined {
  switch (method) {
    case 'drain':
    case 'enable':
      if (!isObject(params) || typeof params.service !== 'string' || typeof params.realServer !== 'string') {
        return 'params must be { service: "VIP:PORT", realServer: "RIP:PORT" }';
      }
      return undefined;
    case 'ping':
    case 'vrrp':
    case 'reload':
    case 'status':
    case 'checks':
    case 'sync':
      return params === undefined || params === null ? undefined : 'takes no params';
    default: {
      const never: never = method;
      return `unknown method ${String(never)}`;
    }
  }
}

function fail(id: RequestId | null, code: string, message: string): { ok: false; error: RequestProblem } {
  return { ok: false, error: { id, code, message } };
}

function parseJson(line: string): Result<unknown, string> {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (e) {
    return { ok: false, error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is RequestId {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && v.length <= 64);
}
