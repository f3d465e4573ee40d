import test from 'ava';
import net from 'node:net';
import { ConnectionWatch, netConnector, STABLE_MS, type WatchHandlers, type WatchTarget } from './watch.js';
import { FakeTimers } from './timers.js';
import { waitUntil } from '../../test/fixtures/wait.js';

const T: WatchTarget = { address: '10.0.0.2', port: 80, connectTimeoutMs: 3000 };

/** A watch over fake connections the test opens, resets and closes by hand. */
function rig() {
  const timers = new FakeTimers();
  const conns: Array<{ target: WatchTarget; h: WatchHandlers; closed: boolean }> = [];
  const lost: string[] = [];
  const w = new ConnectionWatch({
    timers, clock: timers.asClock, onLost: (id, why) => lost.push(`${id} ${why} @${timers.clock.nowUs() / 1000}`),
    connect: (target, h) => {
      const c = { target, h, closed: false };
      conns.push(c);
      return { close: () => (c.closed = true) };
    },
  });
  const last = () => conns[conns.length - 1]!;
  return { timers, conns, lost, w, last };
}

test('a reset or a refused connect is reported at once, once per outage; reconnects back off from 1 s', async (t) => {
  const { timers, conns, lost, w, last } = rig();
  w.update(new Map([['a', T]]));
  t.is(conns.length, 1);
  last().h.connected();
  await timers.advance(60_000);
  last().h.lost('ECONNRESET', false);
  t.deepEqual(lost, ['a ECONNRESET @60000']);
  await timers.advance(999);
  t.is(conns.length, 1, 'no reconnect before 1 s');
  await timers.advance(1);
  t.is(conns.length, 2);
  last().h.lost('ECONNREFUSED', false);
  await timers.advance(2000);
  t.is(conns.length, 3, 'then 2 s later');
  last().h.lost('ECONNREFUSED', false);
  t.deepEqual(lost, ['a ECONNRESET @60000'], 'one report per outage');
  await timers.advance(4000);
  last().h.connected();
  await timers.advance(10);
  last().h.lost('ECONNRESET', false);
  t.is(lost.length, 2, 'a new outage after a connection was established');
});

test('an idle close (FIN after STABLE_MS) reconnects at once and reports only if that fails', async (t) => {
  const { timers, conns, lost, w, last } = rig();
  w.update(new Map([['a', T]]));
  last().h.connected();
  await timers.advance(STABLE_MS + 60_000);
  last().h.lost('closed by the server', true);
  t.is(conns.length, 2, 'reconnected in the same turn');
  t.deepEqual(lost, []);
  last().h.connected();
  await timers.advance(STABLE_MS);
  last().h.lost('closed by the server', true);
  last().h.lost('ECONNREFUSED', false);
  t.deepEqual(lost, [`a ECONNREFUSED @${2 * STABLE_MS + 60_000}`]);
});

test('a FIN soon after the connect (a server that drops idle connections at once) is a loss', async (t) => {
  const { timers, lost, w, last } = rig();
  w.update(new Map([['a', T]]));
  last().h.connected();
  await timers.advance(100);
  last().h.lost('closed by the server', true);
  t.is(lost.length, 1);
});

test('update: a new target connects after its delay; one removed before that never connects', async (t) => {
  const { timers, conns, w } = rig();
  w.update(new Map([['a', T], ['b', { ...T, port: 81 }]]), (id) => (id === 'a' ? 300 : 700));
  t.is(conns.length, 0);
  await timers.advance(300);
  t.deepEqual(conns.map((c) => c.target.port), [80]);
  w.update(new Map([['a', T]]));
  await timers.advance(1000);
  t.deepEqual(conns.map((c) => c.target.port), [80], 'b was removed before its delay ran out');
});

test('update: new targets connect, removed ones close without a report, a late report of a closed one is ignored', (t) => {
  const { conns, lost, w } = rig();
  w.update(new Map([['a', T], ['b', { ...T, port: 81 }]]));
  t.is(conns.length, 2);
  w.update(new Map([['b', { ...T, port: 81 }]]));
  t.true(conns[0]!.closed);
  t.false(conns[1]!.closed);
  conns[0]!.h.lost('ECONNRESET', false);
  t.deepEqual(lost, []);
  w.update(new Map([['b', { ...T, port: 81, bindTo: '10.0.0.1' }]]));
  t.true(conns[1]!.closed, 'a changed target is a new connection');
  t.is(conns.length, 3);
  w.close();
  t.true(conns[2]!.closed);
});

test('netConnector: connected, then the server\'s close and its reset are reported (loopback)', async (t) => {
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const events: string[] = [];
  const h: WatchHandlers = { connected: () => events.push('up'), lost: (why, clean) => events.push(`lost ${why} ${clean}`) };
  const target = { address: '127.0.0.1', port, connectTimeoutMs: 2000 };
  netConnector(target, h);
  await waitUntil(() => events.includes('up') && held.length === 1, 'connected');
  held[0]!.end();
  await waitUntil(() => events.length === 2, 'the FIN');
  t.deepEqual(events, ['up', 'lost closed by the server true']);
  events.length = 0;
  netConnector(target, h);
  await waitUntil(() => events.includes('up') && held.length === 2, 'connected again');
  held[1]!.resetAndDestroy();
  await waitUntil(() => events.length === 2, 'the RST');
  t.deepEqual(events, ['up', 'lost ECONNRESET false']);
  events.length = 0;
  const c = netConnector(target, h);
  await waitUntil(() => events.includes('up') && held.length === 3, 'connected a third time');
  const serverSide = new Promise((r) => held[2]!.once('close', r));
  c.close();
  await serverSide;
  t.deepEqual(events, ['up'], 'close(): no report');
  server.close();
  await new Promise<void>((r) => server.once('close', () => r()));
  netConnector(target, h);
  await waitUntil(() => events.length === 2, 'refused');
  t.deepEqual(events, ['up', 'lost ECONNREFUSED false']);
});
