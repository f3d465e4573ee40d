/**
 * The text-protocol negotiate checks (ftp, smtp, pop, imap, nntp, simpletcp, sip) against small
 * scripted servers on 127.0.0.1, each attempt under its deadline as the engine runs it.
 */
import test from 'ava';
import { badServer, closedTcpPort, closedUdpPort, udpServer, type BadServer, type Script } from '../../../../test/fixtures/bad-servers.js';
import { createNegotiateChecker } from './negotiate.js';
import { attempt, ftpServer, probe } from './probe-fixture.js';

const negotiate = createNegotiateChecker();

async function server(t: { teardown(fn: () => Promise<void>): void }, s: Script): Promise<BadServer> {
  const srv = await badServer(s);
  t.teardown(() => srv.close());
  return srv;
}

test('ftp: logs in, CWD /, TYPE I, PASV, RETR the request; the file matches receive (data from the server\'s own address)', async (t) => {
  const srv = await ftpServer({ files: { '/alive.txt': 'status: alive\n' }, password: 'pw' });
  t.teardown(() => srv.close());
  const r = await attempt(negotiate, srv.port, probe({ service: 'ftp', request: '/alive.txt', receive: 'alive$', login: 'check', passwd: 'pw' }));
  t.like(r, { ok: true, detail: 'FTP /alive.txt: 14 bytes match' });
  t.deepEqual(srv.commands.slice(0, 6), ['USER check', 'PASS pw', 'CWD /', 'TYPE I', 'PASV', 'RETR /alive.txt']);
});

test('ftp: an empty login is anonymous; a wrong file or content fails "content"; no receive needs only the greeting', async (t) => {
  const srv = await ftpServer({ files: { '/alive.txt': 'dead\n' } });
  t.teardown(() => srv.close());
  t.like(await attempt(negotiate, srv.port, probe({ service: 'ftp', request: '/alive.txt', receive: 'alive' })), { ok: false, reason: 'content', detail: 'FTP /alive.txt: 5 bytes "dead\\n" do not match "alive"' });
  t.is(srv.commands[0], 'USER anonymous');
  t.like(await attempt(negotiate, srv.port, probe({ service: 'ftp', request: '/missing', receive: 'alive' })), { ok: false, reason: 'content', detail: 'FTP /missing: 0 bytes do not match "alive"' });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'ftp' })), { ok: true, detail: 'FTP 220' });
  const bad = await ftpServer({ files: {}, greeting: '421 too many users' });
  t.teardown(() => bad.close());
  t.like(await attempt(negotiate, bad.port, probe({ service: 'ftp' })), { ok: false, reason: 'status', detail: 'FTP greeting "421 too many users"' });
});

test('smtp: greeting 2xx and EHLO localhost.localdomain, HELO when EHLO is refused, then QUIT', async (t) => {
  const good = await server(t, { kind: 'lines', banner: '220-mx.example.test\r\n220 ESMTP\r\n', lines: { EHLO: '250-mx\r\n250 PIPELINING\r\n', QUIT: '221 bye\r\n' } });
  t.like(await attempt(negotiate, good.port, probe({ service: 'smtp' })), { ok: true, detail: 'SMTP 220/250' });
  await good.closedCount(1, 2000);
  t.is(good.received[0], 'EHLO localhost.localdomain\r\nQUIT\r\n');
  const old = await server(t, { kind: 'lines', banner: '220 old\r\n', lines: { EHLO: '502 what\r\n', HELO: '250 hi\r\n' } });
  t.like(await attempt(negotiate, old.port, probe({ service: 'submission' })), { ok: true, detail: 'SMTP 220/250' });
  const busy = await server(t, { kind: 'lines', banner: '554 no service\r\n', lines: {} });
  t.like(await attempt(negotiate, busy.port, probe({ service: 'smtp' })), { ok: false, reason: 'status', detail: 'SMTP greeting "554 no service"' });
});

test('pop: +OK greeting; USER/PASS only with a login; -ERR fails; nothing listening is refused', async (t) => {
  const srv = await server(t, { kind: 'lines', banner: '+OK POP3 ready\r\n', lines: { USER: '+OK\r\n', PASS: '-ERR [AUTH] bad password\r\n' } });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'pop' })), { ok: true, detail: 'POP3 +OK' });
  await srv.closedCount(1, 2000);
  t.is(srv.received[0], 'QUIT\r\n');
  t.like(await attempt(negotiate, srv.port, probe({ service: 'pop', login: 'u', passwd: 'p' })), { ok: false, reason: 'status', detail: 'POP3 login refused: "-ERR [AUTH] bad password"' });
  await srv.closedCount(2, 2000);
  t.is(srv.received[1], 'USER u\r\nPASS p\r\n');
  t.like(await attempt(negotiate, await closedTcpPort(), probe({ service: 'pop' })), { ok: false, reason: 'refused' });
});

test('imap: * OK greeting; LOGIN with the password quoted; a tagged NO fails', async (t) => {
  const srv = await server(t, { kind: 'lines', banner: '* OK [CAPABILITY IMAP4rev1] ready\r\n', lines: { A1: '* CAPABILITY IMAP4rev1\r\na1 OK Logged in\r\n' } });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'imap', login: 'u', passwd: 'p w' })), { ok: true, detail: 'IMAP OK, logged in' });
  await srv.closedCount(1, 2000);
  t.is(srv.received[0], 'a1 LOGIN u "p w"\r\na2 LOGOUT\r\n');
  const no = await server(t, { kind: 'lines', banner: '* OK ready\r\n', lines: { A1: 'a1 NO [AUTHENTICATIONFAILED] bad\r\n' } });
  t.like(await attempt(negotiate, no.port, probe({ service: 'imap', login: 'u', passwd: 'x' })), { ok: false, reason: 'status' });
  const bye = await server(t, { kind: 'lines', banner: '* BYE overloaded\r\n', lines: {} });
  t.like(await attempt(negotiate, bye.port, probe({ service: 'imap' })), { ok: false, reason: 'status', detail: 'IMAP greeting "* BYE overloaded"' });
});

test('nntp: up when the first byte is 2, nothing sent; a silent server times out', async (t) => {
  const srv = await server(t, { kind: 'lines', banner: '200 news.example.test ready\r\n', lines: {} });
  t.like(await attempt(negotiate, srv.port, probe({ service: 'nntp' })), { ok: true });
  t.is(srv.received[0], undefined);
  const busy = await server(t, { kind: 'lines', banner: '400 busy\r\n', lines: {} });
  t.like(await attempt(negotiate, busy.port, probe({ service: 'nntp' })), { ok: false, reason: 'status', detail: 'NNTP greeting "400 busy\\r\\n"' });
  const silent = await server(t, { kind: 'hang' });
  t.like(await attempt(negotiate, silent.port, probe({ service: 'nntp' }), 200), { ok: false, reason: 'timeout' });
});

test('simpletcp over tcp: request without "/", \\n as newlines, write side shut; a matching line passes', async (t) => {
  const srv = await server(t, { kind: 'reply', data: 'hello\nstatus: OK\nbye' });
  t.like(await attempt(negotiate, srv.port, probe({ request: '/STATUS\\n', receive: '^status: OK$' })), { ok: true, detail: 'line "status: OK" matches' });
  t.is(srv.received[0], 'STATUS\n');
  t.like(await attempt(negotiate, srv.port, probe({ request: '/STATUS\\n', receive: 'bye$' })), { ok: true }, 'the last line without a newline counts');
  t.like(await attempt(negotiate, srv.port, probe({ request: '/STATUS\\n', receive: 'FAIL' })), { ok: false, reason: 'content', detail: '3 line(s), none matches "FAIL"' });
});

test('simpletcp over udp: every datagram is read as lines; ICMP unreachable is refused', async (t) => {
  const srv = await udpServer((m) => (m.toString() === 'ping' ? Buffer.from('pong\nstate=up\n') : undefined));
  t.teardown(() => srv.close());
  t.like(await attempt(negotiate, srv.port, probe({ transport: 'udp', request: '/ping', receive: 'state=up' })), { ok: true });
  t.like(await attempt(negotiate, srv.port, probe({ transport: 'udp', request: '/ping', receive: 'state=down' }), 200), { ok: false, reason: 'timeout' });
  t.like(await attempt(negotiate, await closedUdpPort(), probe({ transport: 'udp', request: '/ping', receive: 'x' })), { ok: false, reason: 'refused' });
});

test('sip over udp and tcp: OPTIONS sip:login, up on "SIP/2.0 200 OK" only', async (t) => {
  const got: string[] = [];
  const ok = await udpServer((m) => (got.push(m.toString()), Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\n')));
  t.teardown(() => ok.close());
  t.like(await attempt(negotiate, ok.port, probe({ service: 'sip', transport: 'udp', login: 'ldirectord@dir1' })), { ok: true, detail: 'SIP/2.0 200 OK' });
  t.regex(got[0] ?? '', /^OPTIONS sip:ldirectord@dir1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=/);
  const busy = await udpServer(() => Buffer.from('SIP/2.0 503 Service Unavailable\r\n\r\n'));
  t.teardown(() => busy.close());
  t.like(await attempt(negotiate, busy.port, probe({ service: 'sip', transport: 'udp', login: 'x' })), { ok: false, reason: 'status', detail: 'SIP "SIP/2.0 503 Service Unavailable"' });
  const tcp = await server(t, { kind: 'reply', data: 'SIP/2.0 200 OK\r\nCSeq: 63104 OPTIONS\r\n\r\n', keepOpen: true });
  t.like(await attempt(negotiate, tcp.port, probe({ service: 'sip', login: 'x' })), { ok: true });
});
