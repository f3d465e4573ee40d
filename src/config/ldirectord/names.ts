/**
 * Host and service names, resolved as ldirectord 4.12 resolves them while parsing, but
 * through an injected NameService (pure: no DNS here). ldirectord calls
 * getaddrinfo(name, 0, family) and keeps the first address; glibc reads numeric IPv4 text
 * the inet_aton way ("5060" is 0.0.19.196, "10.1" is 10.0.0.1, "010.0.0.1" is 8.0.0.1), so
 * that part is done here, before the name service is asked. Ports: digits 0-65535, else
 * getservbyname(name, protocol) (protocol "" = any).
 *
 * nameServiceFromFiles builds the default NameService from the text of /etc/hosts and
 * /etc/services (the I/O edge reads them); a name not in /etc/hosts is not resolved.
 */
import { type IpFamily, parseIp } from '../../model/index.js';

export interface NameService {
  /** Addresses of a host name in one family, in the order getaddrinfo would give them; [] = unknown. */
  host(name: string, family: IpFamily): readonly string[];
  /** Port of a service name for a protocol ("" = any); undefined = unknown. */
  service(name: string, protocol: string): number | undefined;
}

/** glibc inet_aton (exact form): 1 to 4 parts, each decimal, 0x-hex or 0-octal; the last fills the rest. */
export function inetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    const v = /^0[xX][0-9a-fA-F]*$/.test(p) ? parseInt(p.slice(2) || '0', 16) : /^0[0-7]*$/.test(p) ? parseInt(p, 8) : /^[1-9]\d*$/.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(v)) return undefined;
    values.push(v);
  }
  const last = values.pop() ?? 0;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  let n = values.reduce((acc, v, i) => acc + v * 2 ** (8 * (3 - i)), 0);
  n += last;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** ld_gethostbyname: `[...]` stripped, literal or name, first address in the family; canonical text. */
export function resolveHost(ns: NameService, name: string, family: IpFamily): string | undefined {
  const bare = /\[(.*)\]/.exec(name)?.[1] ?? name;
  if (family === 4) {
    const literal = inetAton(bare);
    if (literal !== undefined) return literal;
  }
  const v6 = parseIp(bare);
  if (v6 !== undefined) return v6.family === family ? v6.address : undefined;
  const first = ns.host(bare, family)[0];
  const p = first === undefined ? undefined : parseIp(first);
  return p?.family === family ? p.address : undefined;
}

/** ld_getservbyname: digits 0-65535 as they are, else the service name for the protocol. */
export function resolvePort(ns: NameService, text: string, protocol: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text) < 65536 ? Number(text) : undefined;
  return ns.service(text, protocol);
}

interface HostEntry { readonly address: string; readonly family: IpFamily; readonly names: readonly string[] }
interface ServiceEntry { readonly names: readonly string[]; readonly port: number; readonly protocol: string }

function words(line: string): string[] {
  return line.replace(/#.*/, '').trim().split(/\s+/).filter((w) => w !== '');
}

/** hosts(5): ADDRESS NAME [ALIAS...]; names compare without case, as glibc's files backend does. */
export function parseHosts(text: string): HostEntry[] {
  return text.split('\n').flatMap((line) => {
    const [addr, ...names] = words(line);
    const p = addr === undefined ? undefined : parseIp(addr);
    return p === undefined || names.length === 0 ? [] : [{ address: p.address, family: p.family, names: names.map((n) => n.toLowerCase()) }];
  });
}

/** services(5): NAME PORT/PROTOCOL [ALIAS...]. */
export function parseServices(text: string): ServiceEntry[] {
  return text.split('\n').flatMap((line) => {
    const [name, portProto, ...aliases] = words(line);
    const m = portProto === undefined ? null : /^(\d+)\/(\S+)$/.exec(portProto);
    return name === undefined || !m ? [] : [{ names: [name, ...aliases], port: Number(m[1]), protocol: m[2] ?? '' }];
  });
}

export function nameServiceFromFiles(o: { hosts: string; services: string }): NameService {
  const hosts = parseHosts(o.hosts);
  const services = parseServices(o.services);
  return {
    host: (name, family) => hosts.filter((h) => h.family === family && h.names.includes(name.toLowerCase())).map((h) => h.address),
    service: (name, protocol) => services.find((s) => s.names.includes(name) && (protocol === '' || s.protocol === protocol))?.port,
  };
}
