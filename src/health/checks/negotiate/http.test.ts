/**
 * The http/https/http_proxy negotiate check against scripted servers on 127.0.0.1: ldirectord's
 * request (Host = virtualhost or the real server's address), receive on the body, HEAD,
 * redirects as LWP follows them, proxying, TLS without verification and SNI; plain HTTP through
 * the addon (native-stream.ts), a reset or refused server, and a probe's state kept per address.
 */
import test from 'ava';
import { badServer, selfSigned, type BadServer, type Script } from '../../../../test/fixtures/bad-servers.js';
import { createNegotiateChecker } from './negotiate.js';
import { MAX_REDIRECTS } from './http.js';
import { attempt, probe } from './probe-fixture.js';
import { loadNative } from '../../../native/index.js';
import { nativeStreamStatus, useTcpProbeAddon } from '../native-stream.js';

// Plain HTTP to an address goes through the addon, as in the director; TLS and names through net/tls.
useTcpProbeAddon(loadNative);

const negotiate = createNegotiateChecker();

async function server(t: { teardown(fn: () => Promise<void>): void }, s: Script, o: Parameters<typeof badServer>[1] = {}): Promise<BadServer> {
  const srv = await badServer(s, o);
  t.teardown(() => srv.close());
  return srv;
}

const http = (port: number, o: Parameters<typeof probe>[0] = {}): ReturnType<typeof probe> =>
  probe({ service: 'http', request: '/alive.html', url: `http://127.0.0.1:${port}/alive.html`, ...o });

test('http: GET with Host = the real server\'s address (no port); 2xx and receive on the body', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nI am alive' });
  t.like(await attempt(negotiate, srv.port, http(srv.port, { receive: 'alive$' })), { ok: true, detail: 'HTTP 200' });
  t.is(srv.received[0], 'GET /alive.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n');
  t.like(await attempt(negotiate, srv.port, http(srv.port, { receive: 'dead' })), { ok: false, reason: 'content', detail: 'body does not match /dead/' });
  t.like(await attempt(negotiate, srv.port, http(srv.port, { virtualhost: 'www.example.test' })), { ok: true });
  t.regex(srv.received[2] ?? '', /\r\nHost: www\.example\.test\r\n/);
});

test('http: a 5xx is down whatever the body; HEAD passes on the status and fails a receive', async (t) => {
  const err = await server(t, { kind: 'reply', data: 'HTTP/1.1 503 Busy\r\nContent-Length: 5\r\n\r\nalive' });
  t.like(await attempt(negotiate, err.port, http(err.port, { receive: 'alive' })), { ok: false, reason: 'status', detail: 'HTTP 503' });
  const head = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' });
  t.like(await attempt(negotiate, head.port, http(head.port, { method: 'HEAD' })), { ok: true });
  t.true(head.received[0]?.startsWith('HEAD /alive.html HTTP/1.1\r\n'));
  t.like(await attempt(negotiate, head.port, http(head.port, { method: 'HEAD', receive: 'alive' })), { ok: false, reason: 'content' });
});

test('http: redirects are followed (Location relative or absolute), the new Host is the URL\'s, at most 7', async (t) => {
  const target = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK' });
  const hop = await server(t, { kind: 'reply', data: `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${target.port}/final\r\nContent-Length: 0\r\n\r\n` });
  t.like(await attempt(negotiate, hop.port, http(hop.port, { receive: 'OK', virtualhost: 'vh' })), { ok: true, detail: `HTTP 200 at http://127.0.0.1:${target.port}/final after 1 redirect` });
  t.is(target.received[0], `GET /final HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n`);
  const loop = await server(t, { kind: 'reply', data: 'HTTP/1.1 301 Moved\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n' });
  t.like(await attempt(negotiate, loop.port, http(loop.port)), { ok: false, reason: 'status', detail: `HTTP 301 at http://127.0.0.1:${loop.port}/again after ${MAX_REDIRECTS} redirects` });
  t.is(loop.received.length, MAX_REDIRECTS + 1);
});

test('http_proxy: the absolute URL goes to the real server as a proxy', async (t) => {
  const proxy = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nproxy' });
  const p = probe({ service: 'http_proxy', request: '/http://www.example.test/', url: 'http://www.example.test/', receive: 'proxy' });
  t.like(await attempt(negotiate, proxy.port, p), { ok: true });
  t.is(proxy.received[0], 'GET http://www.example.test/ HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n');
});

test('https: a self-signed certificate is accepted; SNI is the virtualhost (none without one)', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure' }, { tls: selfSigned(['www.example.test']) });
  const p = probe({ service: 'https', request: '/', url: `https://127.0.0.1:${srv.port}/`, receive: 'secure' });
  t.like(await attempt(negotiate, srv.port, { ...p, virtualhost: 'www.example.test' }), { ok: true });
  t.like(await attempt(negotiate, srv.port, p), { ok: true });
  t.deepEqual(srv.servernames, ['www.example.test', '']);
});

test('http: plain HTTP goes through the addon; a reset and a refused server fail as reset and refused', async (t) => {
  t.like(nativeStreamStatus(), { enabled: true, available: true });
  const reset = await server(t, { kind: 'reset' });
  t.like(await attempt(negotiate, reset.port, http(reset.port, { receive: 'ok' })), { ok: false, reason: 'reset' });
  const gone = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
  const port = gone.port;
  await gone.close();
  t.like(await attempt(negotiate, port, http(port, { receive: 'ok' })), { ok: false, reason: 'refused' });
});

test('http: one probe checked at two addresses uses each address\'s URL (what is prepared once is per address)', async (t) => {
  const a = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA' });
  const b = await server(t, { kind: 'reply', data: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB' });
  const p = probe({ service: 'http', request: '/x', receive: 'A' });
  t.like(await attempt(negotiate, a.port, p), { ok: true });
  t.like(await attempt(negotiate, b.port, p), { ok: false, reason: 'content' });
  t.like(await attempt(negotiate, a.port, p), { ok: true });
  t.is(b.received[0], 'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n');
});
