/**
 * The negotiate checker's dispatch and checktype N, and the udp/database/directory services
 * against fakes or closed ports on 127.0.0.1 (the real servers are in test/netns).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { badServer, closedTcpPort, closedUdpPort, udpServer } from '../../../../test/fixtures/bad-servers.js';
import { createNegotiateChecker } from './negotiate.js';
import { attempt, probe } from './probe-fixture.js';

test('checktype N: negotiate, then N connects, then negotiate; a failed connect forces a negotiation', async (t) => {
  const negotiate = createNegotiateChecker();
  const srv = await badServer({ kind: 'lines', banner: '200 ready\r\n', lines: {} });
  t.teardown(() => srv.close());
  const p = probe({ service: 'nntp', connectBetween: 2 });
  const details: string[] = [];
  for (let i = 0; i < 5; i++) details.push(String((await attempt(negotiate, srv.port, p)).detail));
  t.deepEqual(details.map((d) => (d === 'connected' ? 'connect' : 'negotiate')), ['negotiate', 'connect', 'connect', 'negotiate', 'connect']);
  const closed = await closedTcpPort();
  const q = probe({ service: 'nntp', connectBetween: 3 });
  t.like(await attempt(negotiate, closed, q), { ok: false, reason: 'refused' }, 'the first check negotiates');
  t.like(await attempt(negotiate, closed, q), { ok: false, reason: 'refused' }, 'a failed negotiation is followed by another');
});

test('checktype N: the connect is a plain TCP connect; for udp it passes without traffic, as ldirectord\'s', async (t) => {
  const negotiate = createNegotiateChecker();
  const srv = await badServer({ kind: 'lines', banner: '200 ready\r\n', lines: {} });
  t.teardown(() => srv.close());
  const p = probe({ service: 'nntp', connectBetween: 1 });
  t.like(await attempt(negotiate, srv.port, p), { ok: true });
  t.like(await attempt(negotiate, srv.port, p), { ok: true, detail: 'connected' });
  const u = probe({ service: 'sip', transport: 'udp', connectBetween: 1 });
  const sip = await udpServer(() => Buffer.from('SIP/2.0 200 OK\r\n\r\n'));
  t.teardown(() => sip.close());
  t.like(await attempt(negotiate, sip.port, u), { ok: true, detail: 'SIP/2.0 200 OK' });
  t.like(await attempt(negotiate, sip.port, u), { ok: true, detail: 'udp connect (nothing sent), as ldirectord' });
  t.is(sip.got.length, 1);
});

function radiusReply(code: number, secret: string) {
  return (m: Buffer): Buffer => {
    const head = Buffer.from([code, m[1] ?? 0, 0, 20]);
    return Buffer.concat([head, createHash('md5').update(Buffer.concat([head, m.subarray(4, 20), Buffer.from(secret)])).digest()]);
  };
}

test('radius: Access-Accept is up; Access-Reject and a reply signed with another secret are down (Authen::Radius check_pwd)', async (t) => {
  const negotiate = createNegotiateChecker();
  const p = probe({ service: 'radius', login: 'u', passwd: 'p', secret: 's3cret' });
  for (const [code, secret, want] of [[2, 's3cret', { ok: true, detail: 'Access-Accept' }], [3, 's3cret', { ok: false, reason: 'status', detail: 'Access-Reject' }], [2, 'other', { ok: false, reason: 'protocol' }]] as const) {
    const srv = await udpServer(radiusReply(code, secret));
    t.teardown(() => srv.close());
    t.like(await attempt(negotiate, srv.port, p), want);
    t.is(srv.got[0]?.[0], 1, 'an Access-Request');
  }
  t.like(await attempt(negotiate, await closedUdpPort(), p), { ok: false, reason: 'refused' });
});

test('dns: an A answer matching receive is up; no match, no receive and NXDOMAIN are down', async (t) => {
  const negotiate = createNegotiateChecker();
  const answer = (m: Buffer): Buffer => {
    const r = Buffer.from(m);
    r.writeUInt16BE(0x8180, 2);
    r.writeUInt16BE(1, 6);
    return Buffer.concat([r, Buffer.from('c00c000100010000003c0004c6336402', 'hex')]);
  };
  const srv = await udpServer(answer);
  t.teardown(() => srv.close());
  t.like(await attempt(negotiate, srv.port, probe({ service: 'dns', transport: 'udp', request: '/www.example.test', receive: '^198\\.51\\.100\\.2$' })), { ok: true, detail: 'DNS A 198.51.100.2' });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'dns', transport: 'udp', request: '/www.example.test', receive: '10\\.' })), { ok: false, reason: 'content', detail: 'no answer matches: 198.51.100.2' });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'dns', transport: 'udp', request: '/www.example.test' })), { ok: false, reason: 'content' });
  const nx = await udpServer((m) => Buffer.concat([m.subarray(0, 2), Buffer.from([0x81, 0x83]), m.subarray(4)]));
  t.teardown(() => nx.close());
  t.like(await attempt(negotiate, nx.port, probe({ service: 'dns', transport: 'udp', request: '/x.test', receive: '.' })), { ok: false, reason: 'content', detail: 'DNS rcode 3' });
});

test('mysql, pgsql, ldap: a closed port is refused; SQL without login or request is refused up front; oracle is not supported', async (t) => {
  const negotiate = createNegotiateChecker();
  const closed = await closedTcpPort();
  for (const service of ['mysql', 'pgsql'] as const) {
    t.like(await attempt(negotiate, closed, probe({ service, login: 'u', request: '/SELECT 1' })), { ok: false, reason: 'refused' }, service);
    t.like(await attempt(negotiate, closed, probe({ service, request: '/SELECT 1' })), { ok: false, reason: 'error' }, `${service} without login`);
  }
  t.like(await attempt(negotiate, closed, probe({ service: 'ldap' })), { ok: false, reason: 'refused' });
  t.like(await attempt(negotiate, closed, probe({ service: 'oracle', login: 'u', request: '/SELECT 1 FROM DUAL' })), { ok: false, reason: 'error' });
  t.like(await attempt(negotiate, closed, probe({ service: 'none' })), { ok: true });
});
