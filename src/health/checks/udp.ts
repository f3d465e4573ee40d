/**
 * UDP_CHECK (keepalived check_udp.c + layer4.c udp_socket_state, 2.2.7): send `payload` (hex in
 * the model; empty datagram when none) on a connected socket.
 *  - An ICMP port unreachable (ECONNREFUSED) fails the check.
 *  - Without `require_reply`, silence until the timeout passes (expire): "we consider it
 *    success unless require_reply is set"; any reply passes at once.
 *  - With `require_reply`, a reply must come; when `replyHex` is given the reply's length must
 *    be within [minReplyLength, maxReplyLength] and its first bytes must equal it, 'x' nibbles
 *    matching anything (keepalived check_udp_reply compares min(len, reply_len) bytes under the
 *    wildcard mask), else any reply passes.
 */
import type { CheckProbe } from '../../model/index.js';
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { openDatagram } from './datagram.js';
import { Outcome, excerpt } from './outcome.js';

type UdpProbe = Extract<CheckProbe, { kind: 'udp' }>;

export function replyMatches(reply: Buffer, p: Pick<UdpProbe, 'minReplyLength' | 'maxReplyLength'> & { replyHex: string }): boolean {
  if (reply.length < p.minReplyLength || reply.length > p.maxReplyLength) return false;
  const n = Math.min(reply.length, Math.floor(p.replyHex.length / 2));
  for (let i = 0; i < n * 2; i++) {
    const want = p.replyHex[i] ?? 'x';
    const nibble = ((reply[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    if (want !== 'x' && parseInt(want, 16) !== nibble) return false;
  }
  return true;
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
    const replyHex = probe.replyHex;
    openDatagram(spec, out, (d) => d.send(payload), (m) => {
      if (replyHex === undefined || !probe.requireReply || replyMatches(m, { ...probe, replyHex })) out.pass(`reply of ${m.length} bytes`);
      else out.fail('content', `reply ${excerpt(m)} does not start as expected`);
    });
    if (probe.requireReply) return out.attempt();
    return out.attempt((latencyMs) => ({ ok: true, latencyMs, detail: 'no reply and no ICMP error (require_reply off)' }));
  },
};
