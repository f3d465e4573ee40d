/**
 * service=http, https and http_proxy, as ldirectord 4.12 check_http (LWP::UserAgent 6):
 * `httpmethod` (GET or HEAD) of the check URL (http(s)://RIP:PORT/request, or the absolute URL
 * a real server's own request gives), HTTP/1.1, `Host: virtualhost` (else the real server's
 * address, without port). Up on a 2xx status when `receive` is empty or matches the body (a
 * Perl regex, unanchored; HEAD has no body, so a receive then fails as in ldirectord).
 * https: the certificate is not verified (ldirectord: verify_hostname => 0).
 * Redirects (301, 302, 303, 307, 308) are followed as LWP follows them: up to 7, same method
 * (303 and 302 turn into GET), the Host header then being the new URL's host (LWP drops the
 * given one). http_proxy: the request goes to the real server as a proxy, with the absolute
 * URL in the request line.
 *
 * SNI: LWP sends the URL's host name, none for an address, so ldirectord never sends one when
 * checking RIP:PORT. lvsd also sends `virtualhost` as the server name then, so a server that
 * chooses its certificate (or refuses the handshake) by SNI answers as it would a client.
 */
import type net from 'node:net';
import type { AttemptSpec } from '../../checker.js';
import type { HttpExpect, NegotiateProbe } from '../../../model/index.js';
import { hostPort } from '../../plan.js';
import { openStream } from '../connection.js';
import { openNativeStream } from '../native-stream.js';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES } from '../http.js';
import { ResponseReader, type Verdict } from '../http-response.js';
import type { Outcome } from '../outcome.js';
import { compileReceive } from './receive.js';

/** LWP::UserAgent max_redirect. */
export const MAX_REDIRECTS = 7;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Hop {
  readonly url: URL;
  readonly method: 'GET' | 'HEAD';
  /** Explicit Host header (first hop only); else the URL's host. */
  readonly host?: string;
  readonly servername?: string;
}

type HopResult = { readonly verdict: Verdict; readonly status: number; readonly location?: string } | undefined;

/** The request bytes of one hop (pure). */
export function hopRequest(hop: Hop, proxy: boolean): string {
  const u = hop.url;
  const target = proxy ? u.href : `${u.pathname}${u.search}`;
  const host = hop.host ?? u.host;
  return `${hop.method} ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n`;
}

function isName(host: string): boolean {
  return /[a-z_]/i.test(host) && !host.includes(':');
}

function fetchHop(spec: AttemptSpec, hop: Hop, o: { proxy: boolean; expect: HttpExpect; out: Outcome; request: Buffer }): Promise<HopResult> {
  return new Promise((resolve) => {
    o.out.release(() => resolve(undefined));
    const tls = hop.url.protocol === 'https:' && !o.proxy;
    const host = hop.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(hop.url.port || (tls ? 443 : 80));
    const to = o.proxy ? spec : { ...spec, address: host, port };
    const reader = new ResponseReader({ expect: o.expect, head: hop.method === 'HEAD', maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES });
    let sock: net.Socket | undefined;
    let closeNative: (() => void) | undefined;
    const done = (verdict: Verdict): void => {
      sock?.destroy();
      closeNative?.();
      resolve({ verdict, status: reader.statusCode, ...(reader.location !== undefined ? { location: reader.location } : {}) });
    };
    const onData = (chunk: Buffer): void => {
      const v = reader.feed(chunk);
      if (v !== undefined) done(v);
    };
    const onEnd = (): void => done(reader.end());
    // Plain HTTP to an address: through the addon (native-stream.ts), as keepalived's HTTP_GET;
    // a name (a redirect's Location) or TLS goes through net/tls.
    if (!tls) closeNative = openNativeStream(to, o.out, o.request, { onData, onEnd });
    if (closeNative !== undefined) return;
    sock = openStream(to, o.out, tls ? { tls: hop.servername !== undefined ? { servername: hop.servername } : {} } : { noDelay: false, onData }, (s) => s.write(o.request));
    if (tls) sock?.on('data', onData);
    sock?.on('end', onEnd);
  });
}

function firstHop(spec: AttemptSpec, p: NegotiateProbe, url: URL): Hop {
  const host = p.virtualhost ?? (spec.address.includes(':') ? `[${spec.address}]` : spec.address);
  const servername = isName(url.hostname) ? url.hostname : p.virtualhost;
  return { url, method: p.method, ...(p.service === 'http_proxy' ? {} : { host }), ...(servername !== undefined ? { servername } : {}) };
}

/** The next hop after a redirect, or undefined when the response is not one LWP follows. */
function nextHop(hop: Hop, r: NonNullable<HopResult>): Hop | undefined {
  if (!REDIRECTS.has(r.status) || r.location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(r.location, hop.url);
  } catch {
    return undefined; // an unusable Location: the redirect response itself is the answer
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const method = (r.status === 302 || r.status === 303) && hop.method !== 'HEAD' ? 'GET' : hop.method;
  return { url, method, ...(isName(url.hostname) ? { servername: url.hostname } : {}) };
}

/** What every attempt of one probe at one address shares: the receive pattern, the URL, the first request. */
interface Prepared {
  readonly key: string;
  readonly receive: ReturnType<typeof compileReceive> | undefined;
  readonly url: URL | undefined;
  readonly expect: HttpExpect;
  readonly first: { readonly hop: Hop; readonly request: Buffer } | undefined;
}

const prepared = new WeakMap<NegotiateProbe, Prepared>();

function prepare(spec: AttemptSpec, p: NegotiateProbe): Prepared {
  const key = `${spec.address}|${spec.port}`;
  const old = prepared.get(p);
  if (old?.key === key) return old;
  const receive = p.receive === '' ? undefined : compileReceive(p.receive);
  let url: URL | undefined;
  try {
    url = new URL(p.url ?? `http://${hostPort(spec.address, spec.port)}${p.request}`);
  } catch {
    url = undefined;
  }
  const expect: HttpExpect = { path: p.request, status: [[200, 299]], ...(receive?.ok === true ? { regex: receive.re.source, regexFlags: receive.re.flags } : {}) };
  const hop = url !== undefined ? firstHop(spec, p, url) : undefined;
  const first = hop !== undefined ? { hop, request: Buffer.from(hopRequest(hop, p.service === 'http_proxy')) } : undefined;
  const fresh: Prepared = { key, receive, url, expect, first };
  prepared.set(p, fresh);
  return fresh;
}

/** A `receive` that matches as its bytes do: no character with a meaning in a Perl or JS pattern. */
const LITERAL = /^[\x20-\x7e]+$/;
const PATTERN_CHARS = /[\\^$.|?*+()[\]{}]/;

/** What the steady lane needs of a negotiate probe (checks/steady-lane.ts). */
export interface LaneShape {
  /** The first request, as checkHttp sends it. */
  readonly request: Buffer;
  /** The response judge, as checkHttp's (2xx, then the receive pattern on the body). */
  readonly expect: HttpExpect;
  /** The receive as bytes the body must contain; null: none given (the status decides). */
  readonly needle: Buffer | null;
}

/**
 * The steady lane's shape of a probe whose attempts the addon can run as checkHttp would:
 * service http, GET, checktype negotiate (no connects between), the URL's host and port the
 * real server's own, and a receive that is empty or a plain string. Else undefined.
 */
export function laneShape(spec: AttemptSpec, p: NegotiateProbe): LaneShape | undefined {
  if (p.service !== 'http' || p.method !== 'GET' || p.connectBetween !== 0) return undefined;
  if (p.receive !== '' && (!LITERAL.test(p.receive) || PATTERN_CHARS.test(p.receive))) return undefined;
  const { receive, expect, first } = prepare(spec, p);
  if (first === undefined || receive?.ok === false) return undefined;
  const u = first.hop.url;
  if (u.protocol !== 'http:' || u.hostname.replace(/^\[(.*)\]$/, '$1') !== spec.address || Number(u.port || 80) !== spec.port) return undefined;
  return { request: first.request, expect, needle: p.receive === '' ? null : Buffer.from(p.receive, 'latin1') };
}

/** Whether a response with this status is a redirect checkHttp may follow (then the bytes alone do not decide). */
export function followed(status: number, location: string | undefined): boolean {
  return REDIRECTS.has(status) && location !== undefined;
}

export async function checkHttp(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const { receive, expect, first } = prepare(spec, p);
  if (receive !== undefined && !receive.ok) return out.fail('error', receive.detail);
  if (first === undefined) return out.fail('error', `not a URL: ${JSON.stringify(p.url)}`);
  const proxy = p.service === 'http_proxy';
  let hop: Hop | undefined = first.hop;
  let request = first.request;
  for (let redirects = 0; hop !== undefined; redirects++) {
    const r = await fetchHop(spec, hop, { proxy, expect, out, request });
    if (r === undefined) return;
    const next: Hop | undefined = redirects < MAX_REDIRECTS && !r.verdict.ok ? nextHop(hop, r) : undefined;
    if (next === undefined) {
      const where = redirects > 0 ? ` at ${hop.url.href} after ${redirects} redirect${redirects > 1 ? 's' : ''}` : '';
      if (r.verdict.ok && hop.method === 'HEAD' && receive?.ok === true && !receive.re.test('')) out.fail('content', `HEAD has no body to match ${JSON.stringify(p.receive)}${where}`);
      else if (r.verdict.ok) out.pass(`${r.verdict.detail}${where}`);
      else out.fail(r.verdict.reason, `${r.verdict.detail}${where}`);
      return;
    }
    hop = next;
    request = Buffer.from(hopRequest(hop, proxy));
  }
}
