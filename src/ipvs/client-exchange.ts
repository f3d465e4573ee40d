/**
 * One IPVS request and its replies on the generic netlink socket; client.ts serialises them.
 * Requests go out on the raw NetlinkSocket (NLM_F_REQUEST|NLM_F_ACK[|DUMP]) with checkError:false
 * semantics, so the numeric errno of an nlmsgerr survives as a KernelError; replies are matched
 * by seq, and every request has a timeout.
 */
import {
  Flags, FlagsGet, formatGenlHeader, formatHeader, MessageType, parseError, parseGenlHeader,
  type GenericNetlinkSocket, type NetlinkMessage,
} from 'netlink';
import { errnoOfSystemError } from '../errors.js';
import { encodeRequest, IPVS_GENL_VERSION, type CmdName, type IpvsRequest } from './family.js';
import { errnoNumber, ipvsError } from './errno.js';

/** A genl reply: its command and the attributes after the genl header. */
export interface Reply { readonly cmd: number; readonly data: Buffer }
/** What a request does, for its error message: "add real server 10.0.0.2:80 to ...". */
export interface What { readonly op: string; readonly target: string }

const ETIMEDOUT = errnoNumber('ETIMEDOUT') ?? 110;
const EPROTO = errnoNumber('EPROTO') ?? 71;
const EIO = errnoNumber('EIO') ?? 5;
const EINVAL = errnoNumber('EINVAL') ?? 22;

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

export class RequestExchange {
  private closedFlag = false;

  constructor(private readonly sock: GenericNetlinkSocket, private readonly familyId: number, private readonly timeoutMs: number) {
    // Replies to our requests (sent without the library's request(): see roundTrip); late ACKs
    // of doit GETs (the kernel sends the reply, then an ACK) and replies after a timeout arrive
    // unmatched and are dropped.
    sock.socket.on('message', (msgs: NetlinkMessage[]) => this.dispatch(msgs));
    sock.socket.on('invalid', () => undefined);
    // a receive error (e.g. ENOBUFS) must not crash the process: the pending requests time out
    sock.socket.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.closedFlag;
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

  /** One request, unserialised. Resolves with the genl replies (ACK → []); rejects with KernelError. */
  async exchange(req: IpvsRequest, what: What): Promise<Reply[]> {
    const cmd = req.cmd as CmdName;
    if (this.closedFlag) throw ipvsError({ cmd, errno: errnoNumber('EBADF') ?? 9, op: what.op, target: what.target, detail: 'socket closed' });
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

  /** Close the socket; pending requests time out or reject. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.sock.socket.close();
  }
}
