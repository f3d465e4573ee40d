/**
 * The kernel's process events connector, through the npm `netlink` package's raw socket
 * (protocol NETLINK_CONNECTOR, group CN_IDX_PROC), as keepalived 2.2.7 core/track_process.c
 * nl_connect / set_proc_ev_listen / handle_proc_ev. Needs CAP_NET_ADMIN in the initial user
 * namespace.
 *
 * The connector exists only in the initial network namespace: inside another one the LISTEN
 * request is refused with ECONNREFUSED (keepalived 2.2.7 then logs "Failed to set/clear process
 * event listen" and sees no events at all). `openProcConnector` reports that as an error value,
 * so the caller can fall back to polling /proc.
 */
import { constants } from 'node:os';
import { RawNetlinkSocket } from 'netlink';
import type { Result } from '../../errors.js';
import { CN_IDX_PROC, NETLINK_CONNECTOR, decodeProcEvent, encodeMcastOp, type ProcEvent } from './proc-event.js';

export interface ProcConnector {
  /** Sends PROC_CN_MCAST_IGNORE and closes the socket. */
  close(): void;
}

export interface ConnectorError {
  readonly code: string;
  readonly message: string;
}

export interface ConnectorOptions {
  readonly onEvent: (e: ProcEvent) => void;
  /** Events were lost (ENOBUFS): the caller must rescan. */
  readonly onLost: () => void;
  readonly onError: (e: ConnectorError) => void;
  /** How long to wait for the kernel's PROC_EVENT_NONE answer (keepalived warns after 100 ms). */
  readonly ackTimeoutMs?: number;
  /** SO_RCVBUF (keepalived process_monitor_rcv_bufs); default 1 MiB. */
  readonly recvBufferSize?: number;
}

export type OpenConnector = (o: ConnectorOptions) => Promise<Result<ProcConnector, ConnectorError>>;

/** Subscribes and resolves once the kernel acknowledged; an error value when it cannot. */
export const openProcConnector: OpenConnector = async (o) => {
  let sock: RawNetlinkSocket;
  try {
    sock = new RawNetlinkSocket(NETLINK_CONNECTOR, { localGroups: CN_IDX_PROC, recvBufferSize: o.recvBufferSize ?? 1 << 20, sendBufferSize: 4096 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: { code: err.code ?? 'EIO', message: `open the process events connector: ${err.message}` } };
  }
  const port = sock.address().port;
  return new Promise((resolve) => {
    let acked = false;
    const fail = (code: string, message: string): void => {
      clearTimeout(timer);
      sock.close();
      resolve({ ok: false, error: { code, message } });
    };
    const timer = setTimeout(() => fail('ETIMEDOUT', 'the kernel did not answer the process events LISTEN request (CONFIG_PROC_EVENTS?)'), o.ackTimeoutMs ?? 1000);
    sock.on('message', (msg: Buffer, rinfo) => {
      if (rinfo.port !== 0) return; // only the kernel speaks on this group
      const d = decodeProcEvent(msg);
      if (!d.ok) return;
      if (d.event.kind !== 'ack') return o.onEvent(d.event);
      if (acked) return;
      // The kernel acknowledges a refused LISTEN too, with its errno (EPERM without CAP_NET_ADMIN).
      if (d.event.err !== 0) return fail(errnoName(d.event.err), `set process event listen: refused by the kernel (${errnoName(d.event.err)})`);
      acked = true;
      clearTimeout(timer);
      resolve({ ok: true, value: { close: () => closeConnector(sock, port) } });
    });
    sock.on('error', (e) => {
      if (e.code === 'ENOBUFS') return o.onLost();
      if (!acked) return fail(e.code, `process events connector: ${e.message}`);
      o.onError({ code: e.code, message: `process events connector: ${e.message}` });
    });
    sock.send(encodeMcastOp('listen', port), {}, (e) => {
      if (e) fail(e.code, `set process event listen: ${e.message} (${e.code})`);
    });
  });
};

function closeConnector(sock: RawNetlinkSocket, port: number): void {
  // The IGNORE request only matters to the kernel's listener count; close right after it.
  sock.send(encodeMcastOp('ignore', port), {}, () => sock.close());
}

function errnoName(n: number): string {
  return Object.entries(constants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}
