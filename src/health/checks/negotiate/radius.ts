/**
 * service=radius, as ldirectord 4.12 check_radius with Authen::Radius 0.32: one Access-Request
 * over udp to the real server (User-Name `login`, User-Password `passwd`, shared secret
 * `secret`), no retransmission. Authen::Radius's check_pwd is true only for an Access-Accept
 * with a valid authenticator, and ldirectord is up only then: an Access-Reject, a challenge, a
 * reply signed with another secret and silence are all down. (The ldirectord documentation
 * suggests any answer counts; the code does not.)
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openDatagram } from '../datagram.js';
import type { Outcome } from '../outcome.js';
import { ACCESS_ACCEPT, ACCESS_CHALLENGE, ACCESS_REJECT, encodeAccessRequest, judgeReply } from './radius-packet.js';

const NAMES: Readonly<Record<number, string>> = { [ACCESS_ACCEPT]: 'Access-Accept', [ACCESS_REJECT]: 'Access-Reject', [ACCESS_CHALLENGE]: 'Access-Challenge' };

export function checkRadius(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): void {
  const id = randomInt(256);
  const authenticator = randomBytes(16);
  openDatagram(spec, out, (d) => {
    const nasIp = d.local().address;
    d.send(encodeAccessRequest({ id, authenticator, user: p.login, password: p.passwd, secret: p.secret, nasIp, messageAuthenticator: true }));
  }, (m) => {
    const v = judgeReply(m, id, authenticator, p.secret);
    if (v.kind === 'ignore') return;
    if (v.kind === 'bad') return out.fail('protocol', v.detail);
    const name = NAMES[v.code] ?? `RADIUS code ${v.code}`;
    if (v.code === ACCESS_ACCEPT) out.pass(name);
    else out.fail('status', name);
  });
}
