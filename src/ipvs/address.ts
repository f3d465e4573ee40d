/**
 * Addresses as IPVS carries them (pure). Every address is a 16-byte `union nf_inet_addr`
 * (linux 6.1 include/uapi/linux/netfilter.h): IPv4 in bytes 0-3, the rest zero. Text is what
 * glibc's inet_ntop prints (src/model/ip.ts, the one parser and formatter), so that
 * ipvsadm's output and ours compare as strings; ipvsadm's sort comparators read the address
 * as four big-endian 32-bit words (ipvsadm 1.31 ipvsadm.c, list_all / sort helpers).
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../model/index.js';
import { AF_INET, AF_INET6, type AddressFamily } from './types.js';

/** Parsed IPv6 addresses (bounded; cleared when full): a table repeats its addresses a lot. */
const V6_CACHE = new Map<string, Buffer>();
const V6_CACHE_MAX = 65536;

/** Bytes of an address in the given family (4 or 16), or undefined when the text is not one. */
export function addrBytes(af: AddressFamily, text: string): Uint8Array | undefined {
  return af === AF_INET ? parseIPv4(text) : af === AF_INET6 ? parseIPv6(text) : undefined;
}

/** 16 wire bytes for `text` in family `af`; undefined when the text is not such an address. Do not mutate the result. */
export function addrToWire(af: AddressFamily, text: string): Buffer | undefined {
  if (af === AF_INET) {
    const b = parseIPv4(text);
    if (!b) return undefined;
    const out = Buffer.alloc(16);
    out.set(b);
    return out;
  }
  if (af !== AF_INET6) return undefined;
  const hit = V6_CACHE.get(text);
  if (hit) return hit;
  const b = parseIPv6(text);
  if (!b) return undefined;
  const out = Buffer.from(b);
  if (V6_CACHE.size >= V6_CACHE_MAX) V6_CACHE.clear();
  V6_CACHE.set(text, out);
  return out;
}

/** Text of a wire address; only the family's bytes are read. */
export function addrFromWire(af: AddressFamily, wire: Uint8Array): string | undefined {
  if (af === AF_INET) return wire.length >= 4 ? formatIPv4(wire) : undefined;
  if (af === AF_INET6) return wire.length >= 16 ? formatIPv6(wire) : undefined;
  return undefined;
}

/** Canonical (inet_ntop) text of an address, or undefined when it does not parse in that family. */
export function canonicalAddr(af: AddressFamily, text: string): string | undefined {
  const b = addrBytes(af, text);
  return b ? addrFromWire(af, b) : undefined;
}

/**
 * The address as the kernel's `union nf_inet_addr`, read as four host-order words of
 * ntohl(): IPv4 fills word 0, the rest stay 0. Unparsable text (e.g. the empty address of a
 * fwmark service) reads as all zero, as the zeroed union does in ipvsadm.
 */
export function addrWords(af: AddressFamily, text: string): [number, number, number, number] {
  const b = addrBytes(af, text) ?? new Uint8Array(0);
  const w = (i: number): number =>
    (((b[4 * i] ?? 0) << 24) | ((b[4 * i + 1] ?? 0) << 16) | ((b[4 * i + 2] ?? 0) << 8) | (b[4 * i + 3] ?? 0)) >>> 0;
  return [w(0), w(1), w(2), w(3)];
}

/** `addr:port`, IPv6 in brackets, as ipvsadm's addrport_to_anyname with FMT_NUMERIC and as its command line takes it. */
export function addrPort(af: AddressFamily, addr: string, port: number): string {
  return af === AF_INET6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}
