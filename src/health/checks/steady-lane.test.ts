/**
 * The steady lane over the real addon (native/tcp_repeat.c) against loopback servers: a passing
 * target repeats without a miss, and every miss gives the result the checker itself gives for
 * the same server (the checker's attempt is the oracle), each connection closed.
 */
import net from 'node:net';
import test from 'ava';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { nodeTimers } from '../timers.js';
import type { CheckProbe } from '../../model/index.js';
import { badServer, closedTcpPort, type BadServer, type Script } from '../../../test/fixtures/bad-servers.js';
import { loadNative } from '../../native/index.js';
import { httpChecker } from './http.js';
import { createNegotiateChecker } from './negotiate/negotiate.js';
import { useTcpProbeAddon } from './native-stream.js';
import { steadyLane } from './steady-lane.js';
import { tcpChecker } from './tcp.js';

useTcpProbeAddon(loadNative);

const HTTP: CheckProbe = { kind: 'http', tls: false, method: 'GET', urls: [{ path: '/', status: [] }], sni: false, httpVersion: '1.0', fastRecovery: false };
const TCP: CheckProbe = { kind: 'tcp' };
const GENEROUS_MS = 10_000;

const spec = (probe: CheckProbe, port: number, timeoutMs = GENEROUS_MS, target: AttemptSpec['target'] = {}): AttemptSpec => ({ probe, address: '127.0.0.1', port, target, timeoutMs });

async function server(t: { teardown(fn: () => Promise<void>): void }, s: Script): Promise<BadServer> {
  const srv = await badServer(s);
  t.teardown(() => srv.close());
  return srv;
}

const verdict = (r: AttemptResult | undefined): unknown => {
  if (r === undefined) return undefined;
  const { latencyMs, ...rest } = r;
  void latencyMs;
  return rest;
};

/** The lane's first miss for `s` (first attempt at once, then every 20 ms). */
function firstMiss(s: AttemptSpec): Promise<AttemptResult | undefined> {
  return new Promise((resolve, reject) => {
    const h = steadyLane.start(s, 0, 20, (r) => resolve(r));
    if (h === undefined) reject(new Error('the lane did not take the probe'));
  });
}

/** ldirectord's `service=http checktype=negotiate request="/" receive="ok"` at 127.0.0.1:port. */
const negotiate = (port: number, receive = 'ok'): CheckProbe => ({
  kind: 'negotiate', service: 'http', request: '/', receive, url: `http://127.0.0.1:${port}/`, method: 'GET',
  login: '', passwd: '', database: '', secret: '', transport: 'tcp', connectBetween: 0, connectTimeoutMs: GENEROUS_MS,
});

const negotiateChecker = createNegotiateChecker();
const checkerOf = (p: CheckProbe): Checker => (p.kind === 'tcp' ? tcpChecker : p.kind === 'negotiate' ? negotiateChecker : httpChecker);
const oracle = (s: AttemptSpec): Promise<AttemptResult> => runAttempt(checkerOf(s.probe), s, { clock: monotonicClock, timers: nodeTimers }).result;

test('every miss reads as the checker\'s own verdict: status, garbage, reset, empty, headers cut by the close, refused', async (t) => {
  const cases: Script[] = [
    { kind: 'reply', data: 'HTTP/1.0 503 Busy\r\n\r\n' },
    { kind: 'reply', data: 'HTTP/1.1 301\r\nLocation: /x\r\n\r\n' },
    { kind: 'reply', data: 'SSH-2.0-OpenSSH_9.2\r\n' },
    { kind: 'reset' },
    { kind: 'reply', data: '' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nServer: x' },
    { kind: 'flood', head: 'HTTP/1.0 200 OK\r\nX: ' },
  ];
  for (const c of cases) {
    const srv = await server(t, c);
    const got = await firstMiss(spec(HTTP, srv.port));
    t.deepEqual(verdict(got), verdict(await oracle(spec(HTTP, srv.port))), JSON.stringify(c).slice(0, 80));
    t.is(srv.received[0], srv.received[1], 'the same request bytes');
  }
  const closed = await closedTcpPort();
  for (const p of [HTTP, TCP]) {
    const got = await firstMiss(spec(p, closed));
    t.like(got, { ok: false, reason: 'refused', errno: 'ECONNREFUSED' });
    t.deepEqual(verdict(got), verdict(await oracle(spec(p, closed))));
  }
});

test('a server that never answers: the miss is the deadline, "timeout after 200 ms", and the connection is closed', async (t) => {
  const srv = await server(t, { kind: 'hang' });
  const got = await firstMiss(spec(HTTP, srv.port, 200));
  t.like(got, { ok: false, reason: 'timeout', detail: 'timeout after 200 ms' });
  t.true((got?.latencyMs ?? 0) >= 190);
  await srv.closedCount(1, GENEROUS_MS);
  t.is(srv.open(), 0);
});

test('a passing target repeats with no miss; stats give the last pass; stop closes and silences it', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 204 No Content\r\n\r\n' });
  const tcp = await server(t, { kind: 'hang' });
  let misses = 0;
  const h = steadyLane.start(spec(HTTP, srv.port), 0, 20, () => misses++);
  const ht = steadyLane.start(spec(TCP, tcp.port), 0, 20, () => misses++);
  if (h === undefined || ht === undefined) return t.fail('the lane did not take the probes');
  await srv.closedCount(5, GENEROUS_MS);
  await tcp.closedCount(5, GENEROUS_MS);
  const st = h.stats();
  t.like(st.last?.result, { ok: true, detail: 'HTTP 204' });
  t.true((st.last?.atUs ?? 0) <= monotonicClock.nowUs() && (st.last?.atUs ?? 0) > monotonicClock.nowUs() - 5_000_000);
  t.like(ht.stats().last?.result, { ok: true, detail: 'connected' });
  h.stop();
  ht.stop();
  const n = srv.received.length;
  await new Promise((r) => setTimeout(r, 100));
  t.is(srv.received.length, n, 'no attempt after stop');
  t.is(misses, 0);
  t.deepEqual(h.stop(), {}, 'a second stop is harmless');
});

test('probes the lane cannot run exactly as their checker are refused: bindto, a digest, two urls, TLS', (t) => {
  t.is(steadyLane.start(spec(TCP, 80, 1000, { bindTo: '127.0.0.1' }), 0, 1000, () => undefined), undefined);
  t.is(steadyLane.start(spec({ ...HTTP, urls: [{ path: '/', status: [], digest: '0'.repeat(32) }] } as CheckProbe, 80), 0, 1000, () => undefined), undefined);
  t.is(steadyLane.start(spec({ ...HTTP, urls: [{ path: '/', status: [] }, { path: '/b', status: [] }] } as CheckProbe, 80), 0, 1000, () => undefined), undefined);
  t.is(steadyLane.start(spec({ ...HTTP, tls: true } as CheckProbe, 80), 0, 1000, () => undefined), undefined);
});

test('negotiate http: every miss reads as the checker\'s own verdict (status, receive not in the body or past its length, body cut short, chunked)', async (t) => {
  const cases: Script[] = [
    { kind: 'reply', data: 'HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\n\r\nok' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nno' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\nnot here' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nxxok' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nok' },
    { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n' },
    { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\no\r\n1\r\nk\r\n0\r\n\r\n' },
    { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n' },
    { kind: 'reset' },
  ];
  for (const c of cases) {
    const srv = await server(t, c);
    const got = await firstMiss(spec(negotiate(srv.port), srv.port));
    const want = await oracle(spec(negotiate(srv.port), srv.port));
    t.deepEqual(verdict(got), verdict(want), JSON.stringify(c).slice(0, 90));
    t.is(srv.received[0], srv.received[1], 'the same request bytes');
  }
});

/** A server that answers each request with the headers, then 30 ms later the rest, and keeps the connection open. */
async function slowServer(t: { teardown(fn: () => void): void }, head: string, rest: string): Promise<number> {
  const socks = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    socks.add(c);
    c.on('error', () => undefined);
    c.once('data', () => {
      c.write(head);
      setTimeout(() => c.writable && c.write(rest), 30);
    });
  });
  t.teardown(() => {
    for (const c of socks) c.destroy();
    srv.close();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

test('negotiate http: a chunked body is handed over at its last chunk, or at the deadline when a trailer follows on a connection left open, and judged as the checker judges it', async (t) => {
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  const chunks = '1\r\no\r\n1\r\nk\r\n0\r\n';
  for (const [rest, timeoutMs] of [[`${chunks}\r\n`, GENEROUS_MS], [`${chunks}X-Trailer: 1\r\n\r\n`, 300]] as const) {
    const port = await slowServer(t, head, rest);
    const data = head + rest;
    const s = spec(negotiate(port), port, timeoutMs);
    const want = await oracle(s);
    t.like(want, { ok: true, detail: 'HTTP 200' }, 'the checker passes at the last chunk');
    const got = await firstMiss(s);
    t.deepEqual(verdict(got), verdict(want), data.slice(-20));
    if (timeoutMs === GENEROUS_MS) t.true((got?.latencyMs ?? Infinity) < 1000, 'handed over at the last chunk, not at the deadline');
  }
});

test('negotiate http: a redirect is left to the checker (it follows it): the miss has no verdict', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n' });
  t.is(await firstMiss(spec(negotiate(srv.port), srv.port)), undefined);
});

test('negotiate http: a body that has the receive string repeats with no miss, by Content-Length (any case, spaces, bytes after it) or by end of stream', async (t) => {
  const bodies = [
    'HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\nit\'s ok',
    'HTTP/1.1 200 OK\r\ncontent-LENGTH :  4 \r\n\r\nx okTRAILING',
    'HTTP/1.0 200 OK\r\nServer: t\r\n\r\nall ok\n',
    'HTTP/1.0 200 OK\r\n\r\n' + 'x'.repeat(100_000) + 'ok',
  ];
  for (const data of bodies) {
    const srv = await server(t, { kind: 'reply', data });
    const p = negotiate(srv.port);
    t.like(await oracle(spec(p, srv.port)), { ok: true }, 'the checker passes it too');
    let misses = 0;
    const h = steadyLane.start(spec(p, srv.port), 0, 20, () => misses++);
    if (h === undefined) return t.fail('the lane did not take the probe');
    await srv.closedCount(5, GENEROUS_MS);
    t.like(h.stats().last?.result, { ok: true, detail: 'HTTP 200' }, data.slice(0, 40));
    h.stop();
    t.is(misses, 0, data.slice(0, 40));
  }
});

test('negotiate probes the lane cannot run as checkHttp would are refused: a pattern, HEAD, checktype N, https, another host', (t) => {
  const base = negotiate(80) as Extract<CheckProbe, { kind: 'negotiate' }>;
  const refused: CheckProbe[] = [
    { ...base, receive: 'o+k' },
    { ...base, receive: '^ok' },
    { ...base, method: 'HEAD' },
    { ...base, connectBetween: 3 },
    { ...base, service: 'https', url: 'https://127.0.0.1:80/' },
    { ...base, url: 'http://example.org/' },
  ];
  for (const p of refused) t.is(steadyLane.start(spec(p, 80), 0, 1000, () => undefined), undefined, JSON.stringify(p).slice(0, 120));
  const h = steadyLane.start(spec({ ...base, receive: '' }, 80), 60_000, 60_000, () => undefined);
  t.not(h, undefined, 'an empty receive: the status decides');
  h?.stop();
});
