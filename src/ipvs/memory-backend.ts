/**
 * An IpvsBackend held in memory that answers as the kernel does (net/netfilter/ipvs/ip_vs_ctl.c,
 * Linux 6.1), for unit tests of everything above the backend (IpvsManager, the director, later
 * the health engine) without root or an IPVS kernel:
 *  - NEW_SERVICE / NEW_DEST of an existing object: EEXIST (ip_vs_add_service, ip_vs_add_dest);
 *  - any command naming a missing service: ESRCH (ip_vs_genl_set_cmd's service lookup);
 *  - SET_DEST / DEL_DEST of a missing destination: ENOENT (ip_vs_edit_dest, ip_vs_del_dest);
 *  - a scheduler or persistence engine that is not loaded: ENOENT (ip_vs_scheduler_get, ip_vs_pe_getbyname);
 *  - a negative weight or a lower threshold above the upper one: ERANGE (ip_vs_add_dest / ip_vs_edit_dest);
 *  - an IPv6 persistence prefix outside 1..128: EINVAL;
 *  - starting a sync daemon already running: EEXIST; stopping one that is not: ESRCH.
 * Dumps are what the kernel reports: flags with HASHED (0x2) set, every counter and rate zero
 * (no traffic goes through memory), destinations newest first (list_add_rcu in
 * __ip_vs_update_dest prepends; the reconciler's `mh` ordering relies on it). Services come
 * out in the order they were added, where the kernel walks its hash tables: compare tables by
 * identity, not by service order. Errors are the same KernelErrors as the netlink client's
 * (errno.ts), so messages read the same.
 */
import type { KernelError } from '../errors.js';
import { SCHEDULERS } from '../model/index.js';
import { describeDaemon, describeOp, describeService, errnoNumber, ipvsError } from './errno.js';
import { destKey, serviceKey } from './reconcile.js';
import {
  AF_INET6, SVC_F_HASHED, SVC_F_PERSISTENT, TUN_TYPE_GUE,
  type IpvsBackend, type IpvsDaemon, type IpvsDest, type IpvsInfo, type IpvsOp, type IpvsOpOutcome,
  type IpvsService, type IpvsServiceWithDests, type IpvsStats, type IpvsTimeouts, type ServiceId,
} from './types.js';

const errno = (name: string): number => errnoNumber(name) ?? 22;
const EEXIST = errno('EEXIST');
const ESRCH = errno('ESRCH');
const ENOENT = errno('ENOENT');
const ERANGE = errno('ERANGE');
const EINVAL = errno('EINVAL');
const EBADF = errno('EBADF');

/** Persistence engines in 6.1: ip_vs_pe_sip only. */
const PERSISTENCE_ENGINES: readonly string[] = ['sip'];
/** ip_vs_proto_tcp.c / ip_vs_proto_udp.c defaults: established 15 min, fin-wait 2 min, udp 5 min. */
const DEFAULT_TIMEOUTS: IpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };

export interface MemoryIpvsOptions {
  /** Scheduler modules the "kernel" has (default: all of 6.1's). Others answer ENOENT. */
  readonly schedulers?: readonly string[];
  /** A starting table, as dump() would return it (HASHED and stats ignored). */
  readonly table?: readonly IpvsServiceWithDests[];
}

interface Entry {
  service: IpvsService;
  /** Newest first, as the kernel's list. */
  dests: IpvsDest[];
}

/** One applied or refused operation, in call order (errno 0 = applied). */
export interface MemoryOpRecord {
  readonly op: IpvsOp;
  readonly errno: number;
}

export class MemoryIpvsBackend implements IpvsBackend {
  readonly kind = 'memory' as const;
  private readonly table = new Map<string, Entry>();
  private readonly daemons = new Map<'master' | 'backup', IpvsDaemon>();
  private readonly schedulers: ReadonlySet<string>;
  private timeouts: IpvsTimeouts = DEFAULT_TIMEOUTS;
  private closed = false;
  /** Every apply()/applyBatch() operation with its outcome. */
  readonly history: MemoryOpRecord[] = [];

  constructor(o: MemoryIpvsOptions = {}) {
    this.schedulers = new Set(o.schedulers ?? SCHEDULERS);
    for (const s of o.table ?? []) {
      this.table.set(serviceKey(s.service), { service: settled(s.service), dests: s.dests.map(settledDest) });
    }
  }

  async info(): Promise<IpvsInfo> {
    this.live('query', 'IPVS info');
    return { version: 0x010201, connTabSize: 4096 };
  }

  async dump(): Promise<IpvsServiceWithDests[]> {
    this.live('list', 'virtual services');
    return [...this.table.values()].map((e) => ({
      service: { ...e.service, flags: e.service.flags | SVC_F_HASHED, stats: zeroStats() },
      dests: e.dests.map((d) => ({ ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats() })),
    }));
  }

  /** An absent service has no destinations (as the 6.1 kernel's GET_DEST dump answers). */
  async dests(service: ServiceId): Promise<IpvsDest[]> {
    this.live('list real servers of', describeService(service));
    return (this.table.get(serviceKey(service))?.dests ?? []).map((d) => ({ ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats() }));
  }

  async apply(op: IpvsOp): Promise<void> {
    const err = this.applyOne(op);
    if (err !== undefined) throw err;
  }

  async applyBatch(ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]> {
    return ops.map((op) => {
      const error = this.applyOne(op);
      return error === undefined ? { op } : { op, error };
    });
  }

  async flush(): Promise<void> {
    this.live('flush', 'the IPVS table');
    this.table.clear();
  }

  async zero(service?: ServiceId): Promise<void> {
    const target = service ? describeService(service) : 'all virtual services';
    this.live('zero counters of', target);
    if (service && !this.table.has(serviceKey(service))) throw ipvsError({ cmd: 'ZERO', errno: ESRCH, op: 'zero counters of', target });
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    this.live('get', 'timeouts');
    return this.timeouts;
  }

  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    this.live('set', 'timeouts');
    // 0 leaves a timeout as it is (ip_vs_set_timeout)
    this.timeouts = { tcp: t.tcp || this.timeouts.tcp, tcpFin: t.tcpFin || this.timeouts.tcpFin, udp: t.udp || this.timeouts.udp };
  }

  async getDaemons(): Promise<IpvsDaemon[]> {
    this.live('list', 'sync daemons');
    return [...this.daemons.values()];
  }

  async startDaemon(d: IpvsDaemon): Promise<void> {
    const what = { op: 'start sync daemon', target: describeDaemon(d) };
    this.live(what.op, what.target);
    if (this.daemons.has(d.state)) throw ipvsError({ cmd: 'NEW_DAEMON', errno: EEXIST, ...what });
    this.daemons.set(d.state, d);
  }

  async stopDaemon(state: 'master' | 'backup'): Promise<void> {
    this.live('stop sync daemon', state);
    if (!this.daemons.delete(state)) throw ipvsError({ cmd: 'DEL_DAEMON', errno: ESRCH, op: 'stop sync daemon', target: state });
  }

  close(): void {
    this.closed = true;
  }

  /** EBADF after close(), as the netlink client answers. */
  private live(op: string, target: string): void {
    if (this.closed) throw ipvsError({ cmd: undefined, errno: EBADF, op, target, detail: 'socket closed' });
  }

  /** Carries out one operation; the KernelError the kernel would answer, or undefined. */
  private applyOne(op: IpvsOp): KernelError | undefined {
    const d = describeOp(op);
    this.live(d.op, d.target);
    const errno = this.change(op);
    this.history.push({ op, errno });
    return errno === 0 ? undefined : ipvsError({ ...d, errno });
  }

  /** 0 or the errno; the table changes only on 0. */
  private change(op: IpvsOp): number {
    const key = serviceKey(op.service);
    const entry = this.table.get(key);
    switch (op.op) {
      case 'add-service': {
        if (entry) return EEXIST;
        const bad = this.serviceProblem(op.service);
        if (bad) return bad;
        this.table.set(key, { service: settled(op.service), dests: [] });
        return 0;
      }
      case 'edit-service': {
        if (!entry) return ESRCH;
        const bad = this.serviceProblem(op.service);
        if (bad) return bad;
        entry.service = settled(op.service);
        return 0;
      }
      case 'del-service':
        return this.table.delete(key) ? 0 : ESRCH;
      case 'add-dest':
      case 'edit-dest':
        return entry ? putDest(entry, op.dest, op.op === 'add-dest') : ESRCH;
      case 'del-dest': {
        if (!entry) return ESRCH;
        const i = entry.dests.findIndex((x) => destKey(x) === destKey(op.dest));
        if (i < 0) return ENOENT;
        entry.dests.splice(i, 1);
        return 0;
      }
      default: {
        const never: never = op;
        throw new Error(`unknown op ${JSON.stringify(never)}`);
      }
    }
  }

  private serviceProblem(s: IpvsService): number {
    if (!this.schedulers.has(s.sched)) return ENOENT;
    if (s.pe && !PERSISTENCE_ENGINES.includes(s.pe)) return ENOENT;
    if (s.af === AF_INET6 && s.flags & SVC_F_PERSISTENT && (s.netmask < 1 || s.netmask > 128)) return EINVAL;
    return 0;
  }
}

/** ip_vs_add_dest / ip_vs_edit_dest: add prepends, edit keeps the place. */
function putDest(entry: Entry, dest: IpvsDest, add: boolean): number {
  if (dest.weight < 0 || dest.lThresh > dest.uThresh) return ERANGE;
  if ((dest.fwd & 7) === 2 && dest.tunType === TUN_TYPE_GUE && dest.tunPort === 0) return EINVAL;
  const i = entry.dests.findIndex((x) => destKey(x) === destKey(dest));
  if (add && i >= 0) return EEXIST;
  if (!add && i < 0) return ENOENT;
  if (add) entry.dests.unshift(settledDest(dest));
  else entry.dests[i] = settledDest(dest);
  return 0;
}

/** What the kernel keeps of a service: no HASHED, no stats. */
function settled(s: IpvsService): IpvsService {
  const { stats: _stats, ...rest } = s;
  return { ...rest, flags: s.flags & ~SVC_F_HASHED };
}

function settledDest(d: IpvsDest): IpvsDest {
  const { stats: _s, activeConns: _a, inactConns: _i, persistConns: _p, ...rest } = d;
  return { ...rest, fwd: d.fwd & 7 };
}

function zeroStats(): IpvsStats {
  return { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };
}
