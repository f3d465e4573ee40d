/**
 * fwmark (keepalived's SO_MARK on the checker socket) for TCP_CHECK and plain HTTP_GET: these go
 * through the addon (native-stream.ts openMarked, native/tcp_probe_napi.c tcpProbeOpenWith),
 * which also applies bindTo and bindPort on that path. Marking needs CAP_NET_ADMIN (or CAP_NET_RAW since Linux 5.17): with it the
 * attempt passes from the bound source; otherwise it fails with EPERM in the reason, never
 * probing unmarked. That the mark steers routing is tested in namespaces
 * (test/netns/checks-fwmark.test.ts).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { nodeTimers } from '../timers.js';
import type { CheckProbe } from '../../model/index.js';
import { loadNative } from '../../native/index.js';
import { httpChecker } from './http.js';
import { setNativeStreams, useTcpProbeAddon } from './native-stream.js';
import { tcpChecker } from './tcp.js';

useTcpProbeAddon(loadNative);

const HTTP: CheckProbe = { kind: 'http', tls: false, method: 'GET', urls: [{ path: '/', status: [] }], sni: false, httpVersion: '1.0', fastRecovery: false };
/** CAP_NET_ADMIN (12) or, since Linux 5.17, CAP_NET_RAW (13) lets a socket set SO_MARK. */
const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
const CAN_MARK = (capEff & ((1n << 12n) | (1n << 13n))) !== 0n;
const CAN_BIND_DEVICE = (capEff & (1n << 13n)) !== 0n;

interface Seen { readonly port: number; readonly peers: Array<{ address: string; port: number }>; close(): Promise<void> }

/** Answers every connection with HTTP 200 and records where it came from. */
async function server(): Promise<Seen> {
  const peers: Array<{ address: string; port: number }> = [];
  const srv = net.createServer((s) => {
    peers.push({ address: s.remoteAddress ?? '', port: s.remotePort ?? 0 });
    s.on('error', () => undefined);
    s.once('data', () => s.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  return { port: typeof a === 'object' && a !== null ? a.port : 0, peers, close: () => new Promise((r) => srv.close(() => r())) };
}

async function freePort(): Promise<number> {
  const s = await server();
  await s.close();
  return s.port;
}

function attempt(c: Checker, port: number, probe: CheckProbe, target: AttemptSpec['target']): Promise<AttemptResult> {
  return runAttempt(c, { probe, address: '127.0.0.1', port, target, timeoutMs: 10_000 }, { clock: monotonicClock, timers: nodeTimers }).result;
}

for (const [name, checker, probe] of [['TCP_CHECK', tcpChecker, { kind: 'tcp' }], ['HTTP_GET', httpChecker, HTTP]] as const) {
  test.serial(`${name} with fwmark: marked through the addon, from bindto:bind_port; EPERM in the reason without the capability`, async (t) => {
    const srv = await server();
    t.teardown(() => srv.close());
    const bindPort = await freePort();
    const r = await attempt(checker, srv.port, probe, { fwmark: 7, bindTo: '127.0.0.1', bindPort });
    if (CAN_MARK) {
      t.true(r.ok, JSON.stringify(r));
      t.deepEqual(srv.peers, [{ address: '127.0.0.1', port: bindPort }]);
    } else {
      t.like(r, { ok: false, reason: 'error' });
      t.regex(JSON.stringify(r), /EPERM/);
      t.deepEqual(srv.peers, []);
    }
  });
}

test.serial('fwmark goes through the addon even when net.Socket is chosen for the rest (LVSD_TCP_PROBES=net)', async (t) => {
  setNativeStreams(false);
  t.teardown(() => setNativeStreams(true));
  const srv = await server();
  t.teardown(() => srv.close());
  const r = await attempt(tcpChecker, srv.port, { kind: 'tcp' }, { fwmark: 1 });
  if (CAN_MARK) t.true(r.ok, JSON.stringify(r));
  else t.regex(JSON.stringify(r), /EPERM/);
});

test.serial('fwmark on a checker over Node sockets (SSL_GET) fails the attempt: never probed unmarked', async (t) => {
  const srv = await server();
  t.teardown(() => srv.close());
  const r = await attempt(httpChecker, srv.port, { ...HTTP, tls: true }, { fwmark: 7 });
  t.like(r, { ok: false, reason: 'error' });
  t.regex(JSON.stringify(r), /SO_MARK/);
  t.deepEqual(srv.peers, []);
});

test.serial('bind_if (SO_BINDTODEVICE) goes through the addon: up bound to lo, the errno of a device that is not there in the reason', async (t) => {
  const srv = await server();
  t.teardown(() => srv.close());
  let connected = 0;
  for (const [name, checker, probe] of [['TCP_CHECK', tcpChecker, { kind: 'tcp' }], ['HTTP_GET', httpChecker, HTTP]] as const) {
    const up = await attempt(checker, srv.port, probe, { bindIf: 'lo' });
    if (up.ok) connected += 1;
    // Kernels before 5.7 ask CAP_NET_RAW for SO_BINDTODEVICE; later ones let anyone bind an unbound socket.
    if (up.ok || CAN_BIND_DEVICE) t.true(up.ok, `${name}: ${JSON.stringify(up)}`);
    else t.regex(JSON.stringify(up), /EPERM/, name);
    const none = await attempt(checker, srv.port, probe, { bindIf: 'lvsdnosuch0' });
    t.like(none, { ok: false, reason: 'error' }, name);
    t.regex(JSON.stringify(none), /SO_BINDTODEVICE.*ENODEV|ENODEV.*SO_BINDTODEVICE/, name);
  }
  t.is(srv.peers.length, connected, 'only the bound attempts that passed reached the server');
});
