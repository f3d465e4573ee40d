/**
 * ldirectord's `smtp=`: alerts sent to that SMTP server instead of the local sendmail, as
 * ldirectord 4.12 ld_emailalert_net_smtp does with Net::SMTP: port 25 (smtp= names a host only;
 * the client also takes `host:port`, which its tests use), EHLO
 * with this host's name (HELO when EHLO is refused), MAIL FROM:<user@host> (the daemon's user
 * name and host name), RCPT TO each recipient (ldirectord hands Net::SMTP the comma-separated
 * list as one address, which servers refuse when there are several), DATA with a From header
 * when the message has none (ldirectord writes `From: user@host`), QUIT. No TLS, no AUTH
 * (ldirectord uses neither). A small client on net.Socket: one reply per command, multi-line
 * replies read to their last line, the whole exchange under one deadline.
 */
import net from 'node:net';
import type { MailResult } from './runtime.js';

export interface SmtpMail {
  /** `host` or `host:port` (IPv6: `[addr]:port`). */
  readonly server: string;
  readonly helo: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Headers and body, LF line ends (as alertMessage builds it). */
  readonly message: string;
  readonly timeoutMs: number;
}

const SMTP_PORT = 25;

export function parseServer(server: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (v6) return { host: v6[1] ?? '', port: v6[2] !== undefined ? Number(v6[2]) : SMTP_PORT };
  const m = /^([^:]+):(\d+)$/.exec(server);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : { host: server, port: SMTP_PORT };
}

/** The DATA payload: CRLF line ends, a From header when there is none, leading dots doubled, the final dot line. */
export function dataPayload(message: string, from: string): string {
  const head = message.split('\n\n', 1)[0] ?? '';
  const withFrom = /^From:/im.test(head) ? message : `From: ${from}\n${message}`;
  const lines = withFrom.replace(/\r?\n$/, '').split(/\r?\n/).map((l) => (l.startsWith('.') ? `.${l}` : l));
  return `${lines.join('\r\n')}\r\n.\r\n`;
}

/** Reads SMTP replies from a socket: each `next()` resolves with the code and text of one complete reply. */
class Replies {
  private buf = '';
  private lines: string[] = [];
  private waiter: ((r: { code: number; text: string }) => void) | undefined;

  feed(data: string): void {
    this.buf += data;
    let i;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
      this.buf = this.buf.slice(i + 1);
    }
    this.deliver();
  }

  next(): Promise<{ code: number; text: string }> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.deliver();
    });
  }

  private deliver(): void {
    const last = this.lines.findIndex((l) => !/^\d{3}-/.test(l));
    if (last < 0 || this.waiter === undefined) return;
    const reply = this.lines.splice(0, last + 1);
    const w = this.waiter;
    this.waiter = undefined;
    w({ code: Number(reply[last]?.slice(0, 3)), text: reply.join(' | ') });
  }
}

/** Sends one message; never rejects. */
export function sendSmtp(m: SmtpMail): Promise<MailResult> {
  const { host, port } = parseServer(m.server);
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const replies = new Replies();
    let done = false;
    const finish = (r: MailResult, quit = false): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (quit) sock.end('QUIT\r\n');
      else sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `SMTP ${m.server}: no answer within ${m.timeoutMs / 1000} s` }), m.timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => replies.feed(d));
    sock.on('error', (e) => finish({ ok: false, reason: `SMTP ${m.server}: ${e.message}` }));
    sock.on('close', () => finish({ ok: false, reason: `SMTP ${m.server}: connection closed` }));
    const step = async (line: string | undefined, ok: (code: number) => boolean, what: string): Promise<number> => {
      if (line !== undefined) sock.write(line);
      const r = await replies.next();
      if (!ok(r.code)) throw new Error(`${what}: ${r.text}`);
      return r.code;
    };
    const ok2 = (c: number): boolean => c >= 200 && c < 300;
    void (async () => {
      await step(undefined, ok2, 'greeting');
      const ehlo = await step(`EHLO ${m.helo}\r\n`, () => true, 'EHLO');
      if (!ok2(ehlo)) await step(`HELO ${m.helo}\r\n`, ok2, 'HELO');
      await step(`MAIL FROM:<${m.from}>\r\n`, ok2, 'MAIL FROM');
      for (const to of m.to) await step(`RCPT TO:<${to}>\r\n`, ok2, `RCPT TO ${to}`);
      await step('DATA\r\n', (c) => c === 354, 'DATA');
      await step(dataPayload(m.message, m.from), ok2, 'message');
      finish({ ok: true }, true);
    })().catch((e: unknown) => finish({ ok: false, reason: `SMTP ${m.server}: ${e instanceof Error ? e.message : String(e)}` }));
  });
}
