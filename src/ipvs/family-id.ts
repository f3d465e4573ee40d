/**
 * The IPVS generic netlink family id, resolved by name (CTRL_CMD_GETFAMILY doit, which
 * autoloads ip_vs; include/uapi/linux/genetlink.h). Sent with `checkError: false` so the
 * kernel's errno arrives as a number (node_netlink's checkError would turn it into the text
 * "Request rejected: ENOENT"), and timed by our own timer: the package's timeout rejects with
 * text only ("Timeout has been reached"), so it is set later than ours and only cleans up.
 */
import {
  AttrStream, CTRL_VERSION, formatGenlHeader, genl, GENL_ID_CTRL, MessageType, parseError, parseGenlHeader, type GenericNetlinkSocket, type NetlinkMessage,
} from 'netlink';
import { errnoOfSystemError } from '../errors.js';
import { errnoNumber } from './errno.js';

const ETIMEDOUT = errnoNumber('ETIMEDOUT') ?? 110;
const ENOENT = errnoNumber('ENOENT') ?? 2;
const EPROTO = errnoNumber('EPROTO') ?? 71;
const EIO = errnoNumber('EIO') ?? 5;
/** The package's own timer, after ours: it only releases the package's bookkeeping. */
const LIBRARY_GRACE_MS = 1000;

/** The family id, or the positive errno the kernel (or our timer: ETIMEDOUT) answered. */
export async function resolveFamilyId(sock: GenericNetlinkSocket, name: string, timeoutMs: number): Promise<{ id: number } | { errno: number }> {
  const attrs = new AttrStream();
  attrs.emit(genl.formatMessage({ familyName: name }));
  const sent = sock.socket.request(GENL_ID_CTRL, [formatGenlHeader({ cmd: genl.Commands.GET_FAMILY, version: CTRL_VERSION }), ...attrs.bufs], {
    checkError: false, timeout: timeoutMs + LIBRARY_GRACE_MS,
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  try {
    const r = await Promise.race([sent, timedOut]);
    if (r === 'timeout') {
      // The package rejects this request later, with its text-only error: that is expected.
      sent.catch((late: unknown) => late);
      return { errno: ETIMEDOUT };
    }
    return fromReplies(r[0]);
  } catch (e) {
    return { errno: errnoOfSystemError(e) ?? EIO };
  } finally {
    clearTimeout(timer);
  }
}

function fromReplies(msgs: readonly NetlinkMessage[]): { id: number } | { errno: number } {
  for (const m of msgs) {
    if (m.type === MessageType.ERROR) {
      const errno = m.data.length >= 20 ? -parseError(m.data, m.flags).errno : EPROTO; // nlmsgerr.error is -errno
      if (errno !== 0) return { errno };
    } else if (m.type === GENL_ID_CTRL && m.data.length >= 4) {
      const { consumed } = parseGenlHeader(m.data);
      const id = genl.parseMessage(m.data.subarray(consumed)).familyId;
      if (id !== undefined) return { id };
    }
  }
  return { errno: ENOENT };
}
