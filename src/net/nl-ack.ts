/**
 * rtnetlink requests answered by an ACK alone (RTM_NEWADDR, RTM_DELADDR), sent on the addon's
 * own netlink socket (nlOpen / nlSend): the request has reached the kernel, and been carried
 * out, when request() returns; the promise settles with the ACK. The `netlink` package keeps a
 * send queued behind the completion callback of the previous one, which put a takeover's VIP
 * add a loop turn (~1 ms) late, and a second VIP later still. Dumps stay on that package.
 *
 * <linux/netlink.h>: struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; },
 * NLMSG_ERROR (2) carries struct nlmsgerr { s32 error; struct nlmsghdr msg; }, error 0 = ACK.
 */
import { constants as osConstants } from 'node:os';
import type { KernelError } from '../errors.js';
import { isNativeSystemError, loadNative, type NetlinkDatagram, type NetlinkSocketHandle } from '../native/index.js';
import { kernelError } from './rtnl.js';

const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NETLINK_ROUTE = 0;

export interface AckRequest {
  /** RTM_* message type. */
  readonly type: number;
  /** NLM_F_* modifiers (CREATE, EXCL); REQUEST and ACK are always added. */
  readonly flags: number;
  readonly body: readonly Uint8Array[];
  readonly op: string;
  readonly target: string;
}

/** The whole message: header (port id 0: the kernel fills in ours) and the body. */
export function frameRequest(r: Pick<AckRequest, 'type' | 'flags' | 'body'>, seq: number): Buffer {
  const body = Buffer.concat(r.body.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  const hdr = Buffer.alloc(NLMSG_HDRLEN);
  hdr.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  hdr.writeUInt16LE(r.type, 4);
  hdr.writeUInt16LE((r.flags | NLM_F_REQUEST | NLM_F_ACK) & 0xffff, 6);
  hdr.writeUInt32LE(seq >>> 0, 8);
  hdr.writeUInt32LE(0, 12);
  return Buffer.concat([hdr, body]);
}

/** The ACKs / errors in one datagram: sequence number and positive errno (0 = success). */
export function parseAcks(d: Buffer): Array<{ seq: number; errno: number }> {
  const out: Array<{ seq: number; errno: number }> = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= d.length) {
    const len = d.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > d.length) break; // truncated: the rest is unusable
    const type = d.readUInt16LE(off + 4);
    const seq = d.readUInt32LE(off + 8);
    if (type === NLMSG_ERROR) {
      // A payload too short for the error code is the kernel's bug: report EPROTO, do not crash.
      const errno = len >= NLMSG_HDRLEN + 4 ? -d.readInt32LE(off + NLMSG_HDRLEN) | 0 : osConstants.errno.EPROTO;
      out.push({ seq, errno });
    }
    off += (len + 3) & ~3;
  }
  return out;
}

interface Pending {
  readonly req: Pick<AckRequest, 'op' | 'target'>;
  readonly resolve: () => void;
  readonly reject: (e: KernelError) => void;
  readonly timer: NodeJS.Timeout;
}

export class AckRequester {
  private readonly handle: NetlinkSocketHandle;
  private readonly pending = new Map<number, Pending>();
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private closed = false;

  constructor(private readonly timeoutMs: number) {
    this.handle = loadNative().nlOpen(NETLINK_ROUTE, (err, datagrams) => this.onDatagrams(err, datagrams));
  }

  /** Sends now; resolves on the ACK, rejects with the kernel's errno (ETIMEDOUT without an answer). */
  request(r: AckRequest): Promise<void> {
    return this.send(frameRequest(r, 0), r);
  }

  /**
   * request() for a message framed beforehand (frameRequest): its sequence number is written
   * in place, so a prepared message can be sent again and again.
   */
  send(message: Buffer, where: Pick<AckRequest, 'op' | 'target'>): Promise<void> {
    const r = where;
    if (this.closed) return Promise.reject(kernelError(r, osConstants.errno.EBADF, undefined));
    this.seq = (this.seq + 1) >>> 0;
    const seq = this.seq;
    message.writeUInt32LE(seq, 8);
    try {
      loadNative().nlSend(this.handle, message);
    } catch (e) {
      if (!isNativeSystemError(e)) throw e;
      return Promise.reject(kernelError(r, e.errno, e));
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(kernelError(r, osConstants.errno.ETIMEDOUT, undefined));
      }, this.timeoutMs);
      this.pending.set(seq, { req: r, resolve, reject, timer });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    loadNative().nlClose(this.handle);
    for (const [seq, p] of this.pending) this.settle(seq, p, osConstants.errno.EBADF, undefined);
  }

  private onDatagrams(err: Error | null, datagrams: readonly NetlinkDatagram[]): void {
    for (const d of datagrams) {
      for (const a of parseAcks(d.data)) {
        const p = this.pending.get(a.seq);
        if (p) this.settle(a.seq, p, a.errno, undefined);
      }
    }
    // A receive error (ENOBUFS: the kernel dropped replies) may have eaten an ACK: fail what waits.
    if (err && isNativeSystemError(err)) for (const [seq, p] of this.pending) this.settle(seq, p, err.errno, err);
  }

  private settle(seq: number, p: Pending, errno: number, cause: unknown): void {
    clearTimeout(p.timer);
    this.pending.delete(seq);
    if (errno === 0) p.resolve();
    else p.reject(kernelError(p.req, errno, cause));
  }
}
