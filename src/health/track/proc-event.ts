/**
 * The kernel's process events connector (CONFIG_PROC_EVENTS) on the wire: one netlink message
 * per event, `struct nlmsghdr` + `struct cn_msg` (<linux/connector.h>) + `struct proc_event`
 * (<linux/cn_proc.h>), in host byte order. Pure codec: decode never throws, it returns the
 * event or why it was skipped.
 *
 * Offsets (the kernel builds the message 4 bytes into an 8-byte aligned buffer, so proc_event
 * sits at 36; keepalived handle_proc_ev reads it with a scatter read for the same reason):
 *   0 nlmsghdr { len u32, type u16, flags u16, seq u32, pid u32 }
 *  16 cn_msg { idx u32, val u32, seq u32, ack u32, len u16, flags u16 }
 *  36 proc_event { what u32, cpu u32, timestamp_ns u64, event_data @52 }
 */

/** <linux/connector.h>: CN_IDX_PROC, CN_VAL_PROC. */
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
/** <linux/netlink.h>: NETLINK_CONNECTOR. */
export const NETLINK_CONNECTOR = 11;
/** <linux/netlink.h>: NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE. */
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
/** <linux/cn_proc.h> enum proc_cn_mcast_op. */
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;
/** <linux/cn_proc.h> enum what. */
const PROC_EVENT_NONE = 0;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_COMM = 0x200;
const PROC_EVENT_EXIT = 0x80000000;

const EVENT_AT = 36;
const DATA_AT = 52;
const TASK_COMM_LEN = 16;

/** Events for processes; thread events (pid != tgid) are skipped as keepalived skips them. */
export type ProcEvent =
  | { readonly kind: 'ack'; readonly err: number }
  | { readonly kind: 'fork'; readonly parent: number; readonly child: number }
  | { readonly kind: 'exec'; readonly pid: number }
  | { readonly kind: 'comm'; readonly pid: number; readonly comm: string }
  | { readonly kind: 'exit'; readonly pid: number; readonly exitCode: number; readonly exitSignal: number };

export type ProcEventSkip = 'short' | 'not-connector' | 'netlink-control' | 'thread' | 'other-event' | 'ack-mismatch';

export type DecodedProcEvent =
  | { readonly ok: true; readonly event: ProcEvent; readonly cpu: number; readonly seq: number }
  | { readonly ok: false; readonly reason: ProcEventSkip };

const skip = (reason: ProcEventSkip): DecodedProcEvent => ({ ok: false, reason });

export function decodeProcEvent(buf: Buffer, littleEndian = true): DecodedProcEvent {
  const u32 = (o: number): number => (littleEndian ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const i32 = (o: number): number => (littleEndian ? buf.readInt32LE(o) : buf.readInt32BE(o));
  if (buf.length < 16) return skip('short');
  const type = littleEndian ? buf.readUInt16LE(4) : buf.readUInt16BE(4);
  if (type === NLMSG_ERROR || type === NLMSG_NOOP) return skip('netlink-control');
  if (buf.length < DATA_AT) return skip('short');
  if (u32(16) !== CN_IDX_PROC || u32(20) !== CN_VAL_PROC) return skip('not-connector');
  const seq = u32(24);
  const ack = u32(28);
  const what = u32(EVENT_AT);
  const cpu = u32(EVENT_AT + 4);
  // keepalived: "PROC_EVENT_NONE is an ack, otherwise not an ack"
  if ((what === PROC_EVENT_NONE) !== (ack !== 0)) return skip('ack-mismatch');
  const need = (n: number): boolean => buf.length >= DATA_AT + n;
  const ok = (event: ProcEvent): DecodedProcEvent => ({ ok: true, event, cpu, seq });
  switch (what) {
    case PROC_EVENT_NONE:
      return need(4) ? ok({ kind: 'ack', err: u32(DATA_AT) }) : skip('short');
    case PROC_EVENT_FORK: {
      if (!need(16)) return skip('short');
      // A new thread has child_pid != child_tgid; keepalived only follows processes.
      const [parentTgid, childPid, childTgid] = [u32(DATA_AT + 4), u32(DATA_AT + 8), u32(DATA_AT + 12)];
      return childPid === childTgid ? ok({ kind: 'fork', parent: parentTgid, child: childTgid }) : skip('thread');
    }
    case PROC_EVENT_EXEC:
    case PROC_EVENT_COMM:
    case PROC_EVENT_EXIT:
      return decodeTaskEvent(buf, what, u32, i32, ok);
    default:
      return skip('other-event');
  }
}

/** exec, comm and exit carry (process_pid, process_tgid) first; only whole processes count. */
function decodeTaskEvent(buf: Buffer, what: number, u32: (o: number) => number, i32: (o: number) => number,
  ok: (e: ProcEvent) => DecodedProcEvent): DecodedProcEvent {
  const size = what === PROC_EVENT_EXEC ? 8 : what === PROC_EVENT_COMM ? 8 + TASK_COMM_LEN : 16;
  if (buf.length < DATA_AT + size) return skip('short');
  const pid = u32(DATA_AT);
  if (pid !== u32(DATA_AT + 4)) return skip('thread');
  if (what === PROC_EVENT_EXEC) return ok({ kind: 'exec', pid });
  if (what === PROC_EVENT_COMM) {
    const raw = buf.subarray(DATA_AT + 8, DATA_AT + 8 + TASK_COMM_LEN);
    const end = raw.indexOf(0);
    return ok({ kind: 'comm', pid, comm: raw.subarray(0, end < 0 ? raw.length : end).toString('utf8') });
  }
  return ok({ kind: 'exit', pid, exitCode: u32(DATA_AT + 8), exitSignal: i32(DATA_AT + 12) });
}

/** The PROC_CN_MCAST_LISTEN / IGNORE request (keepalived set_proc_ev_listen); `portId` is our nl_pid. */
export function encodeMcastOp(op: 'listen' | 'ignore', portId: number, littleEndian = true): Buffer {
  const b = Buffer.alloc(40);
  const w32 = (v: number, o: number): number => (littleEndian ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (v: number, o: number): number => (littleEndian ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(40, 0);
  w16(NLMSG_DONE, 4);
  w32(portId >>> 0, 12);
  w32(CN_IDX_PROC, 16);
  w32(CN_VAL_PROC, 20);
  w16(4, 32); // cn_msg.len: sizeof(enum proc_cn_mcast_op)
  w32(op === 'listen' ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE, 36);
  return b;
}
