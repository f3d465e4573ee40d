/**
 * SMTP_CHECK (keepalived check_smtp.c 2.2.7): read the greeting and require 220, send
 * `HELO <helo_name>` and require 250, send `QUIT` and take any reply (or the close) as the end.
 * Unlike keepalived, multi-line replies (RFC 5321 §4.2: `220-...` continuation lines, then
 * `220 ...`) are read whole; keepalived judges only the first line, so it fails servers whose
 * banner spans lines. A reply over 4 KiB without its last line is garbage (`protocol`).
 */
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import { openStream } from './connection.js';
import { Outcome, excerpt } from './outcome.js';

const MAX_REPLY_BYTES = 4096;

export type Reply = { readonly code: number; readonly text: string } | { readonly garbage: string };

/** Extracts one complete SMTP reply from the front of `buf` (pure), or undefined for "read more". */
export function takeReply(buf: string): { reply: Reply; rest: string } | undefined {
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\n', at);
    if (eol < 0) return buf.length > MAX_REPLY_BYTES ? { reply: { garbage: buf }, rest: '' } : undefined;
    const line = buf.slice(at, eol).replace(/\r$/, '');
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
    if (m === null) return { reply: { garbage: line }, rest: buf.slice(eol + 1) };
    if (m[2] !== '-') return { reply: { code: Number(m[1]), text: line }, rest: buf.slice(eol + 1) };
    at = eol + 1;
  }
}

type Step = 'banner' | 'helo' | 'quit';
const EXPECT: Record<Exclude<Step, 'quit'>, number> = { banner: 220, helo: 250 };

export const smtpChecker: Checker = {
  kind: 'smtp',
  start(spec: AttemptSpec): Attempt {
    const out = new Outcome();
    if (spec.probe.kind !== 'smtp') {
      out.fail('error', `smtp checker given a ${spec.probe.kind} probe`);
      return out.attempt();
    }
    const helo = spec.probe.heloName;
    let step: Step = 'banner';
    let buf = '';
    const sock = openStream(spec, out, {}, () => undefined);
    const onReply = (r: Reply): void => {
      if (step === 'quit') return out.pass('SMTP 220/250');
      if ('garbage' in r) return out.fail('protocol', `not an SMTP reply: ${excerpt(r.garbage)}`);
      if (r.code !== EXPECT[step]) return out.fail('status', `SMTP ${r.code} to ${step === 'banner' ? 'connect' : 'HELO'}: ${excerpt(r.text, 60)}`);
      if (step === 'banner') {
        step = 'helo';
        sock?.write(`HELO ${helo}\r\n`);
      } else {
        step = 'quit';
        sock?.write('QUIT\r\n');
      }
    };
    sock?.setEncoding('latin1');
    sock?.on('data', (d: string) => {
      buf += d;
      for (let r = takeReply(buf); r !== undefined && !out.done; r = takeReply(buf)) {
        buf = r.rest;
        onReply(r.reply);
      }
    });
    sock?.on('end', () => {
      if (step === 'quit') out.pass('SMTP 220/250');
      else out.fail('protocol', `connection closed waiting for the ${step === 'banner' ? 'greeting' : 'HELO reply'}`);
    });
    return out.attempt();
  },
};
