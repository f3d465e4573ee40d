/**
 * Routes and ip rules a VRRP master installs (keepalived virtual_routes / virtual_rules), as
 * plain model data; src/config/keepalived/routes.ts reads them, src/net/routes.ts programs them.
 */
import type { Loc } from './loc.js';

/** A prefix: canonical address text and length. */
export interface IpPrefix {
  readonly address: string;
  readonly len: number;
}

/**
 * A route the master installs and a backup removes (keepalived virtual_routes, vrrp_iproute.c
 * alloc_route): `ip route add` of RTM_NEWROUTE with these fields. Numbers are the kernel's
 * (<linux/rtnetlink.h>): scope RT_SCOPE_*, table RT_TABLE_* or an id, protocol RTPROT_*.
 */
export interface VirtualRoute {
  readonly at: Loc;
  readonly family: 4 | 6;
  readonly type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
  readonly dst: IpPrefix;
  /** Preferred source address (RTA_PREFSRC; keepalived and ip: `src`). */
  readonly src?: string;
  /** Gateway (RTA_GATEWAY; `via`, or keepalived's deprecated `gw`). */
  readonly via?: string;
  readonly dev?: string;
  readonly scope: number;
  readonly table: number;
  /** RTA_PRIORITY (`metric`, `priority`, `preference`). */
  readonly metric?: number;
  readonly protocol: number;
  readonly onlink: boolean;
}

/** An ip rule the master installs and a backup removes (keepalived virtual_rules, vrrp_iprule.c): lookup `table`. */
export interface VirtualRule {
  readonly at: Loc;
  readonly family: 4 | 6;
  readonly from?: IpPrefix;
  readonly to?: IpPrefix;
  readonly table: number;
  /** FRA_PRIORITY (`priority`, `preference`, `order`); absent = the kernel picks. */
  readonly priority?: number;
  readonly fwmark?: number;
  readonly fwmask?: number;
  readonly iif?: string;
  readonly oif?: string;
  readonly protocol: number;
}

/**
 * keepalived static_ipaddress (vrrp_ipaddress.c alloc_ipaddress with static_addr): an address
 * added when lvsd starts, whatever the VRRP state, and removed when it stops.
 */
export interface StaticAddress {
  readonly at: Loc;
  readonly address: string;
  readonly family: 4 | 6;
  readonly prefix: number;
  /** As written, else global_defs default_interface, else eth0 (keepalived DFLT_INT). */
  readonly dev: string;
  readonly label?: string;
  /** ifa_scope, RT_SCOPE_* (0 global, 253 link, 254 host ...). */
  readonly scope: number;
}

/**
 * keepalived static_ipaddress / static_routes / static_rules (vrrp_daemon.c start_vrrp,
 * stop_vrrp): added in that order when lvsd starts, removed in the reverse order when it stops.
 */
export interface StaticNet {
  readonly addresses: readonly StaticAddress[];
  readonly routes: readonly VirtualRoute[];
  readonly rules: readonly VirtualRule[];
}
