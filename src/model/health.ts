/**
 * Health checks of real servers and tracking on the director itself, as config model data.
 * Front-ends (keepalived.conf, native, later ldirectord.cf) fill these; the health engine
 * (src/health) runs them; the director turns results into desired weights (real servers) and
 * effective VRRP priorities (tracking). Plain readonly data; every node carries its location.
 *
 * Timing model shared by every checker (so keepalived's and ldirectord's knobs both map onto it):
 * - a check runs every `intervalMs` (keepalived delay_loop, ldirectord checkinterval);
 * - one attempt gives up after `timeoutMs` (connect_timeout / negotiatetimeout / misc_timeout);
 * - a failed attempt is retried up to `retries` times, `retryDelayMs` apart, before the check
 *   counts as failed (keepalived retry / delay_before_retry; ldirectord: 0);
 * - the server goes down after `fall` failed checks in a row and up after `rise` passed checks
 *   in a row (keepalived: 1 / 1; ldirectord failurecount / 1);
 * - the first check starts after a random delay in [0, warmupMs] (keepalived warmup).
 */
import type { Loc } from './loc.js';

export interface CheckTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly warmupMs: number;
  readonly rise: number;
  readonly fall: number;
}

/** Where a probe connects; defaults are the real server's address and port. */
export interface CheckTarget {
  readonly address?: string; // connect_ip
  readonly port?: number; // connect_port / checkport
  readonly bindTo?: string; // bindto
  readonly bindPort?: number; // bind_port
  readonly bindIf?: string; // bind_if (IPv6 link-local)
  readonly fwmark?: number; // SO_MARK on the probe socket
}

/** One `url { }` of HTTP_GET / SSL_GET. With no digest, status or regex: 2xx passes. */
export interface HttpExpect {
  readonly path: string;
  /** MD5 of the body, lowercase hex (keepalived `digest`). */
  readonly digest?: string;
  /** Accepted status codes as inclusive ranges; keepalived default 200-299. */
  readonly status: ReadonlyArray<readonly [number, number]>;
  /** The body must match (keepalived `regex`, ldirectord `receive`, JS RegExp source). */
  readonly regex?: string;
  /** true: failing the regex is success (keepalived `regex_no_match`). */
  readonly regexNoMatch?: boolean;
  readonly virtualhost?: string;
}

export type CheckProbe =
  | { readonly kind: 'tcp' }
  | {
      readonly kind: 'http';
      readonly tls: boolean;
      readonly method: 'GET' | 'HEAD';
      readonly urls: readonly HttpExpect[];
      readonly virtualhost?: string;
      /** Send the virtual host as TLS SNI (keepalived enable_sni). */
      readonly sni: boolean;
      readonly httpVersion: '1.0' | '1.1';
    }
  | {
      readonly kind: 'misc';
      /** argv, run without a shell (keepalived splits misc_path as it splits scripts). */
      readonly argv: readonly string[];
      /** exit 0 up, 1 down, 2..255 up with weight = code - 2 (keepalived misc_dynamic). */
      readonly dynamic: boolean;
      readonly user?: string;
    }
  | { readonly kind: 'smtp'; readonly heloName: string }
  | { readonly kind: 'dns'; readonly type: string; readonly name: string }
  | { readonly kind: 'udp'; readonly payloadHex?: string; readonly requireReply: boolean; readonly replyHex?: string }
  | { readonly kind: 'ping' }
  | { readonly kind: 'file'; readonly track: string; readonly weight: number; readonly reverse: boolean };

export interface HealthCheck {
  readonly at: Loc;
  readonly probe: CheckProbe;
  readonly target: CheckTarget;
  readonly timing: CheckTiming;
}

/** Per real server: its checks (all must pass) and what happens on failure. */
export interface RealServerHealth {
  readonly checks: readonly HealthCheck[];
  /** Weight 0 instead of removal when down (keepalived inhibit_on_failure, ldirectord quiescent). */
  readonly inhibitOnFailure: boolean;
  /** Start as down until the first check passes (keepalived alpha). */
  readonly startDown: boolean;
  readonly notifyUp?: readonly string[];
  readonly notifyDown?: readonly string[];
}

/** Per virtual service: quorum and the sorry server. */
export interface ServiceHealth {
  /** Sum of up weights needed (keepalived quorum, default 1). */
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: readonly string[];
  readonly quorumDown?: readonly string[];
  /** Run notify_down of every up server on stop (keepalived omega). */
  readonly omega: boolean;
}

// ---------------------------------------------------------------- tracking (VRRP priority)

/** keepalived `vrrp_script`. */
export interface TrackScript {
  readonly name: string;
  readonly at: Loc;
  readonly argv: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Priority change while failing (negative) or while passing (positive); 0 = FAULT when failing. */
  readonly weight: number;
  readonly reverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly user?: string;
  /** Start in the failed state (keepalived init_fail). */
  readonly initFail: boolean;
}

/** keepalived `vrrp_track_file`: an integer read from a file, multiplied by the weight. */
export interface TrackFile {
  readonly name: string;
  readonly at: Loc;
  readonly path: string;
  readonly weight: number;
  readonly reverse: boolean;
  /** Create the file with this value when missing (keepalived init_file). */
  readonly init?: number;
}

/** keepalived `vrrp_track_process`. */
export interface TrackProcess {
  readonly name: string;
  readonly at: Loc;
  readonly process: string;
  /** Match the whole command line, not only the name (keepalived param_match). */
  readonly params?: readonly string[];
  readonly quorum: number;
  readonly quorumMax: number;
  readonly weight: number;
  readonly reverse: boolean;
  readonly delayMs: number;
  readonly terminateDelayMs: number;
  readonly forkDelayMs: number;
}

/** A tracked object referenced from an instance or sync group, with an optional weight override. */
export interface TrackRef {
  readonly kind: 'script' | 'interface' | 'file' | 'process';
  readonly name: string;
  readonly at: Loc;
  /** Overrides the object's own weight; for interfaces the only weight (0 = FAULT when down). */
  readonly weight?: number;
  readonly reverse?: boolean;
}

export interface Tracking {
  readonly scripts: readonly TrackScript[];
  readonly files: readonly TrackFile[];
  readonly processes: readonly TrackProcess[];
}
