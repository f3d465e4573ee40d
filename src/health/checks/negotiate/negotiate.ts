/**
 * The `negotiate` checker: ldirectord's checktype negotiate and checktype N (combined).
 *
 * checktype N, as ldirectord 4.12 _check_real: the first check negotiates; after a passed
 * negotiation the next N checks are plain connects (each pass counts one; a failed connect makes
 * the next check negotiate again); then a negotiation again. A failed negotiation is followed by
 * another. N = 0 (and checktype negotiate) negotiates every time. The count is kept per probe
 * and address in this checker (its own state, not global): a reload that changes the probe
 * starts again with a negotiation.
 *
 * The connect check is ldirectord's check_connect: a TCP connection within checktimeout
 * (`connectTimeoutMs`), then closed. For a udp service its connect() sends nothing and cannot
 * fail, so ldirectord counts it as passed; so does lvsd.
 */
import type { Attempt, AttemptSpec, Checker } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openStream } from '../connection.js';
import { Outcome } from '../outcome.js';
import { SERVICE_CHECKS } from './services.js';
import { formatDuration } from '../../run-attempt.js';

/** Before any negotiation, and after a failed connect: negotiate next (ldirectord's 999999). */
const NEGOTIATE_NEXT = Number.POSITIVE_INFINITY;

function negotiate(spec: AttemptSpec, p: NegotiateProbe): Outcome {
  const out = new Outcome();
  try {
    const r = SERVICE_CHECKS[p.service](spec, p, out);
    if (r instanceof Promise) r.catch((e: unknown) => out.fail('error', `${p.service} check failed: ${e instanceof Error ? e.message : String(e)}`));
  } catch (e) {
    out.fail('error', `${p.service} check failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

function connect(spec: AttemptSpec, p: NegotiateProbe): Outcome {
  const out = new Outcome();
  if (p.transport === 'udp') {
    out.pass('udp connect (nothing sent), as ldirectord');
    return out;
  }
  const sock = openStream(spec, out, {}, () => out.pass('connected'));
  sock?.setTimeout(p.connectTimeoutMs, () => out.fail('timeout', `connect timeout after ${formatDuration(p.connectTimeoutMs)}`));
  return out;
}

export function createNegotiateChecker(): Checker {
  // Connects done since the last passed negotiation, per probe object and address.
  const counts = new WeakMap<NegotiateProbe, Map<string, number>>();
  return {
    kind: 'negotiate',
    start(spec: AttemptSpec): Attempt {
      const p = spec.probe;
      if (p.kind !== 'negotiate') {
        const out = new Outcome();
        out.fail('error', `negotiate checker given a ${p.kind} probe`);
        return out.attempt();
      }
      // checktype negotiate: no count to keep.
      if (p.connectBetween === 0) return negotiate(spec, p).attempt();
      let perProbe = counts.get(p);
      if (perProbe === undefined) counts.set(p, (perProbe = new Map()));
      const byAddress = perProbe;
      const key = `${spec.address}|${spec.port}`;
      const done = byAddress.get(key) ?? NEGOTIATE_NEXT;
      if (done >= p.connectBetween) {
        const out = negotiate(spec, p);
        void out.result.then((r) => r.ok && byAddress.set(key, 0));
        return out.attempt();
      }
      const out = connect(spec, p);
      void out.result.then((r) => byAddress.set(key, r.ok ? done + 1 : NEGOTIATE_NEXT));
      // A connect cut by the attempt's deadline failed too.
      const cancel = (): void => {
        byAddress.set(key, NEGOTIATE_NEXT);
        out.cancel();
      };
      return { result: out.result, cancel };
    },
  };
}
