/**
 * DNS, UDP and PING checkers on loopback: real sockets, each attempt under its deadline.
 */
import test from 'ava';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, Checker } from '../checker.js';
import { runAttempt } from '../run-attempt.js';
import { FakeTimers, nodeTimers } from '../timers.js';
import type { CheckProbe } from '../../model/index.js';
import { waitUntil } from '../../../test/fixtures/wait.js';
import { closedUdpPort, udpServer } from '../../../test/fixtures/bad-servers.js';
import { loadNative } from '../../native/index.js';
import { dnsChecker } from './dns.js';
import { encodeQuery, judgeReply } from './dns-packet.js';
import { decodeEchoReply, encodeEcho, inetChecksum } from './icmp-packet.js';
import { IcmpPinger, pingChecker } from './ping.js';
import { replyMatches, udpChecker } from './udp.js';

/**
 * Generous where the deadline is not what a test checks (a loaded machine, load 10 on 2 cores, can
 * take a second to answer on loopback); a test that expects the deadline passes a short one.
 */
const GENEROUS_MS = 10_000;

function attempt(c: Checker, address: string, port: number, probe: CheckProbe, timeoutMs = GENEROUS_MS): Promise<AttemptResult> {
  return runAttempt(c, { probe, address, port, target: {}, timeoutMs }, { clock: monotonicClock, timers: nodeTimers }).result;
}

/** A DNS answer to `q` with `rcode` and `answers` (header only is enough for the checker). */
function dnsReply(q: Buffer, rcode: number, answers = 0, o: { id?: number; qr?: boolean } = {}): Buffer {
  const r = Buffer.from(q);
  if (o.id !== undefined) r.writeUInt16BE(o.id, 0);
  r.writeUInt16BE((o.qr === false ? 0 : 0x8000) | 0x0100 | 0x0080 | rcode, 2);
  r.writeUInt16BE(answers, 6);
  return r;
}

test('dns query bytes: RD, one question, labels, type and class IN (RFC 1035 §4.1)', (t) => {
  const q = encodeQuery(0x1234, 'www.example.test', 'AAAA');
  t.true(q.ok);
  t.is(q.ok ? q.query.toString('hex') : '', '12340100000100000000000003777777076578616d706c6504746573740000' + '1c0001');
  const root = encodeQuery(1, '', 'SOA');
  t.is(root.ok ? root.query.subarray(12).toString('hex') : '', '0000060001');
  t.like(encodeQuery(1, 'x', 'SRV'), { ok: false, detail: 'unknown DNS type "SRV"' });
});

test('dns reply judging follows keepalived: wrong id or a query is ignored; rcode decides; NODATA passes', (t) => {
  const q = encodeQuery(7, 'a.test', 'A');
  const query = q.ok ? q.query : Buffer.alloc(0);
  t.deepEqual(judgeReply(7, dnsReply(query, 0, 1, { id: 8 })), { kind: 'ignore' });
  t.deepEqual(judgeReply(7, dnsReply(query, 0, 1, { qr: false })), { kind: 'ignore' });
  t.deepEqual(judgeReply(7, Buffer.alloc(5)), { kind: 'ignore' });
  t.deepEqual(judgeReply(7, dnsReply(query, 3)), { kind: 'fail', detail: 'DNS rcode 3 (NXDOMAIN)' });
  t.deepEqual(judgeReply(7, dnsReply(query, 0, 2)), { kind: 'pass', detail: 'DNS NOERROR, 2 answers' });
  t.deepEqual(judgeReply(7, dnsReply(query, 0, 0)), { kind: 'pass', detail: 'DNS NOERROR, 0 answers' });
});

test('dns checker: answer, SERVFAIL, garbage then silence, and ICMP port unreachable', async (t) => {
  const good = await udpServer((m) => dnsReply(m, 0, 1));
  const bad = await udpServer((m) => dnsReply(m, 2));
  const junk = await udpServer(() => Buffer.from('garbage!'));
  t.teardown(() => [good, bad, junk].forEach((s) => s.close()));
  const probe: CheckProbe = { kind: 'dns', type: 'A', name: 'www.example.test' };
  t.like(await attempt(dnsChecker, '127.0.0.1', good.port, probe), { ok: true, detail: 'DNS NOERROR, 1 answer' });
  t.is(good.got[0]?.subarray(12).toString('latin1').includes('example'), true);
  t.like(await attempt(dnsChecker, '127.0.0.1', bad.port, probe), { ok: false, reason: 'content', detail: 'DNS rcode 2 (SERVFAIL)' });
  t.like(await attempt(dnsChecker, '127.0.0.1', junk.port, probe, 300), { ok: false, reason: 'timeout' });
  t.like(await attempt(dnsChecker, '127.0.0.1', await closedUdpPort(), probe), { ok: false, reason: 'refused', errno: 'ECONNREFUSED' });
});

test('udp: silence passes without require_reply (keepalived), fails with it; ICMP unreachable fails', async (t) => {
  const mute = await udpServer(() => undefined);
  t.teardown(() => mute.close());
  const probe = (requireReply: boolean): CheckProbe => ({ kind: 'udp', payloadHex: '70696e67', requireReply, minReplyLength: 0, maxReplyLength: 255 });
  // The deadline is the verdict here: it runs on fake timers, advanced once the payload has arrived.
  const silentFor = async (p: CheckProbe): Promise<AttemptResult> => {
    const timers = new FakeTimers();
    const seen = mute.got.length;
    const result = runAttempt(udpChecker, { probe: p, address: '127.0.0.1', port: mute.port, target: {}, timeoutMs: 200 }, { clock: timers.clock, timers }).result;
    await waitUntil(() => mute.got.length > seen, 'the payload to arrive');
    await timers.advance(200);
    return result;
  };
  t.like(await silentFor(probe(false)), { ok: true, detail: 'no reply and no ICMP error (require_reply off)', latencyMs: 200 });
  t.is(mute.got[0]?.toString(), 'ping');
  t.like(await silentFor(probe(true)), { ok: false, reason: 'timeout', latencyMs: 200 });
  t.like(await attempt(udpChecker, '127.0.0.1', await closedUdpPort(), probe(false)), { ok: false, reason: 'refused' });
});

test('udp: require_reply with expected bytes compares the reply prefix', async (t) => {
  const echo = await udpServer((m) => Buffer.concat([Buffer.from('PONG'), m]));
  t.teardown(() => echo.close());
  const probe = (replyHex: string): CheckProbe => ({ kind: 'udp', payloadHex: '00', requireReply: true, replyHex, minReplyLength: 0, maxReplyLength: 255 });
  t.like(await attempt(udpChecker, '127.0.0.1', echo.port, probe(Buffer.from('PONG').toString('hex'))), { ok: true, detail: 'reply of 5 bytes' });
  t.like(await attempt(udpChecker, '127.0.0.1', echo.port, probe(Buffer.from('NOPE').toString('hex'))), { ok: false, reason: 'content' });
});

test('icmp echo encoding: checksum verifies to 0; replies decode with and without an IPv4 header', (t) => {
  const m = encodeEcho(4, 0xbeef, 3, Buffer.from('abc'));
  t.is(inetChecksum(m), 0);
  const reply = Buffer.from(m);
  reply[0] = 0;
  const ip = Buffer.concat([Buffer.from([0x45, ...Array<number>(19).fill(0)]), reply]);
  t.deepEqual(decodeEchoReply(4, ip, true), { id: 0xbeef, seq: 3 });
  t.deepEqual(decodeEchoReply(4, reply, false), { id: 0xbeef, seq: 3 });
  t.is(decodeEchoReply(4, m, false), undefined, 'an echo request is not a reply');
  t.is(encodeEcho(6, 1, 1, Buffer.alloc(0))[0], 128);
});

test('ping 127.0.0.1 through the addon (datagram socket, or raw when ping_group_range refuses)', async (t) => {
  const pinger = new IcmpPinger(loadNative, process.pid);
  const r = await attempt(pingChecker(pinger), '127.0.0.1', 0, { kind: 'ping' });
  t.like(r, { ok: true, detail: 'echo reply' });
  t.true(pinger.mode(4) === 'dgram' || pinger.mode(4) === 'raw');
});

test('ping: the shared socket falls back to raw on EACCES and closes when no probe waits', async (t) => {
  const calls: string[] = [];
  const real = loadNative();
  const fake = {
    icmpOpen: (family: 4 | 6, raw: boolean, cb: Parameters<typeof real.icmpOpen>[2]) => {
      calls.push(`open ${family} ${raw ? 'raw' : 'dgram'}`);
      if (!raw) throw Object.assign(new Error('socket EACCES: permission denied'), { code: 'EACCES', errno: -13, syscall: 'socket' });
      return real.icmpOpen(family, raw, cb);
    },
    icmpSend: real.icmpSend,
    icmpClose: (h: Parameters<typeof real.icmpClose>[0]) => {
      calls.push('close');
      real.icmpClose(h);
    },
  };
  const pinger = new IcmpPinger(() => fake, 0x4242);
  const r = await attempt(pingChecker(pinger), '127.0.0.1', 0, { kind: 'ping' });
  t.like(r, { ok: true });
  t.deepEqual(calls, ['open 4 dgram', 'open 4 raw', 'close']);
  t.is(pinger.mode(4), 'raw');
});

test('ping: no reply → timeout at the deadline; the shared socket is closed afterwards', async (t) => {
  const calls: string[] = [];
  const silent = {
    icmpOpen: () => ({ __brand: 'IcmpSocketHandle' as const }),
    icmpSend: (_h: unknown, dst: string) => void calls.push(`send ${dst}`),
    icmpClose: () => void calls.push('close'),
  };
  const r = await attempt(pingChecker(new IcmpPinger(() => silent, 1)), '127.0.0.2', 0, { kind: 'ping' }, 100);
  t.like(r, { ok: false, reason: 'timeout', detail: 'timeout after 100 ms' });
  t.deepEqual(calls, ['send 127.0.0.2', 'close']);
});

test('ping: a send error is the attempt\'s failure (EHOSTUNREACH → unreachable)', async (t) => {
  const failing = {
    icmpOpen: () => ({ __brand: 'IcmpSocketHandle' as const }),
    icmpSend: () => {
      throw Object.assign(new Error('sendto EHOSTUNREACH: host is unreachable'), { code: 'EHOSTUNREACH', errno: -113, syscall: 'sendto' });
    },
    icmpClose: () => undefined,
  };
  t.like(await attempt(pingChecker(new IcmpPinger(() => failing, 1)), '127.0.0.2', 0, { kind: 'ping' }, 100), { ok: false, reason: 'unreachable', errno: 'EHOSTUNREACH' });
});

test('udp reply check as keepalived check_udp_reply: x nibbles match anything, length bounds apply', (t) => {
  const p = { replyHex: '01xx3x', minReplyLength: 0, maxReplyLength: 255 };
  t.true(replyMatches(Buffer.from([0x01, 0xab, 0x3f, 0x99]), p));
  t.true(replyMatches(Buffer.from([0x01]), p), 'a shorter reply is compared on its own length');
  t.false(replyMatches(Buffer.from([0x01, 0xab, 0x4f]), p));
  t.false(replyMatches(Buffer.from([0x02]), p));
  t.false(replyMatches(Buffer.alloc(256, 1), { ...p, replyHex: '01' }), 'longer than max_reply_length (255 by default)');
  t.false(replyMatches(Buffer.from([0x01]), { ...p, minReplyLength: 2 }));
});
