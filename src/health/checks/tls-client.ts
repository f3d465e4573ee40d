/**
 * The client side of SSL_GET from keepalived's `SSL { }` block (model TlsClientFiles): the PEM
 * files are read once per configuration (cached by the files object, so a reload, which builds
 * new objects, reads them again) into one tls.SecureContext that every SSL_GET connection uses.
 *
 * As keepalived 2.2.7 (check_ssl.c build_ssl_ctx): the certificate file is a chain (leaf first),
 * the key is PEM, decrypted with `password`, and the CA is loaded but the server is NOT
 * verified (keepalived never sets SSL_VERIFY_PEER; openStream keeps rejectUnauthorized false).
 * Where keepalived's checker process exits when a file cannot be loaded ("SSL error : Cant load
 * certificate file... Terminate"), lvsd fails each SSL_GET attempt with reason `error` naming the
 * file and the errno, so the other checks keep running and `lvsctl checks` says why.
 */
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { TlsClientFiles } from '../../model/index.js';

export type ClientContext = { readonly ok: true; readonly context: tls.SecureContext } | { readonly ok: false; readonly detail: string };

const cache = new WeakMap<TlsClientFiles, Promise<ClientContext>>();

function errnoOf(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
  return code ?? (e instanceof Error ? e.message : String(e));
}

async function read(what: string, path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (e) {
    throw new Error(`cannot read SSL ${what} ${path}: ${errnoOf(e)}`, { cause: e });
  }
}

async function build(f: TlsClientFiles): Promise<ClientContext> {
  try {
    const [ca, cert, key] = await Promise.all([read('ca', f.ca), read('certificate', f.certificate), read('key', f.key)]);
    const context = tls.createSecureContext({
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(f.password !== undefined ? { passphrase: f.password } : {}),
    });
    return { ok: true, context };
  } catch (e) {
    // createSecureContext throws OpenSSL's reason (bad decrypt, key values mismatch, no start line).
    const where = e instanceof Error && e.message.startsWith('cannot read') ? '' : 'cannot load the SSL block\'s files: ';
    return { ok: false, detail: `${where}${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The SecureContext of `files`, built on first use. */
export function clientContext(files: TlsClientFiles): Promise<ClientContext> {
  let p = cache.get(files);
  if (p === undefined) {
    p = build(files);
    cache.set(files, p);
  }
  return p;
}
