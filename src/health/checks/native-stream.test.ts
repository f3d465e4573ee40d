/**
 * The addon path of TCP_CHECK and HTTP_GET (native-stream.ts, native/tcp_probe.c) beside the
 * net.Socket path it replaces: same verdicts, every connection closed, ids reused without
 * cross-talk, errno names as Node gives them. stream.test.ts runs the full checker scenarios
 * (which take the addon path for 127.0.0.1); a `bindTo` target takes the net.Socket path here.
 */
import test from 'ava';
import { constants } from 'node:os';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { nodeTimers } from '../timers.js';
import type { CheckProbe } from '../../model/index.js';
import { badServer, closedTcpPort, type BadServer, type Script } from '../../../test/fixtures/bad-servers.js';
import { httpChecker } from './http.js';
import { loadNative } from '../../native/index.js';
import { errnoError, nativeStreamStatus, openNativeStream, useTcpProbeAddon } from './native-stream.js';
import { Outcome } from './outcome.js';
import { tcpChecker } from './tcp.js';

useTcpProbeAddon(loadNative);

const HTTP: CheckProbe = { kind: 'http', tls: false, method: 'GET', urls: [{ path: '/', status: [] }], sni: false, httpVersion: '1.0', fastRecovery: false };
const VIA_NET: AttemptSpec['target'] = { bindTo: '127.0.0.1' };

/** Generous: no test here checks the deadline, and a loaded machine (load 10 on 2 cores) is slow. */
const GENEROUS_MS = 10_000;

function attempt(c: Checker, port: number, probe: CheckProbe, target: AttemptSpec['target'] = {}, timeoutMs = GENEROUS_MS): Promise<AttemptResult> {
  return runAttempt(c, { probe, address: '127.0.0.1', port, target, timeoutMs }, { clock: monotonicClock, timers: nodeTimers }).result;
}

async function server(t: { teardown(fn: () => Promise<void>): void }, s: Script): Promise<BadServer> {
  const srv = await badServer(s);
  t.teardown(() => srv.close());
  return srv;
}

const verdict = (r: AttemptResult): Omit<AttemptResult, 'latencyMs'> => {
  const { latencyMs, ...rest } = r;
  void latencyMs;
  return rest;
};

test('the addon path is available in this build', (t) => {
  t.like(nativeStreamStatus(), { enabled: true, available: true });
});

test('errno numbers become the codes describeError maps', (t) => {
  t.like(errnoError(constants.errno.ECONNREFUSED, 'x'), { code: 'ECONNREFUSED', errno: constants.errno.ECONNREFUSED });
  t.like(errnoError(constants.errno.ECONNRESET, 'x'), { code: 'ECONNRESET' });
  t.is(errnoError(100_000, 'x').code, 'E100000');
});

test('addon and net.Socket paths give the same verdicts (pass, status, garbage, reset, refused, empty)', async (t) => {
  const cases: Script[] = [
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello' },
    { kind: 'reply', data: 'HTTP/1.0 503 Busy\r\n\r\n' },
    { kind: 'reply', data: 'SSH-2.0-OpenSSH\r\n' },
    { kind: 'reset' },
    { kind: 'reply', data: '' },
  ];
  for (const c of cases) {
    const srv = await server(t, c);
    const viaAddon = await attempt(httpChecker, srv.port, HTTP);
    const viaNet = await attempt(httpChecker, srv.port, HTTP, VIA_NET);
    t.deepEqual(verdict(viaAddon), verdict(viaNet), JSON.stringify(c));
    t.is(srv.received[0], srv.received[1], 'the same request bytes');
  }
  const closed = await closedTcpPort();
  t.deepEqual(verdict(await attempt(tcpChecker, closed, { kind: 'tcp' })), verdict(await attempt(tcpChecker, closed, { kind: 'tcp' }, VIA_NET)));
  t.like(await attempt(tcpChecker, closed, { kind: 'tcp' }), { reason: 'refused', errno: 'ECONNREFUSED' });
  // HTTP sends right after connect (the refusal then shows in that send, and must still read as refused).
  t.deepEqual(verdict(await attempt(httpChecker, closed, HTTP)), verdict(await attempt(httpChecker, closed, HTTP, VIA_NET)));
  t.like(await attempt(httpChecker, closed, HTTP), { reason: 'refused', errno: 'ECONNREFUSED' });
});

test('300 concurrent TCP checks: every one passes and every connection is closed (ids reused)', async (t) => {
  const srv = await server(t, { kind: 'hang' });
  for (let round = 0; round < 2; round++) {
    const rs = await Promise.all(Array.from({ length: 150 }, () => attempt(tcpChecker, srv.port, { kind: 'tcp' })));
    t.true(rs.every((r) => r.ok), JSON.stringify(rs.find((r) => !r.ok)));
  }
  await srv.closedCount(300, 3 * GENEROUS_MS);
  t.is(srv.open(), 0);
});

test('an attempt cancelled before the answer closes its connection and hears nothing after', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\n', delayMs: 200 });
  const out = new Outcome();
  const seen: string[] = [];
  const close = openNativeStream({ probe: HTTP, address: '127.0.0.1', port: srv.port, target: {}, timeoutMs: GENEROUS_MS }, out, Buffer.from('GET / HTTP/1.0\r\n\r\n'), {
    onData: () => seen.push('data'),
    onEnd: () => seen.push('end'),
  });
  t.not(close, undefined);
  out.cancel();
  await srv.closedCount(1, GENEROUS_MS);
  t.deepEqual(seen, []);
  t.is(out.done, true);
});

test('targets the addon cannot honour go through net.Socket: bindTo, a host name', (t) => {
  const out = new Outcome();
  t.is(openNativeStream({ probe: HTTP, address: '127.0.0.1', port: 80, target: VIA_NET, timeoutMs: 1000 }, out, undefined, {}), undefined);
  t.is(openNativeStream({ probe: HTTP, address: 'localhost', port: 80, target: {}, timeoutMs: 1000 }, out, undefined, {}), undefined);
  t.false(out.done);
});
