/**
 * IP address text: parse, classify and canonicalise (pure).
 * Canonical text is what glibc's inet_ntop prints (src/model/ip.ts), so that addresses
 * compare as strings and print as `ipvsadm -L -n` shows them.
 */
import { isIP } from 'node:net';
import type { IpFamily } from './types.js';
import { canonicalAddress, formatAddress, parseIPv6 } from './ip.js';

export interface IpAddress {
  readonly address: string; // canonical text
  readonly family: IpFamily;
}

/** Parse an IPv4 or IPv6 literal (no zone id, no brackets); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes('%')) return undefined;
  const kind = isIP(text);
  if (kind === 4) return { address: text, family: 4 };
  if (kind !== 6) return undefined;
  const address = canonicalAddress(text, 6);
  return address !== undefined ? { address, family: 6 } : undefined;
}

/** The 16 bytes (IPv6) or 4 bytes (IPv4) of a canonical address, as a bigint, for ranges. */
export function ipToBigInt(ip: IpAddress): bigint {
  if (ip.family === 4) {
    return ip.address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  const bytes = parseIPv6(ip.address) ?? new Uint8Array(16);
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Inverse of ipToBigInt. */
export function bigIntToIp(value: bigint, family: IpFamily): IpAddress {
  if (family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn));
    return { address: parts.join('.'), family };
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number((value >> BigInt((15 - i) * 8)) & 0xffn);
  return { address: formatAddress(bytes), family };
}

/** Dotted IPv4 netmask → prefix length, or undefined if the mask is not contiguous. */
export function netmaskToPrefix(mask: string): number | undefined {
  if (isIP(mask) !== 4) return undefined;
  const bits = ipToBigInt({ address: mask, family: 4 });
  for (let prefix = 0; prefix <= 32; prefix++) {
    const want = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix);
    if (bits === want) return prefix;
  }
  return undefined;
}
