/**
 * TCP_CHECK: the server is up when a TCP connection to it completes (keepalived check_tcp.c:
 * connect, then close). Refused, reset, unreachable and timeout are failures.
 */
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { openStream } from './connection.js';
import { openNativeStream } from './native-stream.js';
import { Outcome } from './outcome.js';

export const tcpChecker: Checker = {
  kind: 'tcp',
  start(spec: AttemptSpec): Attempt {
    const out = new Outcome();
    // Through the addon when nothing differs (native-stream.ts), else a net.Socket.
    if (openNativeStream(spec, out, undefined, { onConnect: () => out.pass('connected') }) !== undefined) return out.attempt();
    openStream(spec, out, { noDelay: false }, () => out.pass('connected'));
    return out.attempt();
  },
};
