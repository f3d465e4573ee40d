/**
 * IPVS generic netlink constants (include/uapi/linux/ip_vs.h, Debian linux-source-6.1 6.1.192)
 * and the request vocabulary shared by the encoder (family.ts) and decoder (family-decode.ts).
 */
import type { DestId, IpvsDaemon, IpvsDest, IpvsService, IpvsTimeouts, ServiceId, UnknownAttr } from './types.js';

export const IPVS_GENL_NAME = 'IPVS'; // IPVS_GENL_NAME
export const IPVS_GENL_VERSION = 1; // IPVS_GENL_VERSION

/** enum IPVS_CMD_* (ipvsadm calls 12/13 SET_TIMEOUT/GET_TIMEOUT). */
export const Cmd = {
  NEW_SERVICE: 1, SET_SERVICE: 2, DEL_SERVICE: 3, GET_SERVICE: 4,
  NEW_DEST: 5, SET_DEST: 6, DEL_DEST: 7, GET_DEST: 8,
  NEW_DAEMON: 9, DEL_DAEMON: 10, GET_DAEMON: 11,
  SET_CONFIG: 12, GET_CONFIG: 13, SET_INFO: 14, GET_INFO: 15, ZERO: 16, FLUSH: 17,
} as const;
export type CmdName = keyof typeof Cmd;

/** IPVS_CMD_ATTR_* (top level). GET_INFO replies reuse 1/2 for IPVS_INFO_ATTR_*. */
export const CmdAttr = { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 } as const;
export const InfoAttr = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;
/** IPVS_SVC_ATTR_*. */
export const SvcAttr = {
  AF: 1, PROTOCOL: 2, ADDR: 3, PORT: 4, FWMARK: 5, SCHED_NAME: 6, FLAGS: 7, TIMEOUT: 8,
  NETMASK: 9, STATS: 10, PE_NAME: 11, STATS64: 12,
} as const;
/** IPVS_DEST_ATTR_*. */
export const DestAttr = {
  ADDR: 1, PORT: 2, FWD_METHOD: 3, WEIGHT: 4, U_THRESH: 5, L_THRESH: 6, ACTIVE_CONNS: 7,
  INACT_CONNS: 8, PERSIST_CONNS: 9, STATS: 10, ADDR_FAMILY: 11, STATS64: 12, TUN_TYPE: 13,
  TUN_PORT: 14, TUN_FLAGS: 15,
} as const;
/** IPVS_DAEMON_ATTR_*. */
export const DaemonAttr = {
  STATE: 1, MCAST_IFN: 2, SYNC_ID: 3, SYNC_MAXLEN: 4, MCAST_GROUP: 5, MCAST_GROUP6: 6, MCAST_PORT: 7, MCAST_TTL: 8,
} as const;
/** IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP. */
export const DAEMON_STATE = { master: 1, backup: 2 } as const;
/** IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN (each includes the NUL). */
export const NAME_MAXLEN = 16;

/** Highest attribute type the codec knows, per nest; anything above is kept as an UnknownAttr. */
export const KNOWN_MAX = { top: CmdAttr.TIMEOUT_UDP, service: SvcAttr.STATS64, dest: DestAttr.TUN_FLAGS, daemon: DaemonAttr.MCAST_TTL } as const;

/**
 * One IPVS request, by command. `unknownAttrs`: top-level attributes the codec does not know,
 * written back after the known ones.
 */
export type IpvsRequest = IpvsRequestBody & { readonly unknownAttrs?: readonly UnknownAttr[] };

type IpvsRequestBody =
  | { readonly cmd: 'NEW_SERVICE' | 'SET_SERVICE'; readonly service: IpvsService }
  | { readonly cmd: 'DEL_SERVICE'; readonly service: ServiceId }
  | { readonly cmd: 'GET_SERVICE' | 'ZERO'; readonly service?: ServiceId } // GET_SERVICE without service = dump
  | { readonly cmd: 'NEW_DEST' | 'SET_DEST'; readonly service: ServiceId; readonly dest: IpvsDest }
  | { readonly cmd: 'DEL_DEST'; readonly service: ServiceId; readonly dest: DestId }
  | { readonly cmd: 'GET_DEST'; readonly service: ServiceId }
  | { readonly cmd: 'NEW_DAEMON'; readonly daemon: IpvsDaemon }
  | { readonly cmd: 'DEL_DAEMON'; readonly state: 'master' | 'backup' }
  | { readonly cmd: 'SET_CONFIG'; readonly timeouts: IpvsTimeouts }
  | { readonly cmd: 'GET_DAEMON' | 'GET_CONFIG' | 'GET_INFO' | 'FLUSH' };

