/**
 * IPv4 / IPv6 text <-> bytes, as glibc inet_pton / inet_ntop do it (pure, never throws).
 * The one implementation in lvsd: the config model, the VRRP codec and rules, the state
 * machine's equal-priority tie (RFC 5798 §6.4.3: unsigned compare in network byte order),
 * VIPs over rtnetlink and the ARP/NA frames all use it, so an address prints and compares
 * the same everywhere.
 */

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

/**
 * Parse IPv6 text (RFC 4291 §2.2, including `::` and an embedded dotted IPv4 tail).
 * A zone suffix (`fe80::1%eth0`) is accepted and ignored: the wire carries no zone.
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  const noZone = text.split('%')[0] ?? '';
  const halves = noZone.split('::');
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
export function parseAddress(text: string, family: 4 | 6): Uint8Array | undefined {
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

export function formatAddress(b: Uint8Array): string {
  return b.length === 4 ? formatIPv4(b) : formatIPv6(b);
}

/** Canonical text of an address, or undefined when it does not parse in that family. */
export function canonicalAddress(text: string, family: 4 | 6): string | undefined {
  const b = parseAddress(text, family);
  return b ? formatAddress(b) : undefined;
}

/**
 * Unsigned comparison in network byte order (RFC 5798 §6.4.3 tie-break). Returns -1, 0 or 1.
 * Addresses that do not parse, or of different families, compare by family then as 0.
 */
export function compareAddresses(a: string, b: string): -1 | 0 | 1 {
  const fa: 4 | 6 = a.includes(':') ? 6 : 4;
  const fb: 4 | 6 = b.includes(':') ? 6 : 4;
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
