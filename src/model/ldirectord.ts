/**
 * ldirectord settings that have no other slot in the model: the global directives of an
 * ldirectord.cf (Config.ldirectord) and the per-virtual ones (VirtualService.ldirectord).
 * The config front-end (src/config/ldirectord) fills them, resolved: global values are
 * already inherited into each virtual service and defaults applied (src/model/defaults.ts,
 * LDIRECTORD_DIRECTIVES). The director carries out what they mean (fallbackcommand,
 * maintenance files, e-mail alerts, autoreload, cleanstop, logging).
 * Semantics: ldirectord 4.12 (resource-agents ldirectord.in), described in src/config/ldirectord/README.md.
 */
import type { Loc } from './loc.js';

/** Daemon states in which e-mail alerts are sent (ldirectord emailalertstatus). */
export type LdirectordDaemonState = 'starting' | 'running' | 'stopping' | 'reloading';

/** Where ldirectord logs: a file (opened per message) or a syslog facility. */
export type LdirectordLogTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'syslog'; readonly facility: string };

/** The global directives of an ldirectord.cf that only the daemon uses. */
export interface LdirectordSettings {
  readonly at: Loc;
  /** Re-read the file when its content changes (autoreload). */
  readonly autoreload: boolean;
  /** Run with the config path appended whenever the file's content changes (callback): one program, no arguments of its own. */
  readonly callback?: readonly string[];
  readonly log: LdirectordLogTarget;
  /** One checker per virtual service (fork=yes); only changes whether a block's checkinterval counts. */
  readonly fork: boolean;
  /** supervised=yes: stay in the foreground and log to stdout. */
  readonly supervised: boolean;
  /** Quiescent mode: re-add a forced-down real server absent from IPVS at weight 0 (readdquiescent). */
  readonly readdQuiescent: boolean;
  /** Per-real-server maintenance flag files (maintenancedir); absent = off. */
  readonly maintenanceDir?: string;
  /** From header of alerts (emailalertfrom), verbatim; absent = the system's default. */
  readonly emailAlertFrom?: string;
  /** Other ldirectord configurations started, stopped and reloaded alongside (execute): one word each, as sh leaves it. */
  readonly execute: readonly string[];
}

/** The per-virtual-service directives only the daemon uses, with global values inherited. */
export interface LdirectordServiceSettings {
  /**
   * fallbackcommand as argv, without a shell: run with `start|stop VIP:VPORT PROTO` appended
   * (firewall-mark services: `MARK:0 fwm`)
   * when the last real server goes down / the first comes back. ldirectord ran it through
   * `sh -c`; lvsd splits it as the shell would and refuses shell syntax (pipes, $...).
   */
  readonly fallbackCommand?: readonly string[];
  /** Remove this virtual service from IPVS when the daemon stops (cleanstop). */
  readonly cleanStop: boolean;
  /** Alert recipients (emailalert, comma separated); empty = no alerts. */
  readonly emailAlert: readonly string[];
  /** Re-send "Inaccessible real server" every this many seconds; 0 = never (emailalertfreq). */
  readonly emailAlertFreqS: number;
  readonly emailAlertStatus: readonly LdirectordDaemonState[];
  /** SMTP relay for alerts; absent = the local sendmail. */
  readonly smtp?: string;
  /** Prefix of the alert subject and body lines (servicename, comment), verbatim. */
  readonly serviceName?: string;
  readonly comment?: string;
  /** Append every check result of this service to this file (monitorfile). */
  readonly monitorFile?: string;
  /**
   * With monitorFile: each real server's name in its lines, by `ADDRESS:PORT` (`[v6]:PORT`,
   * the model's port), as ldirectord prints its identity (src/config/ldirectord/monitor-id.ts).
   */
  readonly monitorNames?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------- checks (members of CheckProbe)

/** ldirectord `service=`: what a negotiate check speaks ('none' passes without any traffic). */
export type NegotiateService =
  | 'dns' | 'ftp' | 'http' | 'https' | 'http_proxy' | 'imap' | 'imaps' | 'ldap' | 'ldaps' | 'mysql' | 'nntp'
  | 'none' | 'oracle' | 'pgsql' | 'pop' | 'pops' | 'radius' | 'simpletcp' | 'sip' | 'smtp' | 'submission';

/**
 * ldirectord checktype negotiate (and N): speak the service and match the answer. Each value
 * is what ldirectord 4.12 hands its check for that service; what goes on the wire per service
 * is described in src/config/ldirectord/README.md. timing.timeoutMs is the negotiatetimeout.
 */
export interface NegotiateProbe {
  readonly kind: 'negotiate';
  readonly service: NegotiateService;
  /** `request` with the "/" ldirectord prepends: URL path, FTP file, SQL query, LDAP base, DNS name, simpletcp payload. */
  readonly request: string;
  /** `receive`: a Perl regular expression matched anywhere in the answer, as written; "" = none given. */
  readonly receive: string;
  /** http, https, http_proxy: the URL fetched (scheme://RIP:PORT/request, or an absolute URL given as request). */
  readonly url?: string;
  readonly method: 'GET' | 'HEAD';
  /** HTTP Host header (virtualhost), verbatim; absent = the real server's address without port. */
  readonly virtualhost?: string;
  /** Credentials and database ("" = not given); ftp and sip get ldirectord's defaults when service= is written. */
  readonly login: string;
  readonly passwd: string;
  readonly database: string;
  readonly secret: string;
  /** dns, sip and simpletcp speak the virtual service's protocol (fwmark services: tcp). */
  readonly transport: 'tcp' | 'udp';
  /**
   * checktype N: after a passed negotiation, N plain connect checks run before the next one;
   * a failed connect forces a negotiation next time. 0 = negotiate every time (checktype negotiate).
   */
  readonly connectBetween: number;
  /** checktimeout: the timeout of those connect checks, and the outer limit of ldap checks. */
  readonly connectTimeoutMs: number;
}

/**
 * ldirectord checktype external: run the program without a shell, with VIP (fwmark services:
 * the mark) VPORT (fwmark: 0) RIP RPORT appended; exit 0 = up; TERM at timing.timeoutMs = down.
 */
export interface ExternalProbe {
  readonly kind: 'external';
  /** checkcommand as one program name (ldirectord does not split it). */
  readonly argv: readonly string[];
  /** The first two arguments: the virtual address (IPv6 in brackets, as ldirectord prints it) or the fwmark, as text. */
  readonly virtual: string;
  /** The virtual port; 0 for fwmark services. */
  readonly virtualPort: number;
}

/** ldirectord checktype off: never passes, so the server is never put in service. */
export interface OffProbe {
  readonly kind: 'off';
}

export type LdirectordProbe = NegotiateProbe | ExternalProbe | OffProbe;
