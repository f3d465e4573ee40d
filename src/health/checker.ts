/**
 * The contract between the health scheduler and one checker type (one file per type under
 * src/health/checks/). A checker does I/O for exactly one attempt and reports a result; the
 * scheduler (pure, clock injected) decides when to run attempts, retries, rise/fall and what a
 * result means for the real server's weight.
 */
import type { CheckProbe, CheckTarget } from '../model/index.js';

/** Why an attempt failed, closed so `lvsctl checks` and logs can count and render it. */
export type FailReason =
  | 'timeout' // no answer within timeoutMs ("timeout after 3 s")
  | 'refused' // ECONNREFUSED / ICMP port unreachable
  | 'reset' // ECONNRESET mid-exchange
  | 'unreachable' // EHOSTUNREACH / ENETUNREACH / no route
  | 'status' // HTTP status not accepted ("HTTP 503")
  | 'content' // body/answer did not match (digest, regex, receive string, DNS answer)
  | 'protocol' // garbage or an unexpected reply (bad SMTP banner, malformed DNS, TLS failure)
  | 'exit' // script exited with a failing code or was killed
  | 'off' // ldirectord checktype off: never checked, never in service
  | 'error'; // anything else local (EMFILE, bind failed); detail says what

export type AttemptResult =
  | { readonly ok: true; readonly latencyMs: number; readonly detail?: string;
      /** Dynamic weight reported by the check, replacing the configured one (MISC_CHECK misc_dynamic). */
      readonly weight?: number;
      /** Added to the configured weight (FILE_CHECK: track file value × weight, keepalived cur_weight). */
      readonly weightDelta?: number }
  | { readonly ok: false; readonly latencyMs: number; readonly reason: FailReason;
      /** Human text for operators, e.g. "HTTP 503", "connection refused", "exit 1". */
      readonly detail: string;
      readonly errno?: string };

/** Everything one attempt needs; the target is already resolved (no defaults left). */
export interface AttemptSpec {
  readonly probe: CheckProbe;
  readonly address: string;
  readonly port: number;
  readonly target: CheckTarget;
  readonly timeoutMs: number;
}

/**
 * One in-flight attempt; `cancel()` ends it (sockets closed, child killed) without a result.
 * `result` never rejects. The driver (run-attempt.ts) enforces `timeoutMs`: it cancels the
 * attempt and records `expire(latencyMs)` when the attempt defines it, else a `timeout` failure.
 * `expire` exists for checks where silence is an answer: keepalived's UDP_CHECK without
 * require_reply passes when no ICMP error came back within the timeout (layer4.c
 * udp_socket_state: "Handle Read timeout, we consider it success unless require_reply is set").
 */
export interface Attempt {
  readonly result: Promise<AttemptResult>;
  cancel(): void;
  expire?(latencyMs: number): AttemptResult;
}

/** A checker type: starts attempts. Implementations must never throw from `start`. */
export interface Checker {
  readonly kind: CheckProbe['kind'];
  start(spec: AttemptSpec): Attempt;
}

/** What a steady lane did while it held a probe: its last passing attempt, and when its next attempt is due (undefined while one runs). */
export interface SteadyStats {
  readonly last?: { readonly result: AttemptResult; readonly atUs: number };
  readonly dueUs?: number;
}

export interface SteadyHandle {
  stats(): SteadyStats;
  /** Stops the lane for this probe (a running attempt is dropped, without a result); the stats at that moment. */
  stop(): SteadyStats;
}

/**
 * Runs the attempts of a probe whose server is up outside the engine while they pass (the
 * addon's repeat, checks/steady-lane.ts): no JavaScript per passing attempt. The first attempt
 * that does not pass ends the lane's hold and comes back through `onMiss` with the result the
 * probe's checker would have given (or undefined when the lane cannot tell: the engine then
 * runs the attempt itself at once). `start` returns undefined for a probe it cannot run
 * exactly as its checker would.
 */
export interface SteadyLane {
  start(spec: AttemptSpec, delayMs: number, intervalMs: number, onMiss: (r: AttemptResult | undefined, atUs: number) => void): SteadyHandle | undefined;
}
