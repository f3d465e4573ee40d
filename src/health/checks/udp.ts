/**
 * UDP_CHECK (keepalived check_udp.c + layer4.c udp_socket_state, 2.2.7): send `payload` (hex in
 * the model; empty datagram when none) on a connected socket.
 *  - An ICMP port unreachable (ECONNREFUSED) fails the check.
 *  - Without `require_reply`, silence until the timeout passes (expire): "we consider it
 *    success unless require_reply is set"; any reply passes at once.
 *  - With `require_reply`, a reply must come; when `replyHex` is given the reply's first bytes
 *    must equal it (keepalived compares min(len, reply_len) bytes), else any reply passes.
 */
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { openDatagram } from './datagram.js';
import { Outcome, excerpt } from './outcome.js';

export function replyMatches(reply: Buffer, expected: Buffer): boolean {
  const n = Math.min(reply.length, expected.length);
  return reply.subarray(0, n).equals(expected.subarray(0, n));
}

export const udpChecker: Checker = {
  kind: 'udp',
  start(spec: AttemptSpec): Attempt {
    const out = new Outcome();
    const probe = spec.probe;
    if (probe.kind !== 'udp') {
      out.fail('error', `udp checker given a ${probe.kind} probe`);
      return out.attempt();
    }
    const payload = Buffer.from(probe.payloadHex ?? '', 'hex');
    const expected = probe.replyHex !== undefined ? Buffer.from(probe.replyHex, 'hex') : undefined;
    openDatagram(spec, out, (d) => d.send(payload), (m) => {
      if (expected === undefined || !probe.requireReply || replyMatches(m, expected)) out.pass(`reply of ${m.length} bytes`);
      else out.fail('content', `reply ${excerpt(m)} does not start as expected`);
    });
    if (probe.requireReply) return out.attempt();
    return out.attempt((latencyMs) => ({ ok: true, latencyMs, detail: 'no reply and no ICMP error (require_reply off)' }));
  },
};
