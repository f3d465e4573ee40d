/**
 * A TCP or TLS connection for one attempt, with the target's bind options applied, closed when
 * the attempt ends (settled or cancelled). Connection errors settle the attempt.
 *
 * Target options: `bindTo` → localAddress, `bindPort` → localPort, `bindIf` → the IPv6 zone of a
 * link-local target (`fe80::1%eth0`; front-ends refuse it elsewhere on this path: keepalived
 * binds to the device, which TCP_CHECK and plain HTTP_GET do through the addon). `fwmark` (keepalived's SO_MARK on the checker socket) cannot be set here:
 * Node exposes no setsockopt for SO_MARK on its sockets. TCP_CHECK and plain HTTP_GET take it
 * through the addon (native-stream.ts); for the checkers on this path it is listed in
 * UNSUPPORTED_TARGET_OPTIONS so front-ends refuse it, and an attempt that carries one fails
 * with reason `error` rather than probing unmarked.
 *
 * TLS: certificates are not verified (keepalived 2.2.7's SSL_GET never sets SSL_VERIFY_PEER,
 * even with the SSL block's `ca`); `secureContext` carries that block's client certificate
 * (tls-client.ts); SNI is sent only when a server name is given.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AttemptSpec } from '../checker.js';
import type { CheckTarget } from '../../model/index.js';
import type { Outcome } from './outcome.js';

/** CheckTarget fields lvsd accepts in the model but cannot honour; front-ends must refuse them. */
export const UNSUPPORTED_TARGET_OPTIONS: ReadonlyArray<keyof CheckTarget> = ['fwmark'];

/** Why this target cannot be probed as written, or undefined. */
export function unsupportedTarget(target: CheckTarget): string | undefined {
  if (target.fwmark !== undefined) return `fwmark ${target.fwmark} is not supported (Node cannot set SO_MARK on a checker socket)`;
  return undefined;
}

export function hostOf(spec: Pick<AttemptSpec, 'address' | 'target'>): string {
  const zone = spec.target.bindIf;
  return zone !== undefined && spec.address.includes(':') && !spec.address.includes('%') ? `${spec.address}%${zone}` : spec.address;
}

export interface StreamOptions {
  /** TLS (SSL_GET); `servername` is sent as SNI when set. */
  readonly tls?: { readonly servername?: string; readonly secureContext?: tls.SecureContext };
  /**
   * TCP_NODELAY (default true): a checker that writes once and then only reads (plain HTTP,
   * TCP_CHECK) passes false and saves two setsockopt calls per attempt (Node sets it again
   * after connecting); Nagle never delays a first write.
   */
  readonly noDelay?: boolean;
  /**
   * Plain TCP only: bytes go straight to this callback (net's `onread`), not through the
   * Readable stream ('data' events), read into one buffer shared by every attempt: `chunk` is
   * valid only during the call, so a consumer copies what it keeps. Per attempt this skips the
   * stream's push/emit machinery and a Buffer per read. 'end' and 'error' still arrive.
   */
  readonly onData?: (chunk: Buffer) => void;
}

/** The read buffer of every `onData` connection (reads are synchronous with their callback). */
const SHARED_READ = Buffer.allocUnsafe(64 * 1024);

/**
 * Connects; `onReady` runs once connected (after the TLS handshake for TLS). Returns undefined
 * when the attempt already failed (unsupported target).
 */
export function openStream(spec: AttemptSpec, out: Outcome, o: StreamOptions, onReady: (s: net.Socket) => void): net.Socket | undefined {
  const bad = unsupportedTarget(spec.target);
  if (bad !== undefined) {
    out.fail('error', bad);
    return undefined;
  }
  // Built field by field: conditional spreads cost more than the rest of this function per attempt.
  const base: net.TcpNetConnectOpts = { host: hostOf(spec), port: spec.port };
  if (spec.target.bindTo !== undefined) base.localAddress = spec.target.bindTo;
  if (spec.target.bindPort !== undefined) base.localPort = spec.target.bindPort;
  let sock: net.Socket;
  if (o.tls) {
    const { servername, secureContext } = o.tls;
    sock = tls.connect({
      ...base, rejectUnauthorized: false, ...(secureContext ? { secureContext } : {}), ...(servername !== undefined && !net.isIP(servername) ? { servername } : {}),
    }, () => onReady(sock));
  } else {
    const onData = o.onData;
    if (onData) base.onread = { buffer: SHARED_READ, callback: (n: number, buf: Uint8Array): boolean => { onData(Buffer.from(buf.buffer, buf.byteOffset, n)); return true; } };
    sock = net.connect(base, () => onReady(sock));
  }
  if (o.noDelay !== false) sock.setNoDelay(true);
  sock.on('error', (e) => out.failWith(e, ''));
  out.release(() => sock.destroy());
  return sock;
}
