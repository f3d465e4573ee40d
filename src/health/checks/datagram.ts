/**
 * A connected UDP socket for one attempt (DNS_CHECK, UDP_CHECK), closed when the attempt ends.
 * Connected, so the kernel reports an ICMP port unreachable for our datagram as ECONNREFUSED on
 * the next receive (udp(7)); Node emits it as an 'error' from recvmsg, which becomes `refused`.
 * Bind options as for streams (connection.ts); fwmark is refused the same way.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { AttemptSpec } from '../checker.js';
import { hostOf, unsupportedTarget } from './connection.js';
import type { Outcome } from './outcome.js';

export interface Datagram {
  /** Sends unless the attempt already ended (a send on a closed socket would throw). */
  send(data: Buffer): void;
  /** Our side of the connected socket (address and port), once ready. */
  local(): { readonly address: string; readonly port: number };
}

export function openDatagram(spec: AttemptSpec, out: Outcome, onReady: (d: Datagram) => void, onMessage: (m: Buffer) => void): void {
  const bad = unsupportedTarget(spec.target);
  if (bad !== undefined) return out.fail('error', bad);
  const sock = dgram.createSocket({ type: net.isIPv6(spec.address) ? 'udp6' : 'udp4' });
  let closed = false;
  out.release(() => {
    closed = true;
    sock.close();
  });
  sock.on('error', (e) => out.failWith(e, ''));
  sock.on('message', (m) => {
    if (!closed) onMessage(m);
  });
  const d: Datagram = {
    send: (data) => {
      if (!closed) sock.send(data, (e) => e && out.failWith(e, 'send'));
    },
    local: () => {
      const a = sock.address();
      return { address: a.address, port: a.port };
    },
  };
  const connect = (): void => {
    if (!closed) sock.connect(spec.port, hostOf(spec), () => closed || onReady(d));
  };
  if (spec.target.bindTo !== undefined || spec.target.bindPort !== undefined) {
    sock.bind({ ...(spec.target.bindTo !== undefined ? { address: spec.target.bindTo } : {}), port: spec.target.bindPort ?? 0 }, connect);
  } else {
    connect();
  }
}
