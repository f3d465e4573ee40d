/**
 * Health checks of real servers and tracking on the director itself, as config model data.
 * Front-ends (keepalived.conf, native, later ldirectord.cf) fill these; the health engine
 * (src/health) runs them; the director turns results into desired weights (real servers) and
 * effective VRRP priorities (tracking). Plain readonly data; every node carries its location.
 * Every value is resolved: inheritance and defaults are already applied by the front-end.
 *
 * Timing model shared by every checker (so keepalived's and ldirectord's knobs both map onto it):
 * - a check runs every `intervalMs` (keepalived delay_loop, ldirectord checkinterval);
 * - one attempt gives up after `timeoutMs` (connect_timeout / negotiatetimeout / misc_timeout);
 * - a failed attempt is retried up to `retries` times, `retryDelayMs` apart, before the check
 *   counts as failed (keepalived retry / delay_before_retry; ldirectord: 0). keepalived 2.2.7
 *   skips the retries before a check's first result (check_data.c: `retry_it = retry` at
 *   start): a server that fails its very first attempt is down at once;
 * - the server goes down after `fall` failed checks in a row and up after `rise` passed checks
 *   in a row (keepalived: 1 / 1; ldirectord failurecount / 1);
 * - the first check starts after a random delay in [0, warmupMs] (keepalived warmup).
 * Durations are milliseconds and may have a fractional part (keepalived timers count µs).
 */
import type { Loc } from './loc.js';
import type { LdirectordProbe } from './ldirectord.js';

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
  readonly bindIf?: string; // bind_if: SO_BINDTODEVICE through the addon (TCP, plain HTTP); elsewhere the zone of an IPv6 link-local target
  readonly fwmark?: number; // SO_MARK on the probe socket
}

/** One `url { }` of HTTP_GET / SSL_GET. With no digest, status or regex: 2xx passes. */
export interface HttpExpect {
  readonly path: string;
  /** MD5 of the body, lowercase hex (keepalived `digest`). */
  readonly digest?: string;
  /** Accepted status codes as sorted, disjoint inclusive ranges; keepalived default 200-299. */
  readonly status: ReadonlyArray<readonly [number, number]>;
  /** The body must match (keepalived `regex`, ldirectord `receive`, JS RegExp source). */
  readonly regex?: string;
  /** JS RegExp flags for `regex` (keepalived regex_options caseless → i, multiline → m, dotall → s). */
  readonly regexFlags?: string;
  /** true: failing the regex is success (keepalived `regex_no_match`). */
  readonly regexNoMatch?: boolean;
  /**
   * The regex counts only when its match starts at or after this byte offset of the body
   * (keepalived `regex_min_offset`), and at or before `regexMaxOffset` (`regex_max_offset`).
   */
  readonly regexMinOffset?: number;
  readonly regexMaxOffset?: number;
  /**
   * The Host header, resolved as keepalived 2.2.7 check_http.c does: the url's own
   * virtualhost, else the checker's, else the real server's, else the virtual server's.
   * Absent: the target address and port.
   */
  readonly virtualhost?: string;
  /**
   * The TLS server name (SNI) sent for this url; absent = none. keepalived 2.2.7 check_ssl.c
   * sends it only with enable_sni, from the url's virtualhost, else the checker's, else the
   * virtual server's (not the real server's).
   */
  readonly sniName?: string;
}

export type CheckProbe =
  /** ldirectord negotiate / external / off (src/model/ldirectord.ts). */
  | LdirectordProbe
  | { readonly kind: 'tcp' }
  | {
      readonly kind: 'http';
      readonly tls: boolean;
      readonly method: 'GET' | 'HEAD';
      /** Checked in order; all must pass. */
      readonly urls: readonly HttpExpect[];
      /** The checker-level virtualhost as written (already folded into each url). */
      readonly virtualhost?: string;
      /** enable_sni as written (already folded into each url's sniName). */
      readonly sni: boolean;
      /**
       * keepalived http_protocol: '1.0' sends "HTTP/1.0" without a Connection header
       * (keepalived's default), '1.0C' HTTP/1.0 with "Connection: close", '1.1' HTTP/1.1
       * with "Connection: close".
       */
      readonly httpVersion: '1.0' | '1.0C' | '1.1';
      /** keepalived fast_recovery: while down and no url has failed yet, check again at once. */
      readonly fastRecovery: boolean;
      /** TLS only: keepalived's global `SSL { }` block (files read by the checker). */
      readonly clientTls?: TlsClientFiles;
    }
  | ({
      readonly kind: 'misc';
      /** exit 0 up, 1 down, 2..255 up with weight = code - 2 (keepalived misc_dynamic). */
      readonly dynamic: boolean;
    } & ScriptRun)
  | { readonly kind: 'smtp'; readonly heloName: string }
  /** `name` "." is the root (keepalived's default, an empty name). */
  | { readonly kind: 'dns'; readonly type: string; readonly name: string }
  | {
      readonly kind: 'udp';
      /** Lowercase hex, two digits per byte. Absent: an empty datagram. */
      readonly payloadHex?: string;
      /** Fail unless a reply arrives (otherwise only an ICMP error fails the check). */
      readonly requireReply: boolean;
      /** Expected start of the reply, lowercase hex; 'x' marks a wildcard nibble. */
      readonly replyHex?: string;
      /** Reply length bounds in bytes, checked only with replyHex (keepalived: 0 and 255). */
      readonly minReplyLength: number;
      readonly maxReplyLength: number;
    }
  | { readonly kind: 'ping' }
  /** `track` names a Tracking.files entry; its value × weight is added to the real server's weight. */
  | { readonly kind: 'file'; readonly track: string; readonly weight: number; readonly reverse: boolean };

/**
 * keepalived's `SSL { ca certificate key password }` for SSL_GET: PEM file paths and the key's
 * password. keepalived 2.2.7 (check_ssl.c build_ssl_ctx) loads the certificate chain, the key
 * and the CA into its SSL_CTX but never sets SSL_VERIFY_PEER, so the CA verifies nothing: the
 * client certificate is what the block changes.
 */
export interface TlsClientFiles {
  readonly ca?: string;
  readonly certificate?: string;
  readonly key?: string;
  readonly password?: string;
}

export interface HealthCheck {
  readonly at: Loc;
  readonly probe: CheckProbe;
  readonly target: CheckTarget;
  /** Resolved; not used by 'file' checks (they follow the file through inotify). */
  readonly timing: CheckTiming;
  /** Start failed until the first attempt passes (keepalived alpha, inherited vs → rs → checker). */
  readonly startDown: boolean;
}

/** A program run without a shell, as `user` (and `group`, else the user's) when given. */
export interface ScriptRun {
  readonly argv: readonly string[];
  readonly user?: string;
  readonly group?: string;
}

/** Per real server: its checks (all must pass) and what happens on failure. */
export interface RealServerHealth {
  /** Empty: always up (keepalived without checkers). */
  readonly checks: readonly HealthCheck[];
  /** Weight 0 instead of removal when down (keepalived inhibit_on_failure, ldirectord quiescent). */
  readonly inhibitOnFailure: boolean;
  /** Derived: some check has startDown, so the server starts down (keepalived alpha). */
  readonly startDown: boolean;
  readonly notifyUp?: ScriptRun;
  readonly notifyDown?: ScriptRun;
}

/** Per virtual service: quorum and the sorry server. */
export interface ServiceHealth {
  /** Sum of up weights needed (keepalived quorum, default 1). */
  readonly quorum: number;
  /** Quorum is lost below quorum - hysteresis and regained at quorum + hysteresis. */
  readonly hysteresis: number;
  readonly quorumUp?: ScriptRun;
  readonly quorumDown?: ScriptRun;
  /** Run notify_down of every up server on stop (keepalived omega). */
  readonly omega: boolean;
  /**
   * keepalived ha_suspend: the checks of this service run only while its virtual address is
   * configured on this host (on the VRRP master); on the backup they pause and keep their
   * last state. Never set for fwmark services (keepalived 2.2.7 clears it there).
   */
  readonly haSuspend: boolean;
}

// ---------------------------------------------------------------- tracking (VRRP priority)

/** keepalived `vrrp_script`. */
export interface TrackScript extends ScriptRun {
  readonly name: string;
  readonly at: Loc;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Priority change while passing (positive) or while failing (negative); 0 = FAULT when failing. */
  readonly weight: number;
  readonly reverse: boolean;
  readonly rise: number;
  readonly fall: number;
  /** Start in the failed state (keepalived init_fail). */
  readonly initFail: boolean;
}

/** keepalived `track_file` (`vrrp_track_file`): an integer read from a file, multiplied by the weight. */
export interface TrackFile {
  readonly name: string;
  readonly at: Loc;
  readonly path: string;
  /** keepalived default 1; 0: a non-zero value in the file means failure (FAULT). */
  readonly weight: number;
  readonly reverse: boolean;
  /** init_file: write this value at start when the file is missing (or always, with initOverwrite). */
  readonly init?: number;
  readonly initOverwrite?: boolean;
}

/** keepalived `vrrp_track_process`. */
export interface TrackProcess {
  readonly name: string;
  readonly at: Loc;
  /** The process name (/proc/PID/comm) or, with fullCommand, the program (argv[0]). */
  readonly process: string;
  /** Arguments that must follow the program (keepalived `process NAME ARG...`). */
  readonly params?: readonly string[];
  /**
   * How params match argv[1..] (keepalived param_match): 'exact' all of them, 'partial' the
   * first params.length, 'initial' like 'partial' but the last one may be a prefix.
   */
  readonly paramMatch?: 'exact' | 'partial' | 'initial';
  /** Match /proc/PID/cmdline instead of the process name (keepalived full_command, implied by params). */
  readonly fullCommand: boolean;
  /** Matching processes needed for success (keepalived quorum, 1). */
  readonly quorum: number;
  /** More than this many is a failure; absent = no maximum (keepalived quorum_max). */
  readonly quorumMax?: number;
  readonly weight: number;
  readonly reverse: boolean;
  /** Wait this long after losing quorum before failing (terminate_delay, or delay). */
  readonly terminateDelayMs: number;
  /** Wait this long after gaining quorum before passing (fork_delay, or delay). */
  readonly forkDelayMs: number;
}

/**
 * A tracked object referenced from an instance or a sync group (VrrpSyncGroup.tracks, for
 * every member). The keepalived front-end fills weight and reverse with the effective values
 * (the entry's own, else the object's) after keepalived's sync-group and address-owner rules;
 * absent, the object's apply. Weight 0: failure means FAULT (with reverse: success means
 * FAULT). An instance's interfaces tracked with weight 0 and no reverse are not here but in
 * VrrpInstance.trackInterfaces (the link tracker's).
 */
export interface TrackRef {
  readonly kind: 'script' | 'interface' | 'file' | 'process';
  readonly name: string;
  readonly at: Loc;
  readonly weight?: number;
  readonly reverse?: boolean;
}

export interface Tracking {
  readonly scripts: readonly TrackScript[];
  readonly files: readonly TrackFile[];
  readonly processes: readonly TrackProcess[];
}
