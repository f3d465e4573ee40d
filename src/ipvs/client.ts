/**
 * IpvsBackend over generic netlink (npm `netlink` 0.3.0), one socket per process / netns.
 * - The family is resolved BY NAME (CTRL_CMD_GETFAMILY doit), which autoloads ip_vs.
 * - Requests go through the raw NetlinkSocket with checkError:false so the numeric errno
 *   survives (parseError; netlink 0.3.0's own checkError keeps it only as the text
 *   'Request rejected: ENOENT', lib/netlink.ts); every request has a timeout (client-exchange.ts).
 * - Requests are serialised by a promise queue (a second dump on the socket gives EBUSY);
 *   applyBatch sends many doit requests per datagram inside one queue slot (client-batch.ts):
 *   the kernel runs them in order in sendmsg context, so this changes nothing but the cost.
 */
import { createGenericNetlink, type GenericNetlinkSocket } from 'netlink';
import type { KernelError } from '../errors.js';
import { SerialQueue } from '../serial-queue.js';
import {
  Cmd, CmdAttr, decodeDaemon, decodeDest, decodeInfo, decodeService, decodeTimeouts,
  IPVS_GENL_NAME, opToRequest, topNest, type DecodeError, type IpvsRequest,
} from './family.js';
import { sendPipelined } from './client-batch.js';
import { RequestExchange, type Reply, type What } from './client-exchange.js';
import { resolveFamilyId } from './family-id.js';
import { describeDaemon, describeOp, describeService, errnoNumber, ipvsError } from './errno.js';
import type {
  IpvsBackend, IpvsDaemon, IpvsDest, IpvsInfo, IpvsOp, IpvsOpOutcome, IpvsService, IpvsServiceWithDests,
  IpvsTimeouts, ServiceId,
} from './types.js';

export interface NetlinkIpvsOptions {
  /** Per-request timeout (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Datagrams of 128 requests in flight during applyBatch (default 2; bounded by the socket receive buffer). */
  readonly window?: number;
}

const EPROTO = errnoNumber('EPROTO') ?? 71;
const EINVAL = errnoNumber('EINVAL') ?? 22;
const ENOENT = errnoNumber('ENOENT') ?? 2;

/** Room for applyBatch's error messages: SO_RCVBUF (the kernel doubles it, capped by net.core.rmem_max). */
function raiseRcvbuf(sock: GenericNetlinkSocket): Error | undefined {
  try {
    sock.socket.setRecvBufferSize(1 << 20);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e)); // the default buffer still works, with less headroom
  }
}

/** Open the netlink backend in the current network namespace. Rejects with KernelError ENOENT when IPVS is unavailable. */
export async function openNetlinkIpvs(opts: NetlinkIpvsOptions = {}): Promise<NetlinkIpvsClient> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const sock = createGenericNetlink();
  const family = await resolveFamilyId(sock, IPVS_GENL_NAME, timeoutMs);
  if ('id' in family) return new NetlinkIpvsClient(sock, family.id, timeoutMs, opts.window ?? 2, raiseRcvbuf(sock));
  sock.socket.close();
  throw ipvsError({
    cmd: undefined, errno: family.errno, op: 'resolve generic netlink family', target: IPVS_GENL_NAME,
    ...(family.errno === ENOENT ? { detail: 'IPVS is not available (is the ip_vs module present?)' } : {}),
  });
}

export class NetlinkIpvsClient implements IpvsBackend {
  readonly kind = 'netlink' as const;
  private readonly queue = new SerialQueue();
  /** Sends one request and matches its replies (client-exchange.ts). */
  private readonly link: RequestExchange;
  /** Of the last applyBatch: datagrams sent. */
  lastBatch: { datagrams: number } | undefined;

  constructor(
    private readonly sock: GenericNetlinkSocket,
    readonly familyId: number,
    private readonly timeoutMs: number,
    private readonly window: number,
    /** Why SO_RCVBUF could not be raised, if it could not. */
    readonly rcvbufError?: Error,
  ) {
    this.link = new RequestExchange(sock, familyId, timeoutMs);
  }

  /** Run `fn` when every earlier request on this socket has settled. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  private request(req: IpvsRequest, what: What): Promise<Reply[]> {
    return this.serial(() => this.link.exchange(req, what));
  }

  private undecodable(what: What, err: DecodeError): KernelError {
    return ipvsError({ cmd: undefined, errno: EPROTO, op: what.op, target: what.target, detail: `${err.reason}${err.attr ? ` ${err.attr}` : ''}` });
  }

  async info(): Promise<IpvsInfo> {
    const what = { op: 'query', target: 'IPVS info' };
    const [r] = await this.request({ cmd: 'GET_INFO' }, what);
    const info = r ? decodeInfo(r.data) : { ok: false as const, error: { reason: 'missing-attribute' as const } };
    if (!info.ok) throw this.undecodable(what, info.error);
    return info.value;
  }

  /** Services (GET_SERVICE dump), then one GET_DEST dump per service, sequentially. Kernel order. */
  dump(): Promise<IpvsServiceWithDests[]> {
    return this.serial(async () => {
      const services = await this.listServices();
      const out: IpvsServiceWithDests[] = [];
      for (const service of services) out.push({ service, dests: await this.listDests(service) });
      return out;
    });
  }

  private async listServices(): Promise<IpvsService[]> {
    const what = { op: 'list', target: 'virtual services' };
    const replies = await this.link.exchange({ cmd: 'GET_SERVICE' }, what);
    return replies.filter((r) => r.cmd === Cmd.NEW_SERVICE).map((r) => {
      const nest = topNest(r.data, CmdAttr.SERVICE);
      const svc = nest.ok ? decodeService(nest.value) : nest;
      if (!svc.ok) throw this.undecodable(what, svc.error);
      return svc.value;
    });
  }

  private async listDests(service: ServiceId): Promise<IpvsDest[]> {
    const what = { op: 'list real servers of', target: describeService(service) };
    const replies = await this.link.exchange({ cmd: 'GET_DEST', service }, what);
    return replies.filter((r) => r.cmd === Cmd.NEW_DEST).map((r) => {
      const nest = topNest(r.data, CmdAttr.DEST);
      const dest = nest.ok ? decodeDest(nest.value, service.af) : nest;
      if (!dest.ok) throw this.undecodable(what, dest.error);
      return dest.value;
    });
  }

  /**
   * The destinations of one service (one GET_DEST dump), serialised with the other requests;
   * rejects with ESRCH when the service is absent. A cheap poll of one service: bench/checks
   * watches a killed real server leave a 1,000-destination table this way.
   */
  dests(service: ServiceId): Promise<IpvsDest[]> {
    return this.serial(() => this.listDests(service));
  }

  /** One service by identity (GET_SERVICE doit); rejects with ESRCH when absent. */
  async getService(id: ServiceId): Promise<IpvsService> {
    const what = { op: 'get virtual service', target: describeService(id) };
    const [r] = await this.request({ cmd: 'GET_SERVICE', service: id }, what);
    const nest = r ? topNest(r.data, CmdAttr.SERVICE) : { ok: false as const, error: { reason: 'missing-attribute' as const } };
    const svc = nest.ok ? decodeService(nest.value) : nest;
    if (!svc.ok) throw this.undecodable(what, svc.error);
    return svc.value;
  }

  async apply(op: IpvsOp): Promise<void> {
    const d = describeOp(op);
    await this.request(opToRequest(op), d);
  }

  /**
   * In order, many requests per datagram (client-batch.ts); each op gets its own outcome.
   * Ops the codec refuses (bad address, name too long) fail alone with EINVAL, unsent.
   */
  applyBatch(ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]> {
    return this.serial(async () => {
      if (this.link.closed) throw ipvsError({ cmd: undefined, errno: errnoNumber('EBADF') ?? 9, op: 'apply', target: `${ops.length} operations`, detail: 'socket closed' });
      const stats = { datagrams: 0 };
      const res = await sendPipelined(this.sock.socket, this.familyId, ops.map(opToRequest), { timeoutMs: this.timeoutMs, window: this.window, stats });
      this.lastBatch = stats;
      return ops.map((op, i) => {
        const r = res[i] ?? 0;
        if (r === 0) return { op };
        if (typeof r === 'number') return { op, error: ipvsError({ ...describeOp(op), errno: r }) };
        return { op, error: ipvsError({ ...describeOp(op), errno: EINVAL, detail: `${r.reason} "${r.detail}"` }) };
      });
    });
  }

  async flush(): Promise<void> {
    await this.request({ cmd: 'FLUSH' }, { op: 'flush', target: 'the IPVS table' });
  }

  async zero(service?: ServiceId): Promise<void> {
    const target = service ? describeService(service) : 'all virtual services';
    await this.request(service ? { cmd: 'ZERO', service } : { cmd: 'ZERO' }, { op: 'zero counters of', target });
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    const what = { op: 'get', target: 'timeouts' };
    const [r] = await this.request({ cmd: 'GET_CONFIG' }, what);
    const t = r ? decodeTimeouts(r.data) : { ok: false as const, error: { reason: 'missing-attribute' as const } };
    if (!t.ok) throw this.undecodable(what, t.error);
    return t.value;
  }

  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    await this.request({ cmd: 'SET_CONFIG', timeouts: t }, { op: 'set', target: `timeouts (tcp ${t.tcp}, tcpfin ${t.tcpFin}, udp ${t.udp})` });
  }

  async getDaemons(): Promise<IpvsDaemon[]> {
    const what = { op: 'list', target: 'sync daemons' };
    const replies = await this.request({ cmd: 'GET_DAEMON' }, what);
    return replies.filter((r) => r.cmd === Cmd.NEW_DAEMON).map((r) => {
      const nest = topNest(r.data, CmdAttr.DAEMON);
      const d = nest.ok ? decodeDaemon(nest.value) : nest;
      if (!d.ok) throw this.undecodable(what, d.error);
      return d.value;
    });
  }

  async startDaemon(d: IpvsDaemon): Promise<void> {
    await this.request({ cmd: 'NEW_DAEMON', daemon: d }, { op: 'start sync daemon', target: describeDaemon(d) });
  }

  async stopDaemon(state: 'master' | 'backup'): Promise<void> {
    await this.request({ cmd: 'DEL_DAEMON', state }, { op: 'stop sync daemon', target: state });
  }

  /** Close the socket so a CLI process can exit. Pending requests reject. */
  close(): void {
    this.link.close();
  }
}
