/**
 * An HTTP/1.x response read incrementally and judged against one `url { }` (pure: bytes in,
 * verdicts out; md5 through node:crypto, which does no I/O).
 *
 * Bounded: the status line and headers must end within `maxHeaderBytes`, and at most
 * `maxBodyBytes` of body are read; a server that floods gets a `protocol` failure once the
 * bound is crossed, never an unbounded buffer. When the verdict needs only the status (no
 * digest, no regex) it is given as soon as the headers are complete. The body ends at
 * Content-Length, at the end of a chunked body, or at EOF (HTTP/1.0, Connection: close).
 *
 * Verdict order as keepalived's http_handle_response (check_http.c 2.2.7): status code first
 * (default 200-299), then the MD5 digest of the body, then the regex.
 */
import { createHash, type Hash } from 'node:crypto';
import type { HttpExpect } from '../../model/index.js';
import type { FailReason } from '../checker.js';
import { offsetsText, regexMatched } from './body-regex.js';
import { excerpt } from './outcome.js';

export type Verdict = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: FailReason; readonly detail: string };

export interface ReaderOptions {
  readonly expect: HttpExpect;
  /** HEAD: the response has no body whatever its headers say. */
  readonly head: boolean;
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');
/** Never written: the "nothing yet" of `head` and `pending`. */
const EMPTY = Buffer.alloc(0);

export class ResponseReader {
  private head: Buffer = EMPTY;
  private status = 0;
  private headersDone = false;
  private length: number | undefined;
  private chunked = false;
  private pending: Buffer = EMPTY; // chunked framing not yet consumed
  private chunkLeft = -1; // -1: expecting a size line
  private bodyBytes = 0;
  /** Only with a `digest` to compare: hashing every body would cost every attempt. */
  private readonly md5: Hash | undefined;
  private readonly body: Buffer[] = [];
  private readonly needBody: boolean;
  private locationHeader: string | undefined;

  constructor(private readonly o: ReaderOptions) {
    this.needBody = !o.head && (o.expect.digest !== undefined || o.expect.regex !== undefined);
    this.md5 = o.expect.digest !== undefined ? createHash('md5') : undefined;
  }

  /** Feed bytes; returns a verdict once one is known, else undefined (read more). `chunk` is not kept (copied where needed). */
  feed(chunk: Buffer): Verdict | undefined {
    if (!this.headersDone) {
      this.head = this.head.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.head, chunk]);
      const end = this.head.indexOf(CRLF2);
      if (end < 0) {
        if (this.head.length > this.o.maxHeaderBytes) return { ok: false, reason: 'protocol', detail: `no end of headers within ${this.o.maxHeaderBytes} bytes` };
        return this.head.length >= 12 ? this.checkStatusLine() : undefined;
      }
      const bad = this.parseHead(this.head.subarray(0, end).toString('latin1'));
      if (bad !== undefined) return bad;
      const status = this.judgeStatus();
      if (status !== undefined) return status;
      if (!this.needBody) return { ok: true, detail: `HTTP ${this.status}` };
      const rest = this.head.subarray(end + 4);
      this.head = EMPTY;
      return rest.length > 0 ? this.bodyData(rest) : this.complete();
    }
    return this.bodyData(chunk);
  }

  /** The status code once the headers are read (0 before). */
  get statusCode(): number {
    return this.status;
  }

  /** The Location header, when the response had one (redirects). */
  get location(): string | undefined {
    return this.locationHeader;
  }

  /** The peer closed the connection: judge what arrived. */
  end(): Verdict {
    if (!this.headersDone) {
      if (this.head.length === 0) return { ok: false, reason: 'protocol', detail: 'connection closed without a response' };
      return { ok: false, reason: 'protocol', detail: `connection closed inside the headers: ${excerpt(this.head)}` };
    }
    if (this.length !== undefined || this.chunked) return { ok: false, reason: 'protocol', detail: `connection closed after ${this.bodyBytes} body bytes` };
    return this.finish();
  }

  private checkStatusLine(): Verdict | undefined {
    return /^HTTP\/\d\.\d /.test(this.head.subarray(0, 9).toString('latin1')) ? undefined : { ok: false, reason: 'protocol', detail: `not an HTTP response: ${excerpt(this.head)}` };
  }

  private parseHead(text: string): Verdict | undefined {
    const lines = text.split('\r\n');
    const m = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (m === null) return { ok: false, reason: 'protocol', detail: `not an HTTP response: ${excerpt(lines[0] ?? '')}` };
    this.status = Number(m[1]);
    this.headersDone = true;
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      if (name === 'content-length' && /^\d+$/.test(value)) this.length = Number(value);
      if (name === 'transfer-encoding' && /chunked/i.test(value)) this.chunked = true;
      if (name === 'location') this.locationHeader = value;
    }
    if (this.chunked) this.length = undefined;
    return undefined;
  }

  private judgeStatus(): Verdict | undefined {
    const ranges = this.o.expect.status.length > 0 ? this.o.expect.status : [[200, 299] as const];
    if (ranges.some(([lo, hi]) => this.status >= lo && this.status <= hi)) return undefined;
    return { ok: false, reason: 'status', detail: `HTTP ${this.status}` };
  }

  private bodyData(chunk: Buffer): Verdict | undefined {
    if (this.chunked) return this.dechunk(chunk);
    const want = this.length !== undefined ? Math.min(chunk.length, this.length - this.bodyBytes) : chunk.length;
    const over = this.take(chunk.subarray(0, want));
    if (over !== undefined) return over;
    return this.complete();
  }

  private complete(): Verdict | undefined {
    if (this.length !== undefined && this.bodyBytes >= this.length) return this.finish();
    return undefined;
  }

  private take(data: Buffer): Verdict | undefined {
    this.bodyBytes += data.length;
    if (this.bodyBytes > this.o.maxBodyBytes) return { ok: false, reason: 'protocol', detail: `response body over ${this.o.maxBodyBytes} bytes` };
    this.md5?.update(data);
    if (this.o.expect.regex !== undefined) this.body.push(Buffer.from(data));
    return undefined;
  }

  /** RFC 9112 §7.1 chunked framing: size line, data, CRLF; a 0 size ends the body. */
  private dechunk(chunk: Buffer): Verdict | undefined {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.chunkLeft < 0) {
        const eol = this.pending.indexOf('\r\n');
        if (eol < 0) return this.pending.length > 1024 ? { ok: false, reason: 'protocol', detail: 'bad chunk size line' } : undefined;
        const size = parseInt(this.pending.subarray(0, eol).toString('latin1').split(';')[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0) return { ok: false, reason: 'protocol', detail: `bad chunk size ${excerpt(this.pending.subarray(0, eol))}` };
        this.pending = this.pending.subarray(eol + 2);
        if (size === 0) return this.finish();
        this.chunkLeft = size;
      }
      if (this.pending.length < this.chunkLeft + 2) {
        const n = Math.min(this.pending.length, this.chunkLeft);
        const over = this.take(this.pending.subarray(0, n));
        this.chunkLeft -= n;
        this.pending = this.pending.subarray(n);
        return over;
      }
      const over = this.take(this.pending.subarray(0, this.chunkLeft));
      if (over !== undefined) return over;
      this.pending = this.pending.subarray(this.chunkLeft + 2);
      this.chunkLeft = -1;
    }
  }

  private finish(): Verdict {
    const bad = this.judgeStatus();
    if (bad !== undefined) return bad;
    const e = this.o.expect;
    if (e.digest !== undefined && this.md5 !== undefined) {
      const got = this.md5.digest('hex');
      if (got !== e.digest.toLowerCase()) return { ok: false, reason: 'content', detail: `digest ${got}, expected ${e.digest.toLowerCase()}` };
    }
    if (e.regex !== undefined) {
      const matched = regexMatched(e, Buffer.concat(this.body).toString('latin1'));
      if (matched === (e.regexNoMatch === true)) return { ok: false, reason: 'content', detail: `body ${matched ? 'matches' : 'does not match'} /${e.regex}/${offsetsText(e)}` };
    }
    return { ok: true, detail: `HTTP ${this.status}` };
  }
}
