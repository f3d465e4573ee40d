/**
 * IPVS objects as the kernel sees them (include/uapi/linux/ip_vs.h, kernel 6.1).
 * These are the vocabulary shared by the netlink family codec, the ipvsadm backend,
 * the reconciler and the ipvsadm-identical formatter. Addresses are canonical text
 * (inet_ntop form); ports are numbers in host order (the codec handles byte order).
 */
import type { KernelError } from '../errors.js';

export type AddressFamily = 2 | 10; // AF_INET, AF_INET6
export const AF_INET = 2 as const;
export const AF_INET6 = 10 as const;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;
/** ipvsadm's name of each protocol ("TCP") and its service option ("-t"), ipvsadm 1.31 ipvsadm.c. */
export const PROTOCOL_NAME: Readonly<Record<number, string>> = { [IPPROTO_TCP]: 'TCP', [IPPROTO_UDP]: 'UDP', [IPPROTO_SCTP]: 'SCTP' };
export const PROTOCOL_OPTION: Readonly<Record<number, string>> = { [IPPROTO_TCP]: '-t', [IPPROTO_UDP]: '-u', [IPPROTO_SCTP]: '--sctp-service' };

/** Service flags (IP_VS_SVC_F_*). */
export const SVC_F_PERSISTENT = 0x0001;
export const SVC_F_HASHED = 0x0002; // kernel-internal, always set in dumps: mask before diffing
export const SVC_F_ONEPACKET = 0x0004;
export const SVC_F_SCHED1 = 0x0008; // sh-fallback / mh-fallback
export const SVC_F_SCHED2 = 0x0010; // sh-port / mh-port
export const SVC_F_SCHED3 = 0x0020;

/** Forwarding methods (IP_VS_CONN_F_*, low 3 bits). */
export const FWD_MASQ = 0;
export const FWD_LOCALNODE = 1;
export const FWD_TUNNEL = 2;
export const FWD_DROUTE = 3;
export const FWD_BYPASS = 4;

export const TUN_TYPE_IPIP = 0;
export const TUN_TYPE_GUE = 1;
export const TUN_TYPE_GRE = 2;
export const TUN_F_NOCSUM = 0;
export const TUN_F_CSUM = 1;
export const TUN_F_REMCSUM = 2;

export interface IpvsStats {
  conns: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inBytes: bigint;
  outBytes: bigint;
  cps: bigint;
  inPps: bigint;
  outPps: bigint;
  inBps: bigint;
  outBps: bigint;
}

/**
 * A netlink attribute the codec does not know (a newer kernel's or tool's), kept as it came:
 * its type with the NLA_F_* bits as sent, and its payload as hex. The encoder writes it back
 * after the known attributes of the same nest (those come out in libipvs order), so
 * decode → encode loses nothing. Never compared by the reconciler.
 */
export interface UnknownAttr {
  readonly type: number;
  readonly hex: string;
}

/** Identity of a service: AF + (fwmark | protocol+addr+port). */
export interface ServiceId {
  readonly af: AddressFamily;
  readonly protocol: number; // 0 for fwmark services
  readonly addr: string; // "" / "0.0.0.0" / "::" for fwmark services
  readonly port: number;
  readonly fwmark: number; // 0 = not a fwmark service
}

/** A whole service, as NEW_SERVICE / SET_SERVICE need it. */
export interface IpvsService extends ServiceId {
  readonly sched: string;
  /** flags with HASHED already masked out. */
  readonly flags: number;
  readonly timeout: number; // persistence timeout, seconds
  /** IPv4: the mask as a u32 in host order of its dotted form (0xffffffff = /32); IPv6: prefix length. */
  readonly netmask: number;
  readonly pe?: string;
  readonly stats?: IpvsStats; // dumps only
  readonly unknownAttrs?: readonly UnknownAttr[];
}

export interface DestId {
  readonly af: AddressFamily;
  readonly addr: string;
  readonly port: number;
}

export interface IpvsDest extends DestId {
  readonly fwd: number; // FWD_*
  readonly weight: number;
  readonly uThresh: number;
  readonly lThresh: number;
  readonly tunType: number; // TUN_TYPE_*
  readonly tunPort: number;
  readonly tunFlags: number; // TUN_F_*
  // dumps only:
  readonly activeConns?: number;
  readonly inactConns?: number;
  readonly persistConns?: number;
  readonly stats?: IpvsStats;
  readonly unknownAttrs?: readonly UnknownAttr[];
}

export interface IpvsServiceWithDests {
  readonly service: IpvsService;
  readonly dests: readonly IpvsDest[];
}

export interface IpvsDaemon {
  readonly state: 'master' | 'backup';
  readonly mcastIfn: string;
  readonly syncId: number;
  readonly maxLen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
  readonly unknownAttrs?: readonly UnknownAttr[];
}

export interface IpvsTimeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface IpvsInfo {
  readonly version: number; // 0x010201 → "1.2.1"
  readonly connTabSize: number;
}

/** One reconciler operation; applied in order. */
export type IpvsOp =
  | { readonly op: 'add-service'; readonly service: IpvsService }
  | { readonly op: 'edit-service'; readonly service: IpvsService }
  | { readonly op: 'del-service'; readonly service: ServiceId }
  | { readonly op: 'add-dest'; readonly service: ServiceId; readonly dest: IpvsDest }
  | { readonly op: 'edit-dest'; readonly service: ServiceId; readonly dest: IpvsDest }
  | { readonly op: 'del-dest'; readonly service: ServiceId; readonly dest: DestId };

/** Outcome of one operation of a batch; `error` is a KernelError when the kernel refused it. */
export interface IpvsOpOutcome {
  readonly op: IpvsOp;
  readonly error?: KernelError;
}

/**
 * The backend contract, implemented by the netlink client, the ipvsadm fallback and the
 * in-memory kernel of the unit tests (memory-backend.ts).
 * Every method rejects with a KernelError (src/errors.ts) naming the object and errno.
 */
export interface IpvsBackend {
  readonly kind: 'netlink' | 'ipvsadm' | 'memory';
  info(): Promise<IpvsInfo>;
  /** Services with their destinations (stats included). */
  dump(): Promise<IpvsServiceWithDests[]>;
  /**
   * The destinations of one service, in the kernel's order (one GET_DEST dump): what a health
   * change needs instead of the whole dump. Optional (ipvsadm has none). A 6.1 kernel answers
   * an absent service with no destinations, so callers must not read [] as "present".
   */
  dests?(service: ServiceId): Promise<IpvsDest[]>;
  apply(op: IpvsOp): Promise<void>;
  /**
   * Added for the netlink/ipvsadm backends: apply `ops` in order as fast as the backend can
   * (pipelined netlink requests; one `ipvsadm -R`). A refused op does not stop the others;
   * resolves with one outcome per op. Optional: callers fall back to apply() in a loop.
   */
  applyBatch?(ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]>;
  flush(): Promise<void>;
  zero(service?: ServiceId): Promise<void>;
  getTimeouts(): Promise<IpvsTimeouts>;
  setTimeouts(t: IpvsTimeouts): Promise<void>;
  getDaemons(): Promise<IpvsDaemon[]>;
  startDaemon(d: IpvsDaemon): Promise<void>;
  stopDaemon(state: 'master' | 'backup'): Promise<void>;
  close(): void;
}
