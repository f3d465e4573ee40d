/**
 * IP address text: parse, classify and canonicalise (pure).
 * Canonical text is what glibc's inet_ntop prints, so that addresses compare as
 * strings and print as `ipvsadm -L -n` shows them (RFC 5952 §4 compression,
 * lower case, embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d as glibc's inet_ntop6 does).
 */
import { isIP } from 'node:net';
import type { IpFamily } from './types.js';

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
  const words = ipv6Words(text);
  return words ? { address: formatIpv6(words), family: 6 } : undefined;
}

/** The 16 bytes (IPv6) or 4 bytes (IPv4) of a canonical address, as a bigint, for ranges. */
export function ipToBigInt(ip: IpAddress): bigint {
  if (ip.family === 4) {
    return ip.address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  const words = ipv6Words(ip.address) ?? [];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** Inverse of ipToBigInt. */
export function bigIntToIp(value: bigint, family: IpFamily): IpAddress {
  if (family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn));
    return { address: parts.join('.'), family };
  }
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return { address: formatIpv6(words), family };
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

function ipv6Words(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (isIP(last) !== 4) return undefined;
    const b = last.split('.').map(Number);
    tail.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0));
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = parse(halves[0] ?? '');
  const right = [...parse(halves[1] ?? ''), ...tail];
  const fill = 8 - left.length - (halves.length === 2 ? right.length : 0);
  const words = halves.length === 2 ? [...left, ...new Array<number>(fill).fill(0), ...right] : [...left, ...tail];
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  return words;
}

function formatIpv6(words: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestBase = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  const w = (i: number): number => words[i] ?? 0;
  // glibc inet_ntop6: ::a.b.c.d (96 zero bits) and ::ffff:a.b.c.d
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w(5) === 0xffff))) {
    const v4 = `${w(6) >> 8}.${w(6) & 0xff}.${w(7) >> 8}.${w(7) & 0xff}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) { out += '::'; i += bestLen - 1; continue; }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += w(i).toString(16);
  }
  return out;
}
