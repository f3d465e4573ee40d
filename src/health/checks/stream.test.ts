/**
 * TCP, HTTP, HTTPS and SMTP checkers against misbehaving servers on 127.0.0.1, each attempt run
 * under its deadline exactly as the engine runs it (runAttempt).
 */
import test from 'ava';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { FakeTimers, nodeTimers } from '../timers.js';
import type { CheckProbe, HttpExpect } from '../../model/index.js';
import { waitUntil } from '../../../test/fixtures/wait.js';
import { badServer, closedTcpPort, selfSigned, type BadServer, type Script } from '../../../test/fixtures/bad-servers.js';
import { httpChecker, httpRequest, MAX_BODY_BYTES } from './http.js';
import { smtpChecker } from './smtp.js';
import { tcpChecker } from './tcp.js';
import { loadNative } from '../../native/index.js';
import { useTcpProbeAddon } from './native-stream.js';

// Plain TCP and HTTP through the addon, as in the director (native-stream.test.ts compares with net.Socket).
useTcpProbeAddon(loadNative);

/**
 * The deadline is generous where it is not what a test checks: on a loaded machine (load 10 on
 * 2 cores) a loopback exchange can take a second. Tests of the deadline pass a short one, or
 * run it on fake timers (`timedAttempt`).
 */
const GENEROUS_MS = 10_000;

function attempt(c: Checker, port: number, probe: CheckProbe, timeoutMs = GENEROUS_MS, target: AttemptSpec['target'] = {}): Promise<AttemptResult> {
  return runAttempt(c, { probe, address: '127.0.0.1', port, target, timeoutMs }, { clock: monotonicClock, timers: nodeTimers }).result;
}

/** An attempt whose deadline runs on fake timers: it fires only when the test advances them. */
function timedAttempt(c: Checker, port: number, probe: CheckProbe, timeoutMs: number): { timers: FakeTimers; result: Promise<AttemptResult> } {
  const timers = new FakeTimers();
  return { timers, result: runAttempt(c, { probe, address: '127.0.0.1', port, target: {}, timeoutMs }, { clock: timers.clock, timers }).result };
}

function http(urls: HttpExpect[], o: Partial<Extract<CheckProbe, { kind: 'http' }>> = {}): Extract<CheckProbe, { kind: 'http' }> {
  return { kind: 'http', tls: false, method: 'GET', urls, sni: false, httpVersion: '1.0', fastRecovery: false, ...o };
}

const url = (u: Partial<HttpExpect> = {}): HttpExpect => ({ path: '/health', status: [], ...u });
const HELLO_MD5 = '5d41402abc4b2a76b9719d911017c592'; // md5("hello")

async function server(t: { teardown(fn: () => Promise<void>): void }, s: Script, o: Parameters<typeof badServer>[1] = {}): Promise<BadServer> {
  const srv = await badServer(s, o);
  t.teardown(() => srv.close());
  return srv;
}

test('tcp: connect passes and the socket is closed after; a closed port is refused', async (t) => {
  const srv = await server(t, { kind: 'hang' });
  t.like(await attempt(tcpChecker, srv.port, { kind: 'tcp' }), { ok: true, detail: 'connected' });
  await srv.closedCount(1, GENEROUS_MS);
  t.like(await attempt(tcpChecker, await closedTcpPort(), { kind: 'tcp' }), { ok: false, reason: 'refused', errno: 'ECONNREFUSED' });
});

test('smtp: fwmark is refused, not ignored (Node sockets; TCP_CHECK and HTTP_GET mark through the addon: fwmark.test.ts)', async (t) => {
  t.like(await attempt(smtpChecker, 1, { kind: 'smtp', heloName: 'x' }, GENEROUS_MS, { fwmark: 7 }), { ok: false, reason: 'error', detail: 'fwmark 7 is not supported (Node cannot set SO_MARK on a checker socket)' });
});

test('http: 200 passes; the request is keepalived\'s GET with User-Agent and Host ADDRESS:PORT', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello' });
  t.like(await attempt(httpChecker, srv.port, http([url()])), { ok: true, detail: 'HTTP 200' });
  t.is(srv.received[0], `GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`);
});

test('http: HTTP/1.1 sends Connection: close and the virtualhost as Host', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.1 204 No Content\r\n\r\n' });
  t.like(await attempt(httpChecker, srv.port, http([url({ virtualhost: 'www.example.test' })], { httpVersion: '1.1' })), { ok: true });
  t.is(srv.received[0], 'GET /health HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.test\r\n\r\n');
});

test('http: a wrong status fails as "HTTP 503"; status_code ranges accept it', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 503 Service Unavailable\r\n\r\nbusy' });
  t.like(await attempt(httpChecker, srv.port, http([url()])), { ok: false, reason: 'status', detail: 'HTTP 503' });
  t.like(await attempt(httpChecker, srv.port, http([url({ status: [[500, 503]] })])), { ok: true, detail: 'HTTP 503' });
});

test('http: digest of the body (read to EOF, by Content-Length, and chunked)', async (t) => {
  const eof = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\nhello' });
  const chunked = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3;x=1\r\nllo\r\n0\r\n\r\n', keepOpen: true });
  const wrong = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nHELLO' });
  t.like(await attempt(httpChecker, eof.port, http([url({ digest: HELLO_MD5 })])), { ok: true });
  t.like(await attempt(httpChecker, chunked.port, http([url({ digest: HELLO_MD5 })])), { ok: true });
  t.like(await attempt(httpChecker, wrong.port, http([url({ digest: HELLO_MD5 })])), { ok: false, reason: 'content', detail: `digest eb61eead90e3b899c6bcbe27ac581660, expected ${HELLO_MD5}` });
});

test('http: regex and regex_no_match', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\nstatus: green' });
  t.like(await attempt(httpChecker, srv.port, http([url({ regex: 'green' })])), { ok: true });
  t.like(await attempt(httpChecker, srv.port, http([url({ regex: 'red' })])), { ok: false, reason: 'content', detail: 'body does not match /red/' });
  t.like(await attempt(httpChecker, srv.port, http([url({ regex: 'red', regexNoMatch: true })])), { ok: true });
});

test('http: every url must pass; the failing one is named', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\nhello' });
  const r = await attempt(httpChecker, srv.port, http([url({ path: '/a' }), url({ path: '/b', digest: '0'.repeat(32) })]));
  t.like(r, { ok: false, reason: 'content' });
  t.regex(r.ok ? '' : r.detail, / on \/b$/);
  t.is(srv.received.length, 2);
});

test('http: garbage instead of HTTP is a protocol failure', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'SSH-2.0-OpenSSH_9.2\r\n' });
  const r = await attempt(httpChecker, srv.port, http([url()]));
  t.like(r, { ok: false, reason: 'protocol' });
  t.regex(r.ok ? '' : r.detail, /^not an HTTP response: "SSH-2.0/);
});

test('http: reset mid-exchange is `reset`; close without a response is `protocol`', async (t) => {
  const reset = await server(t, { kind: 'reset' });
  t.like(await attempt(httpChecker, reset.port, http([url()])), { ok: false, reason: 'reset', detail: 'connection reset' });
  const empty = await server(t, { kind: 'reply', data: '' });
  t.like(await attempt(httpChecker, empty.port, http([url()])), { ok: false, reason: 'protocol', detail: 'connection closed without a response' });
});

test('http: accepts and never answers → timeout at the deadline, and our socket is closed', async (t) => {
  const srv = await server(t, { kind: 'hang' });
  const a = timedAttempt(httpChecker, srv.port, http([url()]), 300);
  await waitUntil(() => srv.received.length === 1, 'the request to arrive');
  let settled = false;
  void a.result.then(() => (settled = true));
  await a.timers.advance(299);
  t.false(settled, 'still waiting 1 ms before the deadline');
  t.is(srv.open(), 1);
  await a.timers.advance(1);
  t.true(settled, 'settled at the deadline');
  const r = await a.result;
  t.like(r, { ok: false, reason: 'timeout', detail: 'timeout after 300 ms', latencyMs: 300 });
  await srv.closedCount(1, GENEROUS_MS);
  t.is(srv.open(), 0);
});

test('http: a slow server passes within the timeout and times out beyond it', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\n', delayMs: 150 });
  t.like(await attempt(httpChecker, srv.port, http([url()])), { ok: true });
  // The 50 ms deadline is armed before the server's 150 ms delay starts, and both run on this
  // event loop, so the deadline fires first however late the loop runs.
  t.like(await attempt(httpChecker, srv.port, http([url()]), 50), { ok: false, reason: 'timeout' });
});

test('http: a flood is cut at the body bound (digest), and passes at the headers when only the status matters', async (t) => {
  const srv = await server(t, { kind: 'flood', head: 'HTTP/1.0 200 OK\r\n\r\n' });
  const r = await attempt(httpChecker, srv.port, http([url({ digest: HELLO_MD5 })]));
  t.like(r, { ok: false, reason: 'protocol', detail: `response body over ${MAX_BODY_BYTES} bytes` });
  t.like(await attempt(httpChecker, srv.port, http([url()])), { ok: true, detail: 'HTTP 200' });
  const headless = await server(t, { kind: 'flood', head: 'HTTP/1.0 200 OK\r\n' });
  t.like(await attempt(httpChecker, headless.port, http([url()])), { ok: false, reason: 'protocol', detail: 'no end of headers within 16384 bytes' });
  await srv.closedCount(2, GENEROUS_MS);
});

test('https: a self-signed certificate is accepted; SNI only when enabled', async (t) => {
  const cert = selfSigned(['www.example.test']);
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\nhello' }, { tls: cert });
  const probe = (sni: boolean): CheckProbe => http([url({ digest: HELLO_MD5, virtualhost: 'www.example.test', ...(sni ? { sniName: 'www.example.test' } : {}) })], { tls: true, sni });
  t.like(await attempt(httpChecker, srv.port, probe(true)), { ok: true });
  t.like(await attempt(httpChecker, srv.port, probe(false)), { ok: true });
  t.deepEqual(srv.servernames, ['www.example.test', '']);
});

test('https: a plain-HTTP server behind SSL_GET is a TLS protocol failure', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.0 200 OK\r\n\r\n' });
  const r = await attempt(httpChecker, srv.port, http([url()], { tls: true }));
  t.like(r, { ok: false });
  t.true(!r.ok && (r.reason === 'protocol' || r.reason === 'reset'), JSON.stringify(r));
});

const SMTP_OK: Script = { kind: 'lines', banner: '220-mx.example.test ESMTP\r\n220 ready\r\n', lines: { HELO: '250 mx.example.test\r\n', QUIT: '221 bye\r\n' } };

test('smtp: multi-line 220 banner, HELO with helo_name → 250, QUIT', async (t) => {
  const srv = await server(t, SMTP_OK);
  t.like(await attempt(smtpChecker, srv.port, { kind: 'smtp', heloName: 'lvsd.test' }), { ok: true });
  t.is(srv.received[0], 'HELO lvsd.test\r\nQUIT\r\n');
});

test('smtp: a 554 banner, a refused HELO, garbage, and silence', async (t) => {
  const busy = await server(t, { kind: 'lines', banner: '554 no service\r\n', lines: {} });
  t.like(await attempt(smtpChecker, busy.port, { kind: 'smtp', heloName: 'x' }), { ok: false, reason: 'status', detail: 'SMTP 554 to connect: "554 no service"' });
  const nohelo = await server(t, { kind: 'lines', banner: '220 hi\r\n', lines: { HELO: '501 bad\r\n' } });
  t.like(await attempt(smtpChecker, nohelo.port, { kind: 'smtp', heloName: 'x' }), { ok: false, reason: 'status' });
  const junk = await server(t, { kind: 'lines', banner: 'hello there\r\n', lines: {} });
  t.like(await attempt(smtpChecker, junk.port, { kind: 'smtp', heloName: 'x' }), { ok: false, reason: 'protocol', detail: 'not an SMTP reply: "hello there"' });
  const mute = await server(t, { kind: 'hang' });
  t.like(await attempt(smtpChecker, mute.port, { kind: 'smtp', heloName: 'x' }, 200), { ok: false, reason: 'timeout' });
  await mute.closedCount(1, GENEROUS_MS);
});

test('http request text: http_protocol 1.0C is HTTP/1.0 with Connection: close (check_http.c 2.2.7)', (t) => {
  const probe = http([url()], { httpVersion: '1.0C' });
  t.is(probe.kind === 'http' ? httpRequest({ address: '10.0.0.1', port: 80 }, probe, url()) : '', 'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:80\r\n\r\n');
});

test('http request text: IPv6 Host in brackets (RFC 2732, keepalived request_template_ipv6), HEAD method', (t) => {
  const probe = http([url()], { method: 'HEAD' });
  t.is(probe.kind === 'http' ? httpRequest({ address: '2001:db8::2', port: 8080 }, probe, url()) : '', 'HEAD /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [2001:db8::2]:8080\r\n\r\n');
});
