/**
 * IPv4 / IPv6 text <-> bytes, as glibc inet_pton / inet_ntop do it (glibc 2.36
 * resolv/inet_pton.c, resolv/inet_ntop.c), and address values of the model (pure, never
 * throws). The one implementation in lvsd: the config model, the VRRP codec and rules, the
 * state machine's equal-priority tie (RFC 5798 §6.4.3: unsigned compare in network byte
 * order), VIPs over rtnetlink, the ARP/NA frames and the IPVS codec and text all use it, so an
 * address prints and compares the same everywhere. Canonical text is what inet_ntop prints
 * (RFC 5952 for IPv6, with glibc's dotted tail for IPv4-mapped and -compatible addresses).
 */
/** 4 or 6: the family of an address, an instance or a service. */
export type IpFamily = 4 | 6;

/** An address as the model keeps it: canonical text and its family. */
export interface IpAddress {
  readonly address: string;
  readonly family: IpFamily;
}

/** Parse dotted-quad IPv4. Leading zeros are rejected (glibc inet_pton4 does the same). */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseHextets(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIPv4(g);
      if (!v4) return undefined;
      words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      words.push(parseInt(g, 16));
    }
  }
  return words;
}

/** Parse IPv6 text (RFC 4291 §2.2, including `::` and an embedded dotted IPv4 tail); no zone id (`%eth0`). */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseHextets(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? '', true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Parse an address of the given family; undefined when malformed or of the other family. */
export function parseAddress(text: string, family: IpFamily): Uint8Array | undefined {
  return family === 4 ? parseIPv4(text) : parseIPv6(text);
}

export function formatIPv4(b: Uint8Array): string {
  return `${b[0] ?? 0}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
}

/** The longest run (>= 2) of zero words, first one on a tie (RFC 5952 §4.2). */
function longestZeroRun(words: readonly number[]): { base: number; len: number } {
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  words.forEach((w, i) => {
    if (w === 0) {
      cur = cur.base < 0 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = cur;
    } else cur = { base: -1, len: 0 };
  });
  return best.len >= 2 ? best : { base: -1, len: 0 };
}

/**
 * Format 16 bytes as glibc inet_ntop does: lowercase, no leading zeros, the longest zero
 * run compressed, and IPv4-mapped / IPv4-compatible addresses with a dotted tail.
 */
export function formatIPv6(b: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  const run = longestZeroRun(words);
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === run.base) {
      out += i === 0 ? '::' : ':';
      i += run.len - 1;
      continue;
    }
    const v4Tail = i === 6 && run.base === 0 && (run.len === 6 || (run.len === 5 && words[5] === 0xffff));
    if (v4Tail) return out + formatIPv4(b.subarray(12, 16));
    out += (words[i] ?? 0).toString(16) + (i < 7 ? ':' : '');
  }
  return out;
}

/** 4 bytes as IPv4, anything else as the first 16 bytes of an IPv6 address. */
export function formatAddress(b: Uint8Array): string {
  return b.length === 4 ? formatIPv4(b) : formatIPv6(b);
}

/** Canonical text of an address, or undefined when it does not parse in that family. */
export function canonicalAddress(text: string, family: IpFamily): string | undefined {
  const b = parseAddress(text, family);
  return b ? formatAddress(b) : undefined;
}

/**
 * Unsigned comparison in network byte order (RFC 5798 §6.4.3 tie-break). Returns -1, 0 or 1.
 * Addresses that do not parse, or of different families, compare by family then as 0.
 */
export function compareAddresses(a: string, b: string): -1 | 0 | 1 {
  const fa: IpFamily = a.includes(':') ? 6 : 4;
  const fb: IpFamily = b.includes(':') ? 6 : 4;
  if (fa !== fb) return fa < fb ? -1 : 1;
  const x = parseAddress(a, fa);
  const y = parseAddress(b, fb);
  if (!x || !y) return 0;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Parse an IPv4 or IPv6 literal (no zone id, no brackets, no prefix); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { address: formatIPv4(v4), family: 4 };
  const v6 = parseIPv6(text);
  return v6 ? { address: formatIPv6(v6), family: 6 } : undefined;
}

/** The 16 bytes (IPv6) or 4 bytes (IPv4) of an address as one unsigned number, for ranges. */
export function ipToBigInt(ip: IpAddress): bigint {
  const bytes = parseAddress(ip.address, ip.family) ?? new Uint8Array(ip.family === 4 ? 4 : 16);
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Inverse of ipToBigInt. */
export function bigIntToIp(value: bigint, family: IpFamily): IpAddress {
  const n = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = Number((value >> BigInt((n - 1 - i) * 8)) & 0xffn);
  return { address: formatAddress(bytes), family };
}

/** Dotted IPv4 netmask → prefix length, or undefined if the mask is not contiguous. */
export function netmaskToPrefix(mask: string): number | undefined {
  const ip = parseIp(mask);
  if (ip?.family !== 4) return undefined;
  const bits = ipToBigInt(ip);
  for (let prefix = 0; prefix <= 32; prefix++) {
    const want = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix);
    if (bits === want) return prefix;
  }
  return undefined;
}
