/**
 * Every default of the configuration model, per front-end format. This is the ONLY place
 * defaults live (STYLE.md "Configuration"); a default fills a value that was not written,
 * never one that was written wrongly.
 */
import type { ConfigFormat, ForwardMethod, GarpSettings, IpvsSettings, V3ChecksumMode, VrrpVersion } from './types.js';

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
};

/** lvsd's native defaults: fast failover (3 × 50 ms + skew ≤ 200 ms on kill -9), RFC 9568 checksums. */
const NATIVE: FormatDefaults = {
  routerId: '',
  vrrpVersion: 3,
  advertIntervalCs: 5,
  priority: 100,
  initialState: 'BACKUP',
  preempt: true,
  preemptDelayMs: 0,
  v3Checksum: 'rfc9568',
  garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, refreshRepeat: 1, intervalMs: 0 },
  notifyTimeoutMs: 10_000,
  scheduler: 'wlc',
  forward: 'route',
  weight: 1,
  persistenceTimeoutS: 360,
  persistenceNetmask4: '255.255.255.255',
  persistenceNetmask6: 128,
  ipvs: { backend: 'auto', ownWholeTable: false, cleanStop: false },
  sync: SYNC,
};

/** ldirectord(8): scheduler "Default: wrr", forwardingmethod "Default: gate"; no VRRP of its own. */
const LDIRECTORD: FormatDefaults = { ...KEEPALIVED, scheduler: 'wrr', forward: 'route' };

const BY_FORMAT: Readonly<Record<ConfigFormat, FormatDefaults>> = {
  native: NATIVE,
  keepalived: KEEPALIVED,
  ldirectord: LDIRECTORD,
};

export function defaultsFor(format: ConfigFormat): FormatDefaults {
  return BY_FORMAT[format];
}
