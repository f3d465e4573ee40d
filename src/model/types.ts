/**
 * The one typed configuration model. Every front-end (native, keepalived.conf, ldirectord.cf)
 * produces a `Config`; the director consumes only this. Plain readonly data; every node
 * carries the location it came from so a later check can cite it.
 */
import type { Loc } from './loc.js';
import type { RealServerHealth, ServiceHealth, TrackRef, Tracking } from './health.js';
import type { LdirectordServiceSettings, LdirectordSettings } from './ldirectord.js';
import type { StaticNet, VirtualRoute, VirtualRule } from './routing.js';

export type * from './loc.js';
export type * from './health.js';
export type * from './ldirectord.js';
export type * from './routing.js';

export type IpFamily = 4 | 6;

// ---------------------------------------------------------------- VRRP

/**
 * A VRRP instance's state at run time (RFC 5798 §6.4: Initialize, Backup, Master; FAULT is
 * keepalived's, for a tracked link or check down). Here because VRRP, connection sync and the
 * control protocol all speak of it.
 */
export type VrrpRole = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export type VrrpVersion = 2 | 3;

/**
 * How a VRRPv3-over-IPv4 checksum is computed when sending (docs/design.md "VRRPv3 checksums over IPv4").
 * 'pseudo': keepalived's default (IPv4 pseudo-header included);
 * 'rfc9568': message only. Receiving always accepts both.
 */
export type V3ChecksumMode = 'pseudo' | 'rfc9568';

export interface Vip {
  readonly address: string; // canonical text form (inet_ntop)
  readonly family: IpFamily;
  readonly prefix: number; // /32 or /128 when not given
  readonly dev?: string; // defaults to the instance interface
  readonly label?: string; // e.g. "eth0:0"
  readonly at: Loc;
}

export interface NotifyScripts {
  /** argv lists, run without a shell; first element is the program. */
  readonly master?: readonly string[];
  readonly backup?: readonly string[];
  readonly fault?: readonly string[];
  /** keepalived notify_stop: run when lvsd stops the instance (or group), after its VIPs are released. */
  readonly stop?: readonly string[];
  /** keepalived `notify`: called with TYPE NAME STATE PRIORITY appended. */
  readonly any?: readonly string[];
  readonly timeoutMs: number;
}

export interface GarpSettings {
  /** Delay before the second burst after becoming master (keepalived garp_master_delay, 5 s). 0 = none. */
  readonly masterDelayMs: number;
  /** Packets per burst (keepalived garp_master_repeat, 5). */
  readonly masterRepeat: number;
  /** Periodic refresh while master; 0 = off (keepalived garp_master_refresh). */
  readonly masterRefreshMs: number;
  /** Packets per refresh (garp_master_refresh_repeat, 1). */
  readonly refreshRepeat: number;
  /** Gap between packets of one burst (vrrp_garp_interval / vrrp_gna_interval). */
  readonly intervalMs: number;
  /**
   * While master, on a lower-priority advert: packets re-announced at once, and again
   * `lowerPrioDelayMs` later (0 = not again). keepalived garp_lower_prio_repeat /
   * garp_lower_prio_delay (vrrp.c vrrp_state_master_rx). Absent or 0 = none.
   */
  readonly lowerPrioRepeat?: number;
  readonly lowerPrioDelayMs?: number;
}

export interface VrrpInstance {
  readonly name: string;
  readonly at: Loc;
  readonly version: VrrpVersion;
  readonly family: IpFamily;
  readonly interface: string;
  readonly vrid: number; // 1..255
  readonly priority: number; // 1..255; 255 = address owner
  /** Advertisement interval in centiseconds (v2 sends whole seconds; see codec). */
  readonly advertIntervalCs: number;
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly vips: readonly Vip[];
  /**
   * keepalived virtual_ipaddress_excluded: added and removed with the VIPs (and announced with
   * them), but not in the adverts nor compared with a received advert's list; either family.
   * Absent = none.
   */
  readonly excludedVips?: readonly Vip[];
  /**
   * keepalived use_vmac [NAME] / vmac_xmit_base: a macvlan (mode private) over `interface` with
   * the VRRP MAC 00-00-5E-00-01-VRID (RFC 5798 §7.3), created at start and removed on stop; the
   * VIPs (without their own dev) go on it and are announced from it; adverts leave from it, or
   * from `interface` with `xmitBase`. IPv4 only here. Absent = no virtual MAC.
   */
  readonly vmac?: { readonly ifname: string; readonly xmitBase: boolean };
  /** keepalived virtual_routes / virtual_rules: added after the VIPs on MASTER, removed before them. Absent = none. */
  readonly routes?: readonly VirtualRoute[];
  readonly rules?: readonly VirtualRule[];
  /**
   * Source address of every advert, multicast or unicast (keepalived `mcast_src_ip` and
   * `unicast_src_ip` set this one address, vrrp_parser.c vrrp_srcip_handler); absent = the
   * interface's primary IPv4 / IPv6 link-local address.
   */
  readonly unicastSrc?: string;
  readonly unicastPeers: readonly string[];
  /** v2 simple password (keepalived auth_type PASS), at most 8 bytes. */
  readonly authPass?: string;
  /**
   * Interfaces whose loss puts the instance in FAULT (keepalived track_interface entries with
   * weight 0 and no reverse, its default); the link tracker watches them with `interface`.
   */
  readonly trackInterfaces: readonly string[];
  /**
   * Everything else the instance itself tracks: scripts, files, processes and weighted (or
   * reversed) interfaces, each with its effective weight (src/model/health.ts TrackRef). Its
   * sync group's entries are in VrrpSyncGroup.tracks. Absent = none.
   */
  readonly tracks?: readonly TrackRef[];
  readonly notify: NotifyScripts;
  readonly garp: GarpSettings;
  readonly v3Checksum: V3ChecksumMode;
  /** Name of the vrrp_sync_group this instance belongs to, if any. */
  readonly syncGroup?: string;
  /**
   * keepalived skip_check_adv_addr (or global vrrp_skip_check_adv_addr): in BACKUP, an advert
   * from the same address as the previous one is not checked against the VIP list
   * (keepalived 2.2.7 vrrp.c vrrp_state_backup). Absent = always checked.
   */
  readonly skipCheckAdvAddr?: true;
  /**
   * keepalived notify_priority_changes (instance, else its sync group's, else global
   * vrrp_notify_priority_changes): each change of the effective priority is written to the
   * notify FIFOs as `INSTANCE "NAME" MASTER_PRIORITY|BACKUP_PRIORITY PRIO`. Absent = not written.
   */
  readonly notifyPriorityChanges?: true;
  /** keepalived lower_prio_no_advert: a master does not answer a lower-priority advert with its own (RFC 5798 behaviour). */
  readonly lowerPrioNoAdvert?: true;
  /** keepalived higher_prio_send_advert: a master sends one advert before it yields to a higher-priority one. */
  readonly higherPrioSendAdvert?: true;
}

export interface VrrpSyncGroup {
  readonly name: string;
  readonly at: Loc;
  readonly members: readonly string[];
  readonly notify: NotifyScripts;
  /** keepalived track_script / track_interface / track_file / track_process inside the group: apply to every member. */
  readonly tracks?: readonly TrackRef[];
  /** keepalived sync_group_tracking_weight: members keep their weighted tracks (otherwise weights are dropped). */
  readonly trackingWeight?: boolean;
}

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
