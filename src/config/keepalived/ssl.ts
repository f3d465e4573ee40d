/**
 * keepalived's top-level `SSL { ca FILE certificate FILE key FILE password PASS }` (check_parser.c
 * ssl_handler and its four keywords, 2.2.7): the client side of every SSL_GET. keepalived builds
 * one SSL_CTX from it when some SSL_GET exists (check_ssl.c build_ssl_ctx):
 * SSL_CTX_use_certificate_chain_file(certificate), the password callback for an encrypted key,
 * SSL_CTX_use_PrivateKey_file(key, PEM) and SSL_CTX_load_verify_locations(ca). It never calls
 * SSL_CTX_set_verify, so the peer is not verified even with a CA: the CA only lets OpenSSL
 * complete the client certificate chain. lvsd does the same: the files go to every SSL_GET
 * probe (model TlsClientFiles), which presents the certificate and does not verify the server.
 * A second SSL block replaces the first, as keepalived does (and reports).
 */
import type { TlsClientFiles, VirtualService } from '../../model/index.js';
import { interpret, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { keepalivedRules } from './repeats.js';

export interface SslDraft {
  ca?: string;
  certificate?: string;
  key?: string;
  password?: string;
}

function file(name: keyof SslDraft): Keyword<SslDraft> {
  return { names: [name], minArgs: 1, maxArgs: 1, block: 'none', apply: (s, d) => { d[name] = s.args[0]?.text; } };
}

export const SSL_KEYWORDS: readonly Keyword<SslDraft>[] = [file('ca'), file('certificate'), file('key'), file('password')];

/** The `SSL` keyword of parse.ts's TOP table; `set` keeps the block's draft. */
export function sslKeyword<D>(get: (d: D) => SslDraft | undefined, set: (d: D, s: SslDraft) => void): Keyword<D> {
  return {
    names: ['SSL'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
    apply: (s: Stmt, d: D, sink: Sink) => {
      if (get(d) !== undefined) sink.warnings.push({ at: s.keyword.at, message: 'SSL given again: this block replaces the earlier one, as keepalived 2.2.7 does ("SSL context already specified - replacing")' });
      const draft: SslDraft = {};
      interpret(s.block?.body ?? [], SSL_KEYWORDS, draft, { where: 'SSL', sink, ...keepalivedRules('SSL') });
      set(d, draft);
    },
  };
}

/** Every SSL_GET of `services` with the SSL block's files (none: unchanged). */
export function withSslFiles(services: readonly VirtualService[], ssl: SslDraft | undefined): VirtualService[] {
  const files: TlsClientFiles | undefined = ssl && {
    ...(ssl.ca !== undefined ? { ca: ssl.ca } : {}),
    ...(ssl.certificate !== undefined ? { certificate: ssl.certificate } : {}),
    ...(ssl.key !== undefined ? { key: ssl.key } : {}),
    ...(ssl.password !== undefined ? { password: ssl.password } : {}),
  };
  if (files === undefined || Object.keys(files).length === 0) return [...services];
  return services.map((vs) => ({
    ...vs,
    reals: vs.reals.map((r) => (r.health === undefined ? r : {
      ...r,
      health: { ...r.health, checks: r.health.checks.map((c) => (c.probe.kind === 'http' && c.probe.tls ? { ...c, probe: { ...c.probe, clientTls: files } } : c)) },
    })),
  }));
}
