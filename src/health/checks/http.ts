/**
 * HTTP_GET and SSL_GET: for each `url { }` in turn, one connection, one request written by hand,
 * the response read under bounds (http-response.ts); every url must pass. Written by hand over
 * net/tls, not with node:http, so a slow, resetting, hanging or garbage-speaking server is
 * judged exactly and the socket is always ours to close.
 *
 * The request is keepalived's (check_http.c 2.2.7 request_template):
 *   GET PATH HTTP/1.x / User-Agent: KeepAliveClient / [Connection: close for 1.0C and 1.1] / Host: H
 * where H is the url's virtualhost (resolved by the front-end), else the check's, else
 * ADDRESS:PORT ([v6]:port). SSL_GET: certificates are not verified (keepalived 2.2.7 does not
 * either, even with a CA); the SSL block's client certificate is presented (tls-client.ts); SNI is the url's sniName (the front-end resolves keepalived's rules), none without.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Attempt, AttemptSpec, Checker } from '../checker.js';
import type { CheckProbe, HttpExpect } from '../../model/index.js';
import { hostPort } from '../plan.js';
import { openStream } from './connection.js';
import { openNativeStream } from './native-stream.js';
import { ResponseReader, type Verdict } from './http-response.js';
import { Outcome } from './outcome.js';
import { clientContext } from './tls-client.js';

export type HttpProbe = Extract<CheckProbe, { kind: 'http' }>;

export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

export const DEFAULT_URL: HttpExpect = { path: '/', status: [] };

export function httpRequest(spec: Pick<AttemptSpec, 'address' | 'port'>, probe: HttpProbe, url: HttpExpect): string {
  const host = url.virtualhost ?? probe.virtualhost ?? hostPort(spec.address, spec.port);
  const close = probe.httpVersion === '1.0' ? '' : 'Connection: close\r\n';
  const version = probe.httpVersion === '1.1' ? '1.1' : '1.0';
  return `${probe.method} ${url.path} HTTP/${version}\r\nUser-Agent: KeepAliveClient\r\n${close}Host: ${host}\r\n\r\n`;
}

/** The request bytes of a url, per attempt spec (the engine hands the same spec to every attempt of a probe). */
const requests = new WeakMap<AttemptSpec, Map<HttpExpect, Buffer>>();
export function requestBytes(spec: AttemptSpec, probe: HttpProbe, url: HttpExpect): Buffer {
  let bySpec = requests.get(spec);
  if (bySpec === undefined) {
    bySpec = new Map();
    requests.set(spec, bySpec);
  }
  let b = bySpec.get(url);
  if (b === undefined) {
    b = Buffer.from(httpRequest(spec, probe, url));
    bySpec.set(url, b);
  }
  return b;
}

/** One url over one connection; resolves with its verdict, or undefined if the attempt ended. */
function fetchOne(spec: AttemptSpec, probe: HttpProbe, url: HttpExpect, out: Outcome, secureContext?: tls.SecureContext): Promise<Verdict | undefined> {
  return new Promise((resolve) => {
    out.release(() => resolve(undefined));
    const reader = new ResponseReader({ expect: url, head: probe.method === 'HEAD', maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES });
    const servername = url.sniName;
    let sock: net.Socket | undefined;
    let closeNative: (() => void) | undefined;
    const done = (v: Verdict): void => {
      sock?.destroy();
      closeNative?.();
      resolve(v);
    };
    const onData = (chunk: Buffer): void => {
      const v = reader.feed(chunk);
      if (v !== undefined) done(v);
    };
    const onEnd = (): void => done(reader.end());
    // Plain HTTP: through the addon when nothing differs (native-stream.ts), else net's `onread`
    // (no stream machinery per attempt, connection.ts).
    if (!probe.tls) closeNative = openNativeStream(spec, out, requestBytes(spec, probe, url), { onData, onEnd });
    if (closeNative !== undefined) return;
    sock = openStream(spec, out, probe.tls ? { tls: { ...(servername !== undefined ? { servername } : {}), ...(secureContext ? { secureContext } : {}) } } : { noDelay: false, onData }, (s) => {
      s.write(httpRequest(spec, probe, url));
    });
    if (probe.tls) sock?.on('data', onData);
    sock?.on('end', onEnd);
  });
}

async function run(spec: AttemptSpec, probe: HttpProbe, out: Outcome): Promise<void> {
  const urls = probe.urls.length > 0 ? probe.urls : [DEFAULT_URL];
  let last: Verdict = { ok: true, detail: 'no url' };
  const client = probe.clientTls ? await clientContext(probe.clientTls) : undefined;
  if (client?.ok === false) {
    out.fail('error', client.detail);
    return;
  }
  for (const url of urls) {
    const v = await fetchOne(spec, probe, url, out, client?.context);
    if (v === undefined) return;
    last = v;
    if (!v.ok) {
      out.fail(v.reason, urls.length > 1 ? `${v.detail} on ${url.path}` : v.detail);
      return;
    }
  }
  out.pass(last.detail);
}

export const httpChecker: Checker = {
  kind: 'http',
  start(spec: AttemptSpec): Attempt {
    const out = new Outcome();
    if (spec.probe.kind !== 'http') out.fail('error', `http checker given a ${spec.probe.kind} probe`);
    else void run(spec, spec.probe, out);
    return out.attempt();
  },
};
