/**
 * The `virtual=` / `virtual6=` head and `fallback=` / `fallback6=` values, as ldirectord 4.12
 * reads and resolves them (read_config, parse_fallback, ld_gethostservbyname).
 *
 * virtual: `a.b.c.d:port` (virtual only), `name:port`, `digits` (a firewall mark: so
 * `virtual=192.168.1.1` without a port is fwmark 192, kept and warned), `[v6]:port`
 * (virtual6 only). Only the start of the value counts.
 */
import type { IpFamily } from '../../model/index.js';
import { resolveHost, resolvePort, type NameService } from './names.js';
import type { LdForward } from './real.js';
import { no, ok, type Read } from './values.js';

export type VirtualHead =
  | { readonly kind: 'addr'; readonly host: string; readonly port: string; readonly text: string }
  | { readonly kind: 'fwmark'; readonly mark: number };

const PORT = '[0-9A-Za-z-_]+';

function trailing(v: string, used: number, head: string): string | undefined {
  const extra = v.slice(used).replace(/\s*#.*$/, '');
  return /\S/.test(extra) ? `${head}: the text after "${v.slice(0, used)}" ("${extra.trim()}") is ignored, as ldirectord does` : undefined;
}

export function readVirtualHead(v: string, family: IpFamily): Read<VirtualHead> {
  const name = family === 4 ? 'virtual' : 'virtual6';
  const v4 = new RegExp(String.raw`^(\d+\.\d+\.\d+\.\d+):(${PORT})`).exec(v);
  const named = new RegExp(String.raw`^([0-9A-Za-z._+-]+):(${PORT})`).exec(v);
  const m = (family === 4 ? v4 : null) ?? named;
  if (m) return ok({ kind: 'addr', host: m[1] ?? '', port: m[2] ?? '', text: m[0] }, trailing(v, m[0].length, `${name}=${v}`));
  const mark = /^(\d+)/.exec(v);
  if (mark) {
    const n = Number(mark[1]);
    const looksLikeAddress = /^\d+\.\d/.test(v);
    const note = looksLikeAddress
      ? `${name}=${v} has no port, so ldirectord reads it as firewall mark ${n} (not an address); lvsd does the same`
      : trailing(v, mark[0].length, `${name}=${v}`);
    return ok({ kind: 'fwmark', mark: n }, note);
  }
  const six = new RegExp(String.raw`^\[([0-9A-Fa-f:]+)\]:(${PORT})`).exec(v);
  if (six && family === 4) return no(`expected an IPv4 address with virtual=, got an IPv6 one: write virtual6=${v}`);
  if (six) return ok({ kind: 'addr', host: `[${six[1] ?? ''}]`, port: six[2] ?? '', text: six[0] }, trailing(v, six[0].length, `${name}=${v}`));
  return no(`expected ADDRESS:PORT, HOST:PORT${family === 6 ? ', [IPV6]:PORT' : ''} or a firewall mark for ${name}, got "${v}"`);
}

/** The virtual's address and port after the block: `(:(\d+|[A-Za-z0-9-_]+))?$` splits off the port. */
export function resolveVirtual(h: { host: string; port: string }, o: { protocol: string; family: IpFamily; ns: NameService }): Read<{ address: string; port: number }> {
  const address = resolveHost(o.ns, h.host, o.family);
  const port = resolvePort(o.ns, h.port, o.protocol);
  if (address === undefined) return no(`expected a resolvable IPv${o.family} address for the virtual service, got "${h.host}" (ldirectord: invalid address for virtual service)`);
  if (port === undefined) return no(`expected a port (0-65535) or a service name known for ${o.protocol} for the virtual service, got "${h.port}" (ldirectord: invalid address for virtual service)`);
  return ok({ address, port });
}

export interface FallbackSyntax {
  readonly host: string;
  /** Absent: the virtual's port (a global fallback takes each virtual's own). */
  readonly port?: string;
  readonly forward: LdForward;
}

/**
 * parse_fallback: `(\S+)(\s+(\S+))?\s*$` takes the last one or two words (method, default
 * gate), then `(:(\d+|[A-Za-z0-9-_]+))?$` splits the port off the host.
 */
export function readFallback(v: string): Read<FallbackSyntax> {
  const m = /(\S+)(\s+(\S+))?\s*$/.exec(v);
  if (!m) return no(`expected HOST[:PORT] [gate|masq|ipip] for fallback, got "${v}"`);
  const note = v.slice(0, m.index).trim() === '' ? undefined : `fallback=${v}: ldirectord reads only "${m[0].trim()}" and ignores "${v.slice(0, m.index).trim()}"`;
  const fwd = m[3];
  if (fwd !== undefined && fwd !== 'gate' && fwd !== 'masq' && fwd !== 'ipip') return no(`expected the forwarding method gate, masq or ipip for fallback, got "${fwd}"`);
  const hostPort = m[1] ?? '';
  const p = /:(\d+|[A-Za-z0-9-_]+)$/.exec(hostPort);
  const host = p ? hostPort.slice(0, p.index) : hostPort;
  if (host === '') return no(`expected a host for fallback, got "${v}"`);
  return ok({ host, ...(p ? { port: p[1] ?? '' } : {}), forward: fwd ?? 'gate' }, note);
}

/** _ld_read_config_fallback_resolve: the host in the family, the port (when given and not "0") for the protocol. */
export function resolveFallback(f: FallbackSyntax, o: { protocol: string; family: IpFamily; ns: NameService }): Read<{ address: string; port?: number; forward: LdForward }> {
  const address = resolveHost(o.ns, f.host, o.family);
  if (address === undefined) return no(`expected a resolvable IPv${o.family} address for the fallback server, got "${f.host}"`);
  if (f.port === undefined || f.port === '0') return ok({ address, ...(f.port === '0' ? { port: 0 } : {}), forward: f.forward });
  const port = resolvePort(o.ns, f.port, o.protocol);
  if (port === undefined || port === 0) return no(`expected a port or a service name known for ${o.protocol} for the fallback server, got "${f.port}"`);
  return ok({ address, port, forward: f.forward });
}
