/**
 * The one typed configuration model. Every front-end (native, keepalived.conf, ldirectord.cf)
 * produces a `Config`; the director consumes only this. Plain readonly data; every node
 * carries the location it came from so a later check can cite it. The parts live beside it
 * (vrrp.ts, health.ts, routing.ts, ldirectord.ts, loc.ts) and are re-exported here.
 */
import type { IpFamily } from './ip.js';
import type { Loc } from './loc.js';
import type { RealServerHealth, ServiceHealth, Tracking } from './health.js';
import type { LdirectordServiceSettings, LdirectordSettings } from './ldirectord.js';
import type { StaticNet } from './routing.js';
import type { VrrpInstance, VrrpSyncGroup } from './vrrp.js';

export type * from './loc.js';
export type * from './health.js';
export type * from './ldirectord.js';
export type * from './routing.js';
export type * from './vrrp.js';

export type { IpFamily } from './ip.js';

// ---------------------------------------------------------------- IPVS

export type L4Protocol = 'tcp' | 'udp' | 'sctp';
export type ForwardMethod = 'route' | 'masq' | 'tunnel';
export type TunnelType = 'ipip' | 'gue' | 'gre';

export interface TunnelSettings {
  readonly type: TunnelType;
  readonly port?: number; // gue only
  readonly checksum?: 'nocsum' | 'csum' | 'remcsum';
}

export interface RealServer {
  readonly at: Loc;
  readonly family: IpFamily;
  readonly address: string;
  readonly port: number; // for route/tunnel forced to the service port unless fwmark
  readonly forward: ForwardMethod;
  readonly weight: number; // 0..65535 (quiescent = 0)
  readonly upperThreshold: number; // 0 = unlimited
  readonly lowerThreshold: number;
  readonly tunnel?: TunnelSettings;
  /** Health checks; absent = always up (src/model/health.ts). */
  readonly health?: RealServerHealth;
}

/** Service identity: either protocol+address+port, or fwmark (+ family). */
export type ServiceKey =
  | { readonly kind: 'addr'; readonly family: IpFamily; readonly protocol: L4Protocol; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly family: IpFamily; readonly fwmark: number };

export interface Persistence {
  readonly timeoutS: number;
  /** IPv4: dotted netmask text ("255.255.255.0"); IPv6: prefix length 1..128. */
  readonly netmask: string | number;
}

export interface VirtualService {
  readonly at: Loc;
  readonly key: ServiceKey;
  readonly scheduler: string; // rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos
  /** Scheduler flags by name: sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3 */
  readonly schedFlags: readonly string[];
  readonly persistence?: Persistence;
  readonly onePacket: boolean;
  /** ldirectord directives of this service that only the daemon uses; absent for other formats. */
  readonly ldirectord?: LdirectordServiceSettings;
  readonly pe?: string; // persistence engine ("sip")
  readonly reals: readonly RealServer[];
  /** Quorum settings; absent = no checks configured on any real server. */
  readonly health?: ServiceHealth;
  /**
   * In the table, instead of the real servers, while the service has lost its quorum
   * (ServiceHealth; with the default quorum 1: while no real server is up). keepalived
   * sorry_server, ldirectord fallback. keepalived 2.2.7 ipwrapper.c update_quorum_state.
   */
  readonly sorry?: SorryServer;
}

export interface SorryServer {
  readonly server: RealServer;
  /** Keep it in the table at weight 0 while real servers are up (keepalived sorry_server_inhibit). */
  readonly inhibit: boolean;
}

// ---------------------------------------------------------------- IPVS sync daemon

/**
 * Which kernel sync daemons run (net/netfilter/ipvs/ip_vs_sync.c): `follow` runs the master
 * on the VRRP master of `instance` and the backup everywhere else (keepalived's
 * `lvs_sync_daemon IF INSTANCE`); `both` runs master and backup on every director
 * (active-active; keepalived's `lvs_sync_daemon IF` without an instance).
 */
export type SyncMode =
  | { readonly kind: 'follow'; readonly instance: string }
  | { readonly kind: 'both' };

export interface SyncDaemonSettings {
  readonly at: Loc;
  readonly mode: SyncMode;
  /** Interface the sync messages are sent and received on. */
  readonly interface: string;
  /** 0..255; a backup with 0 accepts every sync id. */
  readonly syncId: number;
  /** UDP payload size; absent = the kernel's choice from the interface MTU. */
  readonly maxLen?: number;
  /** Multicast group, IPv4 or IPv6. */
  readonly group: string;
  readonly port: number;
  readonly ttl: number;
}

// ---------------------------------------------------------------- whole config

export type ConfigFormat = 'native' | 'keepalived' | 'ldirectord' | 'heartbeat';

export interface IpvsSettings {
  /** Which IPVS backend: netlink, ipvsadm, or auto (netlink, else ipvsadm). */
  readonly backend: 'auto' | 'netlink' | 'ipvsadm';
  /** Own the whole IPVS table (delete services not in the config); default false. */
  readonly ownWholeTable: boolean;
  /** Remove our services on graceful stop. */
  readonly cleanStop: boolean;
  /**
   * Connection timeouts set in the kernel once the table is first programmed (keepalived
   * lvs_timeouts; IPVS_CMD_SET_CONFIG). A timeout not given is left as the kernel has it.
   * Absent = lvsd leaves all three alone.
   */
  readonly timeouts?: IpvsConnTimeouts;
}

/** IPVS connection timeouts in seconds (ipvsadm --set TCP TCPFIN UDP); absent = unchanged. */
export interface IpvsConnTimeouts {
  readonly tcpS?: number;
  readonly tcpFinS?: number;
  readonly udpS?: number;
}

export interface Config {
  readonly path: string;
  readonly format: ConfigFormat;
  readonly routerId: string;
  /** ldirectord.cf global directives only the daemon uses (formats ldirectord, heartbeat). */
  readonly ldirectord?: LdirectordSettings;
  readonly vrrp: readonly VrrpInstance[];
  readonly syncGroups: readonly VrrpSyncGroup[];
  readonly services: readonly VirtualService[];
  readonly ipvs: IpvsSettings;
  /** vrrp_script / track_file / vrrp_track_process definitions. */
  readonly tracking?: Tracking;
  /** The kernel IPVS sync daemon; absent = lvsd leaves it alone. */
  readonly sync?: SyncDaemonSettings;
  /** How scripts run (keepalived global_defs script_user, enable_script_security). Absent: defaults. */
  readonly scripts?: ScriptPolicy;
  /** FIFOs every VRRP state change is written to (keepalived notify_fifo, vrrp_notify_fifo). Absent = none. */
  readonly notifyFifos?: readonly NotifyFifo[];
  /** keepalived static_ipaddress / static_routes / static_rules; absent = none. */
  readonly statics?: StaticNet;
}

/**
 * A FIFO lvsd writes one line per VRRP event to, keepalived's format (vrrp_notify.c
 * notify_fifo): `INSTANCE "VI_1" MASTER 100` or `GROUP "G" BACKUP 0`, states MASTER, BACKUP,
 * FAULT, STOP, and MASTER_PRIORITY / BACKUP_PRIORITY for priority changes. Created (mode 0644)
 * when missing and then removed on stop; `script` runs for as long as lvsd, with the FIFO's path
 * appended, to read it.
 */
export interface NotifyFifo {
  readonly at: Loc;
  /** keepalived's keyword: notify_fifo (shared with checker events there) or vrrp_notify_fifo. */
  readonly keyword: 'notify_fifo' | 'vrrp_notify_fifo';
  readonly path: string;
  readonly script?: readonly string[];
}

/**
 * The user every script runs as unless it names its own, and whether scripts are checked
 * first. keepalived 2.2.7 (lib/notify.c): without script_user, the user "keepalived_script"
 * if it exists, else the daemon's own (root). With `security`, a script run as root that a
 * non-root user could change (the file or any directory above it) is not run; without it,
 * keepalived runs it anyway and `keepalived -t` reports a SECURITY VIOLATION.
 */
export interface ScriptPolicy {
  readonly user?: string;
  readonly group?: string;
  readonly security: boolean;
}
