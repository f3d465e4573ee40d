/**
 * IP address text <-> network-order bytes as Buffers, for rtnetlink and Ethernet frames.
 * Thin wrappers over src/model/ip.ts (the one parser/formatter: glibc inet_pton/inet_ntop
 * semantics, RFC 5952 text). Never throws: bad text gives `undefined`.
 */
import { formatAddress, type IpFamily, parseAddress, parseIPv4, parseIPv6 } from '../model/index.js';

const buf = (b: Uint8Array | undefined): Buffer | undefined => (b ? Buffer.from(b) : undefined);

/** `192.0.2.1` → 4 bytes; anything else (leading zeros, ranges, extra dots) → undefined. */
export function parseIpv4(text: string): Buffer | undefined {
  return buf(parseIPv4(text));
}

/** RFC 4291 §2.2 text forms (incl. `::` and a dotted IPv4 tail) → 16 bytes, else undefined. */
export function parseIpv6(text: string): Buffer | undefined {
  return text.includes('%') ? undefined : buf(parseIPv6(text));
}

/** Text → bytes for the given family (undefined when the text is not of that family). */
export function parseIp(text: string, family: IpFamily): Buffer | undefined {
  return family === 4 ? parseIpv4(text) : parseIpv6(text);
}

/** 4 or 16 bytes → canonical text; other lengths → undefined. */
export function formatIp(bytes: Uint8Array): string | undefined {
  return bytes.length === 4 || bytes.length === 16 ? formatAddress(bytes) : undefined;
}
