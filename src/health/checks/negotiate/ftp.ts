/**
 * service=ftp, as ldirectord 4.12 check_ftp (Net::FTP 3.14): connect; log in (`login`, or
 * `anonymous` when empty, with `passwd`); `CWD /`; `TYPE I`; `PASV`; `RETR request` (the
 * leading "/" kept) over the passive data connection; QUIT. Every step after the greeting may
 * fail without ending the check, as in ldirectord: what was downloaded is matched with
 * `receive`, and that alone decides.
 *
 * Differences, on purpose:
 * - The data connection goes to the real server's address with the PASV port, not to the
 *   address in the reply (a server behind NAT announces one the director cannot reach, and a
 *   health check must not connect wherever a server says).
 * - An empty `receive`: Perl then reuses its last successful pattern, so ldirectord's verdict
 *   depends on whatever matched before (usually up, whatever the server). lvsd passes when
 *   the server greeted with 2xx, so an ftp check without receive still notices a dead server.
 * - At most MAX_FILE_BYTES of the file are read.
 */
import net from 'node:net';
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { hostOf } from '../connection.js';
import { excerpt, type Outcome } from '../outcome.js';
import { compileReceive, perlText } from './receive.js';
import { openSession, type LineSession, type Reply } from './session.js';

export const MAX_FILE_BYTES = 1024 * 1024;

/** The port of a 227 reply, `(h1,h2,h3,h4,p1,p2)` (RFC 959 §4.1.2, PASV); undefined if none. */
export function pasvPort(text: string): number | undefined {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text);
  if (m === null) return undefined;
  const port = Number(m[5]) * 256 + Number(m[6]);
  return port > 0 && port < 65536 ? port : undefined;
}

async function command(s: LineSession, line: string): Promise<Reply | undefined> {
  s.write(`${line}\r\n`);
  return s.reply();
}

/** Reads the data connection to its end (or MAX_FILE_BYTES); resolves with the bytes read. */
function download(spec: AttemptSpec, port: number, out: Outcome): { ready: Promise<void>; data: Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let size = 0;
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const data = new Promise<Buffer>((resolve) => {
    const sock = net.connect({ host: hostOf(spec), port, ...(spec.target.bindTo !== undefined ? { localAddress: spec.target.bindTo } : {}) }, connected);
    const finish = (): void => {
      sock.destroy();
      connected();
      resolve(Buffer.concat(chunks));
    };
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size >= MAX_FILE_BYTES) finish();
    });
    sock.on('end', finish);
    sock.on('error', finish);
    out.release(finish);
  });
  return { ready, data };
}

/** Login, CWD, TYPE, PASV, RETR as Net::FTP does them; the file's bytes ("" when any step failed). */
async function fetchFile(spec: AttemptSpec, p: NegotiateProbe, s: LineSession, out: Outcome): Promise<Buffer> {
  const user = await command(s, `USER ${p.login === '' ? 'anonymous' : p.login}`);
  if (user?.code !== undefined && user.code >= 300 && user.code < 400) await command(s, `PASS ${p.passwd}`);
  await command(s, 'CWD /');
  await command(s, 'TYPE I');
  const pasv = await command(s, 'PASV');
  const port = pasv?.code === 227 ? pasvPort(pasv.text) : undefined;
  if (port === undefined) return Buffer.alloc(0);
  const dl = download(spec, port, out);
  await dl.ready;
  const retr = await command(s, `RETR ${p.request}`);
  if (retr === undefined || retr.code < 100 || retr.code >= 200) return Buffer.alloc(0);
  const data = await dl.data;
  await s.reply(); // 226 (or an error): the file is judged either way, as Net::FTP's get ignores it
  return data;
}

export async function checkFtp(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const receive = p.receive === '' ? undefined : compileReceive(p.receive);
  if (receive !== undefined && !receive.ok) return out.fail('error', receive.detail);
  const s = await openSession(spec, out);
  if (s === undefined) return;
  const greeting = await s.reply();
  const greeted = greeting !== undefined && greeting.code >= 200 && greeting.code < 300;
  if (receive === undefined) {
    if (greeted) out.pass(`FTP ${greeting.code}`);
    else out.fail(greeting === undefined ? 'protocol' : 'status', greeting === undefined ? 'connection closed before the FTP greeting' : `FTP greeting ${excerpt(greeting.text, 60)}`);
    return;
  }
  const file = greeted ? await fetchFile(spec, p, s, out) : Buffer.alloc(0);
  await s.finish('QUIT\r\n');
  if (out.done) return;
  if (receive.re.test(perlText(file))) out.pass(`FTP ${p.request}: ${file.length} bytes match`);
  else out.fail('content', `FTP ${p.request}: ${file.length} bytes${file.length > 0 ? ` ${excerpt(file)}` : ''} do not match ${JSON.stringify(p.receive)}`);
}
