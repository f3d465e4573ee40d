/**
 * service=nntp, as ldirectord 4.12 check_nntp: connect, read the first bytes the server sends
 * (at most 64, one read); up when the first byte is `2` (RFC 3977 §5.1: 200/201 greeting).
 * Nothing is sent, not even QUIT. `request` and `receive` are not used.
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { openStream } from '../connection.js';
import { excerpt, type Outcome } from '../outcome.js';

export function checkNntp(spec: AttemptSpec, _p: NegotiateProbe, out: Outcome): void {
  const sock = openStream(spec, out, {}, () => undefined);
  sock?.once('data', (d: Buffer) => {
    const first = d.subarray(0, 64);
    if (first[0] === 0x32) out.pass(`NNTP ${excerpt(first, 20)}`);
    else out.fail('status', `NNTP greeting ${excerpt(first)}`);
  });
  sock?.on('end', () => out.fail('protocol', 'connection closed before the NNTP greeting'));
}
