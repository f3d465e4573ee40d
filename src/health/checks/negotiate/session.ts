/**
 * A line-oriented conversation over TCP or TLS for the text protocols of ldirectord's negotiate
 * checks (ftp, smtp, pop, imap, nntp, sip over tcp, simpletcp): read a line or a numbered reply,
 * write a command. Text is latin1 (one character per byte, as Perl's sockets read it).
 *
 * Bounded: a line longer than MAX_LINE_BYTES fails the attempt (`protocol`); nothing is
 * buffered beyond that. Reads resolve `undefined` once the peer closed or the attempt ended
 * (settled or cancelled), so a check written as straight-line `await`s simply stops.
 */
import type net from 'node:net';
import type { AttemptSpec } from '../../checker.js';
import { openStream } from '../connection.js';
import { excerpt, type Outcome } from '../outcome.js';

export const MAX_LINE_BYTES = 16 * 1024;

/** A numbered reply of FTP (RFC 959 §4.2) or SMTP (RFC 5321 §4.2): `NNN-...` lines, then `NNN ...`. */
export interface Reply {
  /** 0 when the line is not a reply at all. */
  readonly code: number;
  readonly text: string;
}

export class LineSession {
  private buf = '';
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(readonly sock: net.Socket, private readonly out: Outcome) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      if (this.buf.length > MAX_LINE_BYTES && !this.buf.slice(0, MAX_LINE_BYTES).includes('\n')) {
        out.fail('protocol', `a line longer than ${MAX_LINE_BYTES} bytes: ${excerpt(this.buf)}`);
      }
      this.poke();
    });
    const end = (): void => {
      this.closed = true;
      this.poke();
    };
    sock.on('end', end);
    sock.on('close', end);
    out.release(end);
  }

  /** The next line without its CR LF; undefined when the peer closed first or the attempt ended. */
  async line(): Promise<string | undefined> {
    for (;;) {
      if (this.out.done) return undefined;
      const eol = this.buf.indexOf('\n');
      if (eol >= 0) {
        const l = this.buf.slice(0, eol).replace(/\r$/, '');
        this.buf = this.buf.slice(eol + 1);
        return l;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Whatever arrived and has no newline yet, once the peer closed (simpletcp's last line). */
  rest(): string {
    const r = this.buf;
    this.buf = '';
    return r;
  }

  /** One numbered reply, multi-line ones read whole; its last line is `text`. */
  async reply(): Promise<Reply | undefined> {
    const first = await this.line();
    if (first === undefined) return undefined;
    const m = /^(\d{3})([ -]|$)/.exec(first);
    if (m === null) return { code: 0, text: first };
    let last = first;
    if (m[2] === '-') {
      for (;;) {
        const l = await this.line();
        if (l === undefined) return undefined;
        last = l;
        if (l.startsWith(`${m[1] ?? ''} `) || l === m[1]) break;
      }
    }
    return { code: Number(m[1]), text: last };
  }

  write(text: string): void {
    if (!this.out.done && !this.sock.destroyed) this.sock.write(text, 'latin1');
  }

  /** Sends a last command and closes our side; resolves once it is handed to the kernel (or the socket is gone). */
  finish(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.out.done || this.sock.destroyed) return resolve();
      this.sock.once('close', () => resolve());
      this.sock.end(text, 'latin1', () => resolve());
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

export interface SessionOptions {
  readonly tls?: boolean;
  readonly port?: number;
}

/** Connects (and completes the TLS handshake); undefined when the attempt failed or ended first. */
export function openSession(spec: AttemptSpec, out: Outcome, o: SessionOptions = {}): Promise<LineSession | undefined> {
  return new Promise((resolve) => {
    out.release(() => resolve(undefined));
    const s = { ...spec, port: o.port ?? spec.port };
    openStream(s, out, o.tls === true ? { tls: {} } : {}, (sock) => resolve(new LineSession(sock, out)));
  });
}
