/** DNS_CHECK: one UDP query, judged by dns-packet.ts (keepalived 2.2.7 semantics). */
import { randomInt } from 'node:crypto';
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { openDatagram } from './datagram.js';
import { encodeQuery, judgeReply } from './dns-packet.js';
import { Outcome } from './outcome.js';

export const dnsChecker: Checker = {
  kind: 'dns',
  start(spec: AttemptSpec): Attempt {
    const out = new Outcome();
    if (spec.probe.kind !== 'dns') {
      out.fail('error', `dns checker given a ${spec.probe.kind} probe`);
      return out.attempt();
    }
    const id = randomInt(0x10000);
    const q = encodeQuery(id, spec.probe.name, spec.probe.type);
    if (!q.ok) {
      out.fail('error', q.detail);
      return out.attempt();
    }
    openDatagram(spec, out, (d) => d.send(q.query), (m) => {
      const v = judgeReply(id, m);
      if (v.kind === 'pass') out.pass(v.detail);
      else if (v.kind === 'fail') out.fail('content', v.detail);
    });
    return out.attempt();
  },
};
