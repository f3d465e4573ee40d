/**
 * IpvsBackend over generic netlink (npm `netlink` 0.3.0), one socket per process / netns.
 * - The family is resolved BY NAME (CTRL_CMD_GETFAMILY doit), which autoloads ip_vs.
 * - Requests go through the raw NetlinkSocket with checkError:false so the numeric errno
 *   survives (parseError; netlink 0.3.0's own checkError keeps it only as the text
 *   'Request rejected: ENOENT', lib/netlink.ts); every request has a timeout.
 * - Requests are serialised by a promise queue (a second dump on the socket gives EBUSY);
 *   applyBatch sends many doit requests per datagram inside one queue slot (client-batch.ts):
 *   the kernel runs them in order in sendmsg context, so this changes nothing but the cost.
 */
import {
  createGenericNetlink, Flags, FlagsGet, formatGenlHeader, formatHeader, MessageType, parseError, parseGenlHeader,
  type GenericNetlinkSocket, type NetlinkMessage,
} from 'netlink';
import { errnoOfSystemError, KernelError } from '../errors.js';
import { SerialQueue } from '../serial-queue.js';
import {
  Cmd, CmdAttr, decodeDaemon, decodeDest, decodeInfo, decodeService, decodeTimeouts, encodeRequest,
  IPVS_GENL_NAME, IPVS_GENL_VERSION, opToRequest, topNest, type CmdName, type DecodeError, type IpvsRequest,
} from './family.js';
import { sendPipelined } from './client-batch.js';
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

interface Reply { readonly cmd: number; readonly data: Buffer }
interface What { readonly op: string; readonly target: string }

const ETIMEDOUT = errnoNumber('ETIMEDOUT') ?? 110;
const EPROTO = errnoNumber('EPROTO') ?? 71;
const EIO = errnoNumber('EIO') ?? 5;
const EINVAL = errnoNumber('EINVAL') ?? 22;
const ENOENT = errnoNumber('ENOENT') ?? 2;

/** roundTrip's own timer ran out: no reply came for the request. */
class NoReply extends Error {
  constructor() {
    super('no reply from the kernel within the timeout');
    this.name = 'NoReply';
  }
}

/** errno of a roundTrip failure: our timeout, or the socket's send error (a Node system error). */
function errnoOf(e: unknown): number {
  if (e instanceof NoReply) return ETIMEDOUT;
  return errnoOfSystemError(e) ?? EIO;
}

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
  private closed = false;
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
    // Replies to our requests (sent without the library's request(): see roundTrip); late ACKs
    // of doit GETs (the kernel sends the reply, then an ACK) and replies after a timeout arrive
    // unmatched and are dropped.
    sock.socket.on('message', (msgs: NetlinkMessage[]) => this.dispatch(msgs));
    sock.socket.on('invalid', () => undefined);
    // a receive error (e.g. ENOBUFS) must not crash the process: the pending requests time out
    sock.socket.on('error', () => undefined);
  }

  /** seq → the request waiting for it (at most one: requests are serialised). */
  private readonly waiting = new Map<number, (msgs: NetlinkMessage[]) => void>();
  /** seq of the dump in flight, if any. */
  private dumpSeq: number | undefined;

  private dispatch(msgs: NetlinkMessage[]): void {
    const first = msgs[0];
    // an empty dump arrives as [] (the library strips NLMSG_DONE, and with it the seq): it
    // answers the dump in flight (requests are serialised, so there is at most one)
    const seq = first ? first.seq : this.dumpSeq;
    const cb = seq === undefined ? undefined : this.waiting.get(seq);
    if (!cb || seq === undefined) return;
    this.waiting.delete(seq);
    cb(msgs);
  }

  /**
   * Send one request and wait for its reply, with a timeout. The library's request() costs a
   * Promise chain, a timer and a getsockname per call; listing 10,000 destinations makes 1,000
   * of them, so this is the lean equivalent (same message, NLM_F_REQUEST|NLM_F_ACK[|DUMP]).
   */
  private roundTrip(cmd: number, attrs: Buffer, dump: boolean): Promise<NetlinkMessage[]> {
    const nl = this.sock.socket;
    const seq = nl.generateSeq();
    const flags = Flags.REQUEST | Flags.ACK | (dump ? FlagsGet.DUMP : 0);
    const bytes = Buffer.concat([
      formatHeader({ length: 20 + attrs.length, type: this.familyId, flags, seq, port: 0 }),
      formatGenlHeader({ cmd, version: IPVS_GENL_VERSION }), attrs,
    ]);
    this.dumpSeq = dump ? seq : undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(seq); reject(new NoReply()); }, this.timeoutMs);
      this.waiting.set(seq, (msgs) => { clearTimeout(timer); resolve(msgs); });
      nl.socket.send(bytes, { port: 0 }, (err?: Error) => {
        if (!err) return;
        clearTimeout(timer);
        this.waiting.delete(seq);
        reject(err);
      });
    });
  }

  /** Run `fn` when every earlier request on this socket has settled. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  /** One request, unserialised. Resolves with the genl replies (ACK → []); rejects with KernelError. */
  private async exchange(req: IpvsRequest, what: What): Promise<Reply[]> {
    const cmd = req.cmd as CmdName;
    if (this.closed) throw ipvsError({ cmd, errno: errnoNumber('EBADF') ?? 9, op: what.op, target: what.target, detail: 'socket closed' });
    const enc = encodeRequest(req);
    if (!enc.ok) throw ipvsError({ cmd, errno: EINVAL, op: what.op, target: what.target, detail: `${enc.error.reason} "${enc.error.detail}"` });
    let msgs: NetlinkMessage[];
    try {
      msgs = await this.roundTrip(enc.value.cmd, enc.value.attrs, enc.value.dump);
    } catch (e) {
      throw ipvsError({ cmd, errno: errnoOf(e), op: what.op, target: what.target, cause: e });
    }
    const out: Reply[] = [];
    for (const m of msgs) {
      if (m.type === MessageType.ERROR) {
        const errno = m.data.length >= 20 ? -parseError(m.data, m.flags).errno : EPROTO; // nlmsgerr.error is -errno
        if (errno !== 0) throw ipvsError({ cmd, errno, op: what.op, target: what.target });
      } else if (m.type === this.familyId && m.data.length >= 4) {
        out.push({ cmd: parseGenlHeader(m.data).x.cmd, data: m.data.subarray(4) });
      }
    }
    return out;
  }

  private request(req: IpvsRequest, what: What): Promise<Reply[]> {
    return this.serial(() => this.exchange(req, what));
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
    const replies = await this.exchange({ cmd: 'GET_SERVICE' }, what);
    return replies.filter((r) => r.cmd === Cmd.NEW_SERVICE).map((r) => {
      const nest = topNest(r.data, CmdAttr.SERVICE);
      const svc = nest.ok ? decodeService(nest.value) : nest;
      if (!svc.ok) throw this.undecodable(what, svc.error);
      return svc.value;
    });
  }

  private async listDests(service: ServiceId): Promise<IpvsDest[]> {
    const what = { op: 'list real servers of', target: describeService(service) };
    const replies = await this.exchange({ cmd: 'GET_DEST', service }, what);
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
      if (this.closed) throw ipvsError({ cmd: undefined, errno: errnoNumber('EBADF') ?? 9, op: 'apply', target: `${ops.length} operations`, detail: 'socket closed' });
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
    if (this.closed) return;
    this.closed = true;
    this.sock.socket.close();
  }
}
