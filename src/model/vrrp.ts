/**
 * The VRRP part of the model (types.ts holds the whole Config): instances, their VIPs, notify
 * scripts and gratuitous ARP settings, and sync groups.
 */
import type { Loc } from './loc.js';
import type { TrackRef } from './health.js';
import type { VirtualRoute, VirtualRule } from './routing.js';
import type { IpFamily } from './ip.js';

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
