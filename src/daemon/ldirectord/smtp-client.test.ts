/**
 * The smtp= alert client against scripted SMTP servers on 127.0.0.1: the dialogue ldirectord's
 * Net::SMTP has (EHLO, MAIL FROM, RCPT TO per recipient, DATA, QUIT), HELO after a refused
 * EHLO, refusals and silence as reasons, and the DATA payload (CRLF, From added, dots doubled).
 */
import test from 'ava';
import net from 'node:net';
import { once } from 'node:events';
import { dataPayload, parseServer, sendSmtp } from './smtp-client.js';
import { serveSmtp } from '../../../test/fixtures/smtp-dialogue.js';
import { waitUntil } from '../../../test/fixtures/wait.js';

interface Server { readonly port: number; readonly received: string[]; close(): Promise<void> }

/** Answers each command with `answer(line)` (undefined: silence); DATA content is collected until the dot line. */
async function smtpServer(answer: (line: string) => string | undefined, greeting: string | undefined = '220 mx ESMTP\r\n'): Promise<Server> {
  const received: string[] = [];
  const srv = net.createServer((sock) => serveSmtp(sock, { greeting, answer, dataDone: '250 2.0.0 queued\r\n', onLine: (line) => received.push(line) }));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  return { port, received, close: () => new Promise((r) => srv.close(() => r())) };
}

const normal = (line: string): string | undefined => {
  if (line.startsWith('EHLO')) return '250-mx\r\n250-SIZE 1000\r\n250 HELP\r\n';
  if (line === 'DATA') return '354 go ahead\r\n';
  if (line === 'QUIT') return '221 bye\r\n';
  return '250 ok\r\n';
};

const mail = (port: number, o: { to?: string[]; timeoutMs?: number } = {}) => ({
  server: `127.0.0.1:${port}`, helo: 'dir1', from: 'root@dir1', to: o.to ?? ['ops@example.test', 'noc@example.test'],
  message: 'To: ops@example.test, noc@example.test\nSubject: Deleted real server\n\nldirectord host: dir1\n.hidden\n', timeoutMs: o.timeoutMs ?? 2000,
});

test('the dialogue: EHLO, MAIL FROM, one RCPT TO per recipient, DATA with From added and dots doubled, QUIT', async (t) => {
  const s = await smtpServer(normal);
  t.teardown(() => s.close());
  t.deepEqual(await sendSmtp(mail(s.port)), { ok: true });
  await waitUntil(() => s.received.includes('QUIT'), 'QUIT received', 2000, 5);
  t.deepEqual(s.received, [
    'EHLO dir1', 'MAIL FROM:<root@dir1>', 'RCPT TO:<ops@example.test>', 'RCPT TO:<noc@example.test>', 'DATA',
    'From: root@dir1', 'To: ops@example.test, noc@example.test', 'Subject: Deleted real server', '', 'ldirectord host: dir1', '..hidden', '.',
    'QUIT',
  ]);
});

test('HELO when EHLO is refused; a refused recipient and a server that says nothing are reasons, not throws', async (t) => {
  const old = await smtpServer((l) => (l.startsWith('EHLO') ? '502 no\r\n' : normal(l)));
  t.teardown(() => old.close());
  t.deepEqual(await sendSmtp(mail(old.port, { to: ['a@example.test'] })), { ok: true });
  t.deepEqual(old.received.slice(0, 2), ['EHLO dir1', 'HELO dir1']);
  const strict = await smtpServer((l) => (l.startsWith('RCPT') ? '550 5.1.1 no such user\r\n' : normal(l)));
  t.teardown(() => strict.close());
  const r = await sendSmtp(mail(strict.port));
  t.false(r.ok);
  if (!r.ok) t.regex(r.reason, /RCPT TO ops@example\.test: 550 5\.1\.1 no such user/);
  const silent = await smtpServer(() => undefined, undefined);
  t.teardown(() => silent.close());
  const q = await sendSmtp(mail(silent.port, { timeoutMs: 200 }));
  t.false(q.ok);
  if (!q.ok) t.regex(q.reason, /no answer within 0\.2 s/);
});

test('server forms and the payload', (t) => {
  t.deepEqual(parseServer('mail.example.test'), { host: 'mail.example.test', port: 25 });
  t.deepEqual(parseServer('10.0.0.5:2525'), { host: '10.0.0.5', port: 2525 });
  t.deepEqual(parseServer('[2001:db8::25]:587'), { host: '2001:db8::25', port: 587 });
  t.is(dataPayload('From: a@b\nSubject: s\n\nbody\n', 'x@y'), 'From: a@b\r\nSubject: s\r\n\r\nbody\r\n.\r\n', 'a From header is kept');
});
