/**
 * One table: (IPVS command, errno) → what it means for the operator. Sources: the handlers in
 * linux 6.1 net/netfilter/ipvs/ip_vs_ctl.c and ipvsadm 1.31's ipvs_strerror (libipvs/libipvs.c).
 * Also names the objects in messages (what, where, why; docs/design.md "Errors"):
 * `add real server 10.0.0.2:80 to TCP 192.0.2.10:80: no such virtual service (ESRCH)`.
 */
import { constants } from 'node:os';
import { KernelError } from '../errors.js';
import type { CmdName } from './family.js';
import { addrPort } from './address.js';
import { AF_INET6, type DestId, type IpvsDaemon, type IpvsOp, PROTOCOL_NAME, type ServiceId } from './types.js';

const E = constants.errno;

const BAD_DEST = 'invalid real server (address not unicast or not routable, threshold over INT_MAX, gue without port, or mixed family without tunnel)';

/** Per-command meanings first (ipvsadm keys its table by function the same way). */
const BY_CMD: Partial<Record<CmdName, Partial<Record<number, string>>>> = {
  NEW_SERVICE: {
    [E.EEXIST]: 'virtual service already exists', [E.ENOENT]: 'scheduler or persistence engine not found',
    [E.EINVAL]: 'invalid virtual service (e.g. IPv6 persistence prefix outside 1..128)',
  },
  SET_SERVICE: {
    [E.ESRCH]: 'no such virtual service', [E.ENOENT]: 'scheduler or persistence engine not found',
    [E.EINVAL]: 'invalid virtual service (e.g. IPv6 persistence prefix outside 1..128)',
  },
  DEL_SERVICE: { [E.ESRCH]: 'no such virtual service' },
  GET_SERVICE: { [E.ESRCH]: 'no such virtual service' },
  ZERO: { [E.ESRCH]: 'no such virtual service' },
  NEW_DEST: { [E.ESRCH]: 'no such virtual service', [E.EEXIST]: 'real server already exists', [E.EINVAL]: BAD_DEST },
  SET_DEST: { [E.ESRCH]: 'no such virtual service', [E.ENOENT]: 'no such real server', [E.EINVAL]: BAD_DEST },
  DEL_DEST: { [E.ESRCH]: 'no such virtual service', [E.ENOENT]: 'no such real server' },
  NEW_DAEMON: {
    [E.EEXIST]: 'sync daemon already running', [E.ENODEV]: 'no such interface',
    [E.EINVAL]: 'invalid sync daemon settings (non-multicast group, or mixed-family real servers exist)',
  },
  DEL_DAEMON: { [E.ESRCH]: 'no sync daemon is running' },
  SET_CONFIG: { [E.EINVAL]: 'timeout out of range' },
};

/** Any command. */
const ANY: Partial<Record<number, string>> = {
  [E.EPERM]: 'permission denied: CAP_NET_ADMIN in the initial user namespace is needed',
  [E.EINVAL]: 'invalid argument',
  [E.ERANGE]: 'value out of range (negative weight, or lower threshold above upper)',
  [E.EAFNOSUPPORT]: 'address family not supported (IPv6 disabled?)',
  [E.EOPNOTSUPP]: 'operation not supported by this kernel',
  [E.ENOPROTOOPT]: 'the IPVS module is being unloaded',
  [E.EBUSY]: 'another dump is running on this socket (retry)',
  [E.ENOMEM]: 'out of memory',
  [E.ETIMEDOUT]: 'no reply from the kernel within the timeout',
  [E.EPROTO]: 'undecodable reply from the kernel',
  [E.ENOENT]: 'no such object',
  [E.ESRCH]: 'no such object',
  [E.EEXIST]: 'already exists',
};

const NAME_OF = new Map<number, string>(Object.entries(E).map(([k, v]) => [v, k]));

/** errno (positive, src/errors.ts) → its name, e.g. 3 → "ESRCH". */
export function errnoName(errno: number): string {
  return NAME_OF.get(errno) ?? `E${errno}`;
}

/** errno name → number, e.g. "ESRCH" → 3; undefined for an unknown name. */
export function errnoNumber(name: string): number | undefined {
  return (E as Record<string, number | undefined>)[name];
}

/** What `errno` (positive) means for `cmd`. */
export function meaning(cmd: CmdName | undefined, errno: number): string {
  return (cmd ? BY_CMD[cmd]?.[errno] : undefined) ?? ANY[errno] ?? errnoName(errno);
}

/** A KernelError for `cmd` failing with `errno` (positive), e.g. op "add real server", target "10.0.0.2:80 to TCP 192.0.2.10:80". */
export function ipvsError(o: { cmd: CmdName | undefined; errno: number; op: string; target: string; syscall?: string; detail?: string; cause?: unknown }): KernelError {
  const n = o.errno;
  const base = meaning(o.cmd, n);
  return new KernelError({
    op: o.op, target: o.target, errno: n, code: errnoName(n), syscall: o.syscall ?? 'netlink',
    meaning: o.detail ? `${base}: ${o.detail}` : base, ...(o.cause !== undefined ? { cause: o.cause } : {}),
  });
}

// --------------------------------------------------------------- naming objects -----------


/** "TCP 192.0.2.10:80", "UDP [2001:db8::1]:53", "FWM 100", "FWM 100 IPv6" (ipvsadm's names). */
export function describeService(s: ServiceId): string {
  if (s.fwmark) return `FWM ${s.fwmark >>> 0}${s.af === AF_INET6 ? ' IPv6' : ''}`;
  return `${PROTOCOL_NAME[s.protocol] ?? `proto ${s.protocol}`} ${addrPort(s.af, s.addr, s.port)}`;
}

export function describeDest(d: DestId): string {
  return addrPort(d.af, d.addr, d.port);
}

export interface OpName { readonly cmd: CmdName; readonly op: string; readonly target: string }

/** Command, verb and object of one reconciler operation, for messages and logs. */
export function describeOp(op: IpvsOp): OpName {
  switch (op.op) {
    case 'add-service': return { cmd: 'NEW_SERVICE', op: 'add virtual service', target: describeService(op.service) };
    case 'edit-service': return { cmd: 'SET_SERVICE', op: 'edit virtual service', target: describeService(op.service) };
    case 'del-service': return { cmd: 'DEL_SERVICE', op: 'delete virtual service', target: describeService(op.service) };
    case 'add-dest': return { cmd: 'NEW_DEST', op: 'add real server', target: `${describeDest(op.dest)} to ${describeService(op.service)}` };
    case 'edit-dest': return { cmd: 'SET_DEST', op: 'edit real server', target: `${describeDest(op.dest)} of ${describeService(op.service)}` };
    case 'del-dest': return { cmd: 'DEL_DEST', op: 'delete real server', target: `${describeDest(op.dest)} from ${describeService(op.service)}` };
    default: {
      const never: never = op;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

export function describeDaemon(d: Pick<IpvsDaemon, 'state'> & Partial<IpvsDaemon>): string {
  return d.mcastIfn !== undefined ? `${d.state} on ${d.mcastIfn} (syncid ${d.syncId ?? 0})` : d.state;
}
