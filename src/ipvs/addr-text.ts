/**
 * Address text <-> bytes, as glibc's inet_pton / inet_ntop do it (pure).
 * ipvsadm prints every address with inet_ntop, and its sort comparators read the
 * address as four big-endian 32-bit words; both need the bytes, not the text.
 */
import { AF_INET, AF_INET6, type AddressFamily } from './types.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../model/index.js';

// The one inet_pton / inet_ntop implementation lives in src/model/ip.ts.
export { formatIPv4 as formatIpv4, formatIPv6 as formatIpv6, parseIPv4 as parseIpv4, parseIPv6 as parseIpv6 };

/** Bytes of an address in the given family (4 or 16), or undefined when the text is not one. */
export function addrBytes(af: AddressFamily, text: string): Uint8Array | undefined {
  return af === AF_INET ? parseIPv4(text) : parseIPv6(text);
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

/** Canonical (inet_ntop) text of an address, or the input unchanged when it does not parse. */
export function canonicalAddr(af: AddressFamily, text: string): string {
  const b = addrBytes(af, text);
  if (b === undefined) return text;
  return af === AF_INET6 ? formatIPv6(b) : formatIPv4(b);
}

/** `addr:port`, IPv6 in brackets, as ipvsadm's addrport_to_anyname with FMT_NUMERIC. */
export function addrPort(af: AddressFamily, addr: string, port: number): string {
  return af === AF_INET ? `${addr}:${port}` : `[${addr}]:${port}`;
}
