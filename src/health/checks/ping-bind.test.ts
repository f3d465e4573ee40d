/**
 * PING_CHECK bindto: the echo requests leave from the bound address (the addon binds the ICMP
 * socket: native/icmp.c), one socket per family and source; a source that is not on this host
 * fails the attempt with the bind errno. Loopback only (127.0.0.0/8 is all local).
 */
import test from 'ava';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { nodeTimers } from '../timers.js';
import { loadNative } from '../../native/index.js';
import { IcmpPinger, pingChecker, type IcmpNative } from './ping.js';

function attempt(pinger: IcmpPinger, bindTo?: string): Promise<AttemptResult> {
  return runAttempt(pingChecker(pinger), { probe: { kind: 'ping' }, address: '127.0.0.1', port: 0, target: bindTo !== undefined ? { bindTo } : {}, timeoutMs: 10_000 }, { clock: monotonicClock, timers: nodeTimers }).result;
}

/** The real addon, recording each open's source address. */
function recording(): { native: IcmpNative; opens: Array<string | undefined> } {
  const real = loadNative();
  const opens: Array<string | undefined> = [];
  const native: IcmpNative = {
    icmpOpen: (family, raw, cb, bindAddress) => {
      opens.push(bindAddress);
      return bindAddress === undefined ? real.icmpOpen(family, raw, cb) : real.icmpOpen(family, raw, cb, bindAddress);
    },
    icmpSend: (h, dst, m) => real.icmpSend(h, dst, m),
    icmpClose: (h) => real.icmpClose(h),
  };
  return { native, opens };
}

test('bindto: the ICMP socket is bound to the source; unbound and each source get their own socket', async (t) => {
  const r = recording();
  const pinger = new IcmpPinger(() => r.native, process.pid);
  const [a, b, c] = await Promise.all([attempt(pinger, '127.0.0.5'), attempt(pinger), attempt(pinger, '127.0.0.6')]);
  for (const x of [a, b, c]) t.like(x, { ok: true, detail: 'echo reply' });
  t.deepEqual([...new Set(r.opens)].sort(), ['127.0.0.5', '127.0.0.6', undefined].sort(), 'a datagram socket refused (ping_group_range) is reopened raw, from the same source');
});

test('bindto an address that is not on this host fails the attempt with EADDRNOTAVAIL', async (t) => {
  const pinger = new IcmpPinger(loadNative, process.pid);
  const r = await attempt(pinger, '192.0.2.77');
  t.like(r, { ok: false, reason: 'error' });
  t.regex(JSON.stringify(r), /EADDRNOTAVAIL|address not available/i);
});
