/**
 * Every default of the configuration model, per front-end format. This is the ONLY place
 * defaults live (docs/design.md "Configuration"); a default fills a value that was not written,
 * never one that was written wrongly.
 */
import type { CheckProbe, ConfigFormat, ForwardMethod, GarpSettings, IpvsSettings, V3ChecksumMode, VrrpVersion } from './types.js';

type CheckKind = CheckProbe['kind'];

/** Health-check defaults; a real server's checks inherit service → real server → check before these apply. */
export interface CheckDefaults {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Retries per checker type. */
  readonly retries: Readonly<Record<CheckKind, number>>;
  /** Delay between retries per checker type; 'interval' = the check's own interval. */
  readonly retryDelayMs: Readonly<Record<CheckKind, number | 'interval'>>;
  /** 'interval' = the check's own interval. */
  readonly warmupMs: number | 'interval';
  readonly rise: number;
  readonly fall: number;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly httpStatus: readonly [number, number];
  readonly httpVersion: '1.0' | '1.0C' | '1.1';
  readonly smtpHelo: string;
  readonly dnsType: string;
  readonly dnsName: string;
  readonly udpMinReply: number;
  readonly udpMaxReply: number;
}

/** Tracking defaults (keepalived vrrp_script, track_file, vrrp_track_process). */
export interface TrackDefaults {
  readonly scriptIntervalMs: number;
  /** undefined: the script's interval (keepalived vrrp_scheduler.c: timeout 0 means interval). */
  readonly scriptTimeoutMs?: number;
  readonly scriptWeight: number;
  readonly rise: number;
  readonly fall: number;
  readonly fileWeight: number;
  /** The value `init_file` writes when it names none. */
  readonly fileInit: number;
  readonly processWeight: number;
  readonly processQuorum: number;
}

export interface FormatDefaults {
  readonly routerId: string;
  readonly vrrpVersion: VrrpVersion;
  readonly advertIntervalCs: number;
  readonly priority: number;
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly v3Checksum: V3ChecksumMode;
  readonly garp: GarpSettings;
  /** Notify script timeout. keepalived has no per-notify timeout; 10 s is ours (conf/README.md). */
  readonly notifyTimeoutMs: number;
  readonly scheduler: string;
  readonly forward: ForwardMethod;
  readonly weight: number;
  /** `persistence_timeout` written without a value (keepalived: 6 minutes). */
  readonly persistenceTimeoutS: number;
  readonly persistenceNetmask4: string;
  readonly persistenceNetmask6: number;
  readonly ipvs: IpvsSettings;
  readonly sync: SyncDefaults;
  readonly checks: CheckDefaults;
  readonly tracking: TrackDefaults;
}

/**
 * Sync daemon settings not written. The group, port and TTL are the kernel's own
 * (IP_VS_SYNC_GROUP, IP_VS_SYNC_PORT, ttl 1 in ip_vs_sync.c; keepalived.conf(5) names the same);
 * writing them out makes `lvsctl sync` and an adopted daemon compare against known values.
 * The sync id of a daemon that follows an instance defaults to that instance's VRID (keepalived,
 * vrrp.c vrrp_complete_init); without one it is 0.
 */
export interface SyncDefaults {
  readonly group: string;
  readonly port: number;
  readonly ttl: number;
  readonly syncIdWithoutInstance: number;
}

const SYNC: SyncDefaults = { group: '224.0.0.81', port: 8848, ttl: 1, syncIdWithoutInstance: 0 };

/** keepalived's own defaults (keepalived.conf(5), 2.2.7), so a keepalived.conf means the same here. */
const KEEPALIVED: FormatDefaults = {
  routerId: '',
  vrrpVersion: 2, // global vrrp_version default 2; IPv6 instances always use 3
  advertIntervalCs: 100, // advert_int 1
  priority: 100,
  initialState: 'BACKUP',
  preempt: true,
  preemptDelayMs: 0,
  v3Checksum: 'pseudo', // keepalived 2.2.7 includes the IPv4 pseudo-header in the v3 checksum
  garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, refreshRepeat: 1, intervalMs: 0 },
  notifyTimeoutMs: 10_000,
  scheduler: 'wlc', // "lvs_sched ... default wlc" (keepalived logs a warning when none is set)
  forward: 'masq', // lvs_method "default is NAT"
  weight: 1,
  persistenceTimeoutS: 360,
  persistenceNetmask4: '255.255.255.255',
  persistenceNetmask6: 128,
  ipvs: { backend: 'auto', ownWholeTable: false, cleanStop: false },
  sync: SYNC,
  checks: {
    intervalMs: 60_000, // delay_loop: KEEPALIVED_DEFAULT_DELAY (check_data.h), set in alloc_vs
    timeoutMs: 5_000, // connect_timeout: alloc_vs `connection_to = 5 * TIMER_HZ`
    // retry: queue_checker `default_retry = 1`; check_misc.c 0; check_dns.c DNS_DEFAULT_RETRY 3
    // negotiate, external, off: ldirectord's kinds, which never retry (src/config/ldirectord/checks.ts sets them itself)
    retries: { tcp: 1, http: 1, misc: 0, smtp: 1, dns: 3, udp: 1, ping: 1, file: 0, negotiate: 0, external: 0, off: 0 },
    // delay_before_retry: queue_checker 1 s; check_http.c 3 s; check_dns.c 0 = delay_loop
    retryDelayMs: { tcp: 1_000, http: 3_000, misc: 1_000, smtp: 1_000, dns: 'interval', udp: 1_000, ping: 1_000, file: 1_000, negotiate: 0, external: 0, off: 0 },
    warmupMs: 'interval', // check_data.c: warmup defaults to the checker's delay_loop
    rise: 1, // keepalived has no rise/fall for checkers: one result changes the state
    fall: 1,
    quorum: 1, // alloc_vs
    hysteresis: 0,
    httpStatus: [200, 299], // HTTP_DEFAULT_STATUS_CODE_MIN/MAX (check_http.h)
    httpVersion: '1.0', // alloc_http_get: HTTP_PROTOCOL_1_0
    smtpHelo: 'smtpchecker.keepalived.org', // SMTP_DEFAULT_HELO (check_smtp.h)
    dnsType: 'SOA', // DNS_DEFAULT_TYPE (check_dns.h)
    dnsName: '.', // DNS_DEFAULT_NAME "": the root
    udpMinReply: 0, // udp_check_handler
    udpMaxReply: 255, // udp_check_handler: UINT8_MAX
  },
  tracking: {
    scriptIntervalMs: 1_000, // VRRP_SCRIPT_DI (vrrp_track.h)
    scriptWeight: 0, // VRRP_SCRIPT_DW
    rise: 1, // alloc_vrrp_script
    fall: 1,
    fileWeight: 1, // track_file.c track_file_handler
    fileInit: 0, // track_file_init_handler
    processWeight: 0, // alloc_vrrp_process leaves 0 (keepalived.conf(5) 2.2.7 says 1; the code runs 0)
    processQuorum: 1, // alloc_vrrp_process
  },
};

/** lvsd's native defaults: fast failover (3 × 50 ms + skew ≤ 200 ms on kill -9), RFC 9568 checksums. */
const NATIVE: FormatDefaults = {
  ...KEEPALIVED,
  vrrpVersion: 3,
  advertIntervalCs: 5,
  v3Checksum: 'rfc9568',
  forward: 'route',
  // Native checks: detect a dead server within a few seconds on a LAN (conf/README.md).
  checks: {
    ...KEEPALIVED.checks,
    intervalMs: 2_000,
    timeoutMs: 1_000,
    retries: { tcp: 0, http: 0, misc: 0, smtp: 0, dns: 0, udp: 0, ping: 0, file: 0, negotiate: 0, external: 0, off: 0 },
    retryDelayMs: { tcp: 500, http: 500, misc: 500, smtp: 500, dns: 500, udp: 500, ping: 500, file: 500, negotiate: 0, external: 0, off: 0 },
    httpVersion: '1.1',
  },
};

/** ldirectord(8): scheduler "Default: wrr", forwardingmethod "Default: gate"; no VRRP of its own. */
const LDIRECTORD: FormatDefaults = { ...KEEPALIVED, scheduler: 'wrr', forward: 'route' };

const BY_FORMAT: Readonly<Record<ConfigFormat, FormatDefaults>> = {
  native: NATIVE,
  keepalived: KEEPALIVED,
  ldirectord: LDIRECTORD,
  heartbeat: LDIRECTORD,
};

export function defaultsFor(format: ConfigFormat): FormatDefaults {
  return BY_FORMAT[format];
}

/**
 * ldirectord 4.12 directive defaults (ldirectord.in: set_defaults, and the per-virtual values
 * set where a `virtual=` line is read). The two timeouts default to each other first; these
 * apply only when neither is written anywhere (src/config/ldirectord/README.md, "Timeouts").
 */
export const LDIRECTORD_DIRECTIVES = {
  checkIntervalS: 10,
  checkTimeoutS: 5,
  negotiateTimeoutS: 30,
  checkCount: 1,
  failureCount: 1,
  /** The manual says yes; the code has defaulted to no since 2009. */
  quiescent: false,
  readdQuiescent: false,
  cleanStop: true,
  autoreload: false,
  fork: false,
  supervised: false,
  logFile: '/var/log/ldirectord.log',
  emailAlertFreqS: 0,
  emailAlertStatus: ['starting', 'running', 'stopping', 'reloading'] as const,
  checkType: 'negotiate',
  protocol: 'tcp',
  scheduler: 'wrr',
  request: '/',
  httpMethod: 'GET',
  checkCommand: '/bin/true',
  weight: 1,
  /** fallback= without a forwarding method. */
  fallbackForward: 'route',
  /** ftp / sip credentials set when service= is written and login/passwd are still empty ("@" + the host name follows). */
  ftpLogin: 'anonymous',
  agentUser: 'ldirectord',
} as const;

/**
 * heartbeat 3.0.6 ha.cf defaults (heartbeat/config.c init_config) and lvsd's mapping of a
 * heartbeat directory onto VRRP (src/config/heartbeat/README.md).
 */
export const HEARTBEAT_DEFAULTS = {
  keepaliveMs: 1_000,
  deadtimeMs: 30_000,
  udpPort: 694,
  autoFailback: 'legacy',
  /** VRRP priority of a resource group's preferred node (the first word of its haresources line). */
  preferredPriority: 200,
  /** VRRP priority of the first other node in ha.cf order; the next ones count down from it. */
  otherPriority: 100,
  /** VRID of the first haresources line; the next lines count up from it. */
  firstVrid: 1,
  /** LVSSyncDaemonSwap without an interface or sync id (its script's own defaults). */
  syncInterface: 'eth0',
  syncId: 0,
  /** Gratuitous ARPs at takeover as heartbeat's IPaddr2 sends them (send_arp: 5, 200 ms apart, once). */
  garp: { masterDelayMs: 0, masterRepeat: 5, masterRefreshMs: 0, refreshRepeat: 1, intervalMs: 200 },
} as const;
