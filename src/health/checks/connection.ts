/**
 * A TCP or TLS connection for one attempt, with the target's bind options applied, closed when
 * the attempt ends (settled or cancelled). Connection errors settle the attempt.
 *
 * Target options: `bindTo` → localAddress, `bindPort` → localPort, `bindIf` → the IPv6 zone
 * (`fe80::1%eth0`). `fwmark` (keepalived's SO_MARK on the checker socket) is NOT supported:
 * Node exposes no setsockopt for SO_MARK on its sockets. It is listed in
 * UNSUPPORTED_TARGET_OPTIONS so front-ends refuse it, and an attempt that carries one fails
 * with reason `error` rather than probing unmarked.
 *
 * TLS: certificates are not verified (keepalived's SSL_GET does not verify unless a CA is
 * configured, and lvsd has no `ca` keyword); SNI is sent only when a server name is given.
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
  readonly tls?: { readonly servername?: string };
  /**
   * TCP_NODELAY (default true): a checker that writes once and then only reads (plain HTTP,
   * TCP_CHECK) passes false and saves two setsockopt calls per attempt (Node sets it again
   * after connecting); Nagle never delays a first write.
   */
  readonly noDelay?: boolean;
}

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
  const base = {
    host: hostOf(spec),
    port: spec.port,
    ...(spec.target.bindTo !== undefined ? { localAddress: spec.target.bindTo } : {}),
    ...(spec.target.bindPort !== undefined ? { localPort: spec.target.bindPort } : {}),
  };
  let sock: net.Socket;
  if (o.tls) {
    const servername = o.tls.servername;
    sock = tls.connect({ ...base, rejectUnauthorized: false, ...(servername !== undefined && !net.isIP(servername) ? { servername } : {}) }, () => onReady(sock));
  } else {
    sock = net.connect(base, () => onReady(sock));
  }
  if (o.noDelay !== false) sock.setNoDelay(true);
  sock.on('error', (e) => out.failWith(e, ''));
  out.release(() => sock.destroy());
  return sock;
}
