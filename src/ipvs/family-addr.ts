/**
 * Address bytes <-> text for the IPVS codec (pure). IPVS carries every address as a 16-byte
 * `union nf_inet_addr` (include/uapi/linux/netfilter.h): IPv4 in bytes 0-3, the rest zero.
 * Text is what glibc's inet_ntop prints (resolv/inet_ntop.c), so that ipvsadm's output and
 * ours compare as strings. (src/ipvs/addr-text.ts is the formatter's twin of this file.)
 */
import { AF_INET, AF_INET6, type AddressFamily } from './types.js';

/** Parsed IPv6 addresses (bounded; cleared when full): a table repeats its addresses a lot. */
const V6_CACHE = new Map<string, Buffer>();
const V6_CACHE_MAX = 65536;

/** 16 wire bytes for `text` in family `af`; undefined when the text is not such an address. Do not mutate the result. */
export function addrToWire(af: AddressFamily, text: string): Buffer | undefined {
  if (af === AF_INET) {
    const b = parseIpv4(text);
    if (!b) return undefined;
    const out = Buffer.alloc(16);
    b.copy(out);
    return out;
  }
  if (af !== AF_INET6) return undefined;
  const hit = V6_CACHE.get(text);
  if (hit) return hit;
  const b = parseIpv6(text);
  if (!b) return undefined;
  if (V6_CACHE.size >= V6_CACHE_MAX) V6_CACHE.clear();
  V6_CACHE.set(text, b);
  return b;
}

/** Text of a wire address; only the family's bytes are read. */
export function addrFromWire(af: AddressFamily, wire: Buffer): string | undefined {
  if (af === AF_INET) return wire.length >= 4 ? `${wire[0]}.${wire[1]}.${wire[2]}.${wire[3]}` : undefined;
  if (af === AF_INET6) return wire.length >= 16 ? formatIpv6(wire) : undefined;
  return undefined;
}

/** Canonical (inet_ntop) text of an address, or undefined when it does not parse. */
export function canonicalAddr(af: AddressFamily, text: string): string | undefined {
  const wire = addrToWire(af, text);
  return wire ? addrFromWire(af, wire) : undefined;
}

/** Dotted quad, inet_pton rules: four decimal parts 0..255 of 1-3 digits. */
function parseIpv4(text: string): Buffer | undefined {
  const out = Buffer.alloc(4);
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // '.' ends the last part
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else if (c === 46 && digits > 0 && part < 4) {
      out[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

function groups(s: string): number[] | undefined {
  if (s === '') return [];
  const ws = s.split(':');
  return ws.every((w) => /^[0-9a-fA-F]{1,4}$/.test(w)) ? ws.map((w) => parseInt(w, 16)) : undefined;
}

function parseIpv6(text: string): Buffer | undefined {
  let body = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const left = groups(halves[0] ?? '');
  const right0 = groups(halves[1] ?? '');
  if (!left || !right0) return undefined;
  const right = [...right0, ...tail];
  const fill = 8 - left.length - right.length;
  if (halves.length === 2 ? fill < 1 : left.length + tail.length !== 8) return undefined;
  const all = halves.length === 2 ? [...left, ...new Array<number>(fill).fill(0), ...right] : [...left, ...tail];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** glibc inet_ntop6: longest run (>= 2) of zero words -> "::" (first on a tie); dotted tail for ::a.b.c.d and ::ffff:a.b.c.d. */
function formatIpv6(b: Buffer): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(i * 2));
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > len) { base = i; len = j - i; }
    i = j === i ? i + 1 : j;
  }
  if (len < 2) base = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (base !== -1 && i >= base && i < base + len) {
      if (i === base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && base === 0 && (len === 6 || (len === 5 && w[5] === 0xffff))) {
      return `${out}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    out += (w[i] ?? 0).toString(16);
  }
  return base !== -1 && base + len === 8 ? `${out}:` : out;
}
