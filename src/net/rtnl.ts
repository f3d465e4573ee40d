/**
 * One rtnetlink request with the kernel's errno kept as a number (npm netlink 0.3.0, lib/netlink.ts:
 * its `checkError` throws `Error('Request rejected: ENOENT')`, so we pass `checkError: false`
 * and read the NLMSG_ERROR payload ourselves: a signed errno, negative, 0 = ACK;
 * <linux/netlink.h> struct nlmsgerr).
 */
import { getSystemErrorMap } from 'node:util';
import { constants as osConstants } from 'node:os';
import { MessageType, parseError, rt, type NetlinkMessage, type RtNetlinkSocket } from 'netlink';
import { errnoOfSystemError, KernelError } from '../errors.js';
import { isNativeSystemError, loadNative } from '../native/index.js';

/** The package's own timer, after ours (see rtRequest). */
const LIBRARY_GRACE_MS = 1000;

export interface RtRequest {
  /** RTM_* message type (rt.MessageType). */
  readonly type: number;
  readonly body: readonly Uint8Array[];
  /** NLM_F_* modifiers (CREATE, EXCL, DUMP); REQUEST and ACK are always added. */
  readonly flags: number;
  readonly timeoutMs: number;
  /** For messages: what was attempted and on what, e.g. 'add VIP', '192.0.2.10/32 dev eth0'. */
  readonly op: string;
  readonly target: string;
}

/**
 * Sends the request and resolves with the reply messages (the DONE of a dump removed, the ACK
 * removed). Rejects with a KernelError carrying the kernel's errno, or ETIMEDOUT when nothing
 * answered within timeoutMs. Does not check the reply's sender or types.
 */
export async function rtRequest(sock: RtNetlinkSocket, r: RtRequest): Promise<NetlinkMessage[]> {
  // Timed by our own timer: the package's timeout rejects with text only ("Timeout has been
  // reached"), so it is set later than ours and only releases the package's bookkeeping.
  const sent = sock.socket.request(r.type, [...r.body], { flags: r.flags, timeout: r.timeoutMs + LIBRARY_GRACE_MS, checkError: false });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), r.timeoutMs); });
  let msgs: NetlinkMessage[];
  try {
    const got = await Promise.race([sent, timedOut]);
    if (got === 'timeout') {
      sent.catch((late: unknown) => late); // the package's own late rejection, expected
      throw kernelError(r, osConstants.errno.ETIMEDOUT, undefined);
    }
    [msgs] = got;
  } catch (e) {
    if (e instanceof KernelError) throw e;
    throw kernelError(r, errnoOf(e), e);
  } finally {
    clearTimeout(timer);
  }
  const data: NetlinkMessage[] = [];
  for (const m of msgs) {
    if (m.type !== MessageType.ERROR) {
      data.push(m);
      continue;
    }
    const errno = decodeErrno(m);
    if (errno !== 0) throw kernelError(r, errno, undefined);
  }
  return data;
}

/** Positive errno from an NLMSG_ERROR message; EPROTO when the payload is too short. */
function decodeErrno(m: NetlinkMessage): number {
  try {
    return -parseError(m.data, m.flags).errno;
  } catch (e) {
    // A truncated error message is the kernel's bug, not ours: report it, do not crash.
    return osConstants.errno.EPROTO;
  }
}

/** errno of a socket-level failure (a Node system error from the raw socket), EIO when unknown. */
function errnoOf(e: unknown): number {
  return errnoOfSystemError(e) ?? osConstants.errno.EIO;
}

/** KernelError shaped like Node's system errors: code 'EEXIST', errno 17, syscall 'rtnetlink'. */
export function kernelError(r: Pick<RtRequest, 'op' | 'target'>, errno: number, cause: unknown): KernelError {
  const entry = getSystemErrorMap().get(-errno);
  const code = entry?.[0] ?? `E${errno}`;
  const meaning = MEANING[code] ?? entry?.[1] ?? `errno ${errno}`;
  return new KernelError({ op: r.op, target: r.target, errno, code, syscall: 'rtnetlink', meaning, cause });
}

/**
 * The ifindex of `dev` for a request: if_nametoindex(3) through the addon (one ioctl) rather
 * than an RTM_GETLINK round trip, since a VIP add on the takeover path needs it. Its failure
 * (ENODEV) is a KernelError about `where`.
 */
export function interfaceIndex(dev: string, where: Pick<RtRequest, 'op' | 'target'>): number {
  try {
    return loadNative().ifNameToIndex(dev);
  } catch (e) {
    if (!isNativeSystemError(e)) throw e;
    throw kernelError(where, e.errno, e);
  }
}

/** Meanings of the errnos rtnetlink address/link requests return (net/ipv4/devinet.c, net/ipv6/addrconf.c). */
const MEANING: Readonly<Record<string, string>> = {
  EEXIST: 'address already present',
  EADDRNOTAVAIL: 'no such address on the device',
  ENODEV: 'no such network device',
  EPERM: 'operation not permitted (CAP_NET_ADMIN needed)',
  EACCES: 'operation not permitted (CAP_NET_ADMIN needed)',
  EINVAL: 'invalid argument',
  ETIMEDOUT: 'no answer from the kernel in time',
};

/** Re-export for callers that build messages. */
export { rt };
