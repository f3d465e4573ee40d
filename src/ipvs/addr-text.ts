/**
 * Address text <-> bytes, as glibc's inet_pton / inet_ntop do it (pure).
 * ipvsadm prints every address with inet_ntop, and its sort comparators read the
 * address as four big-endian 32-bit words; both need the bytes, not the text.
 */
import { AF_INET, AF_INET6, type AddressFamily } from './types.js';

/** Parse dotted-quad IPv4 text (inet_pton rules: exactly 4 decimal parts 0..255). */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parse IPv6 text (RFC 4291 §2.2 forms, incl. "::" and a dotted IPv4 tail). */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function parseGroups(s: string): number[] | undefined {
  if (s === '') return [];
  const parts = s.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      groups.push(parseInt(p, 16));
    }
  }
  return groups;
}

/** Bytes of an address in the given family (4 or 16), or undefined when the text is not one. */
export function addrBytes(af: AddressFamily, text: string): Uint8Array | undefined {
  return af === AF_INET ? parseIpv4(text) : parseIpv6(text);
}

/**
 * The address as the kernel's 16-byte `union nf_inet_addr`, read as four host-order words
 * of ntohl(): IPv4 fills word 0, the rest stay 0. Unparsable text (e.g. the empty address
 * of a fwmark service) reads as all zero, as the zeroed union does in ipvsadm.
 */
export function addrWords(af: AddressFamily, text: string): [number, number, number, number] {
  const b = addrBytes(af, text) ?? new Uint8Array(0);
  const w = (i: number): number =>
    (((b[4 * i] ?? 0) << 24) | ((b[4 * i + 1] ?? 0) << 16) | ((b[4 * i + 2] ?? 0) << 8) | (b[4 * i + 3] ?? 0)) >>> 0;
  return [w(0), w(1), w(2), w(3)];
}

/** glibc inet_ntop(AF_INET6): lowercase, longest run (≥2) of zero groups as "::", first on a tie. */
export function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  // glibc resolv/inet_ntop.c: a dotted IPv4 tail only when the best zero run is groups 0-5
  // (so group 6 is non-zero: ::a.b.c.d) or groups 0-4 followed by ffff (::ffff:a.b.c.d).
  const zero6 = g.slice(0, 5).every((x) => x === 0);
  const dotted = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (zero6 && g[5] === 0 && g[6] !== 0) return `::${dotted}`;
  if (zero6 && g[5] === 0xffff) return `::ffff:${dotted}`;
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function formatIpv4(b: Uint8Array): string {
  return `${b[0] ?? 0}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
}

/** Canonical (inet_ntop) text of an address, or the input unchanged when it does not parse. */
export function canonicalAddr(af: AddressFamily, text: string): string {
  const b = addrBytes(af, text);
  if (b === undefined) return text;
  return af === AF_INET6 ? formatIpv6(b) : formatIpv4(b);
}

/** `addr:port`, IPv6 in brackets, as ipvsadm's addrport_to_anyname with FMT_NUMERIC. */
export function addrPort(af: AddressFamily, addr: string, port: number): string {
  return af === AF_INET ? `${addr}:${port}` : `[${addr}]:${port}`;
}
