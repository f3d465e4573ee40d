/**
 * Many IPVS requests per sendmsg: netlink_rcv_skb (net/netlink/af_netlink.c) walks every
 * nlmsghdr of a datagram in order, runs each one (genl_rcv_msg) and sends an error message
 * for each failure whether or not NLM_F_ACK is set, then goes on with the next. So a chunk of
 * requests travels in one datagram, only its last request asks for an ACK, and the replies
 * are: one error message per refused request (keeping its seq and errno) plus the ACK of the
 * last, which means the whole chunk has been processed. A few chunks are in flight at once;
 * both are bounded so that error messages cannot overflow the socket receive buffer (the
 * client raises SO_RCVBUF; 2 × 128 error messages of ~1.3 KB truesize fit in its 416 KB). If it
 * overflowed anyway (ENOBUFS), the datagram's requests would report ETIMEDOUT.
 * All messages are encoded into one buffer first (AttrWriter): no per-attribute allocation.
 */
import { Flags, MessageType, parseError, type NetlinkMessage, type NetlinkSocket } from 'netlink';
import { errnoOfSystemError } from '../errors.js';
import { errnoNumber } from './errno.js';
import { AttrWriter, Cmd, encodeRequestInto, IPVS_GENL_VERSION, type EncodeError, type IpvsRequest } from './family.js';

export interface PipelineOptions {
  /** Requests per datagram (default 128). */
  readonly chunk?: number;
  /** Datagrams in flight (default 2). */
  readonly window?: number;
  /** Per datagram, from its send to its last ACK. */
  readonly timeoutMs: number;
  /** Filled in when given: datagrams sent. */
  readonly stats?: { datagrams: number };
}

/** Per request: 0 = applied, an errno, or the encoding error (never sent). */
export type PipelineOutcome = number | EncodeError;

const ETIMEDOUT = errnoNumber('ETIMEDOUT') ?? 110;
const EPROTO = errnoNumber('EPROTO') ?? 71;

interface Datagram { readonly first: number; readonly end: number; readonly lastSeq: number; readonly bytes: Buffer }
interface Open { first: number; end: number; from: number; to: number; lastSeq: number; lastStart: number; n: number }

/** Encode every request as a whole netlink message, grouped into datagrams of `chunk` sendable requests. */
export function encodeAll(nl: NetlinkSocket, familyId: number, reqs: readonly IpvsRequest[], chunk: number, out: PipelineOutcome[], indexOf: Map<number, number>): Datagram[] {
  const w = new AttrWriter();
  const closed: Open[] = [];
  let cur: Open | undefined;
  for (let i = 0; i < reqs.length; i++) {
    cur ??= { first: i, end: i, from: w.offset, to: w.offset, lastSeq: 0, lastStart: 0, n: 0 };
    const seq = nl.generateSeq();
    const req = reqs[i] as IpvsRequest;
    const start = w.beginMessage(familyId, Flags.REQUEST, seq, Cmd[req.cmd], IPVS_GENL_VERSION);
    const r = encodeRequestInto(w, req);
    if (r.ok) {
      w.endMessage(start);
      indexOf.set(seq, i);
      if (cur.n === 0) cur.first = i;
      Object.assign(cur, { lastSeq: seq, lastStart: start, to: w.offset, end: i + 1, n: cur.n + 1 });
    } else {
      w.truncate(start);
      out[i] = r.error;
    }
    if (cur.n === chunk || i === reqs.length - 1) {
      if (cur.n) {
        w.setFlags(cur.lastStart, Flags.REQUEST | Flags.ACK); // only the datagram's last request asks for the ACK
        closed.push(cur);
      }
      cur = undefined;
    }
  }
  // views are taken once the writer has stopped growing
  return closed.map((b) => ({ first: b.first, end: b.end, lastSeq: b.lastSeq, bytes: w.view(b.from, b.to) }));
}

/**
 * Send `reqs` in order; resolves with one outcome per request. ETIMEDOUT means no answer came
 * for that request's datagram in time: it may or may not have been applied.
 */
export async function sendPipelined(nl: NetlinkSocket, familyId: number, reqs: readonly IpvsRequest[], o: PipelineOptions): Promise<PipelineOutcome[]> {
  const out: PipelineOutcome[] = new Array<PipelineOutcome>(reqs.length).fill(0);
  const indexOf = new Map<number, number>(); // seq → request index
  const datagrams = encodeAll(nl, familyId, reqs, Math.max(1, o.chunk ?? 128), out, indexOf);
  const lastAck = new Map<number, () => void>(); // seq of a datagram's last request → its completion
  const onMessage = (msgs: NetlinkMessage[]): void => {
    for (const m of msgs) {
      if (m.type !== MessageType.ERROR) continue;
      const i = indexOf.get(m.seq);
      if (i === undefined) continue;
      const errno = m.data.length >= 20 ? -parseError(m.data, m.flags).errno : EPROTO; // nlmsgerr.error is -errno
      if (errno) out[i] = errno;
      lastAck.get(m.seq)?.();
    }
  };
  nl.on('message', onMessage);
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < datagrams.length) {
      const d = datagrams[next++] as Datagram;
      await new Promise<void>((resolve) => {
        const finish = (errno: number): void => {
          clearTimeout(timer);
          lastAck.delete(d.lastSeq);
          if (errno) for (let i = d.first; i < d.end; i++) if (out[i] === 0) out[i] = errno;
          resolve();
        };
        const timer = setTimeout(() => finish(ETIMEDOUT), o.timeoutMs);
        lastAck.set(d.lastSeq, () => finish(0));
        nl.socket.send(d.bytes, { port: 0 }, (err?: { errno?: number }) => {
          if (err) finish(errnoOfSystemError(err) ?? EPROTO);
        });
        if (o.stats) o.stats.datagrams++;
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.window ?? 2) }, sender));
  } finally {
    nl.off('message', onMessage);
  }
  return out;
}
