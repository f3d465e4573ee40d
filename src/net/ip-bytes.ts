/**
 * IP address text ⇄ network-order bytes, as inet_pton / inet_ntop do (pure; no I/O).
 * Text output follows RFC 5952 §4 (lower case, leading zeros dropped, the longest run of two or
 * more zero groups compressed to `::`, the first run on a tie) and prints IPv4-mapped addresses
 * as `::ffff:a.b.c.d` (RFC 5952 §5), which is what glibc's inet_ntop does.
 * Never throws: bad text gives `undefined`.
 */
import type { IpFamily } from '../model/types.js';

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** `192.0.2.1` → 4 bytes; anything else (leading zeros, ranges, extra dots) → undefined. */
export function parseIpv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p))) return undefined;
  return Buffer.from(parts.map(Number));
}

/** RFC 4291 §2.2 text forms (incl. `::` and a dotted IPv4 tail) → 16 bytes, else undefined. */
export function parseIpv6(text: string): Buffer | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = splitGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? splitGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const words = [...head, ...tail];
  if (words.length > 8 || (halves.length === 1 && words.length !== 8)) return undefined;
  if (halves.length === 2 && words.length > 7) return undefined;
  const zeros = new Array<number>(8 - words.length).fill(0);
  const all = [...head, ...zeros, ...tail];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** Colon-separated groups, the last of which may be a dotted IPv4 address (two words). */
function splitGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (v4 === undefined) return undefined;
      words.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
    } else if (IPV6_GROUP.test(g)) {
      words.push(parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

/** Text → bytes for the given family (undefined when the text is not of that family). */
export function parseIp(text: string, family: IpFamily): Buffer | undefined {
  return family === 4 ? parseIpv4(text) : parseIpv6(text);
}

/** 4 or 16 bytes → canonical text; other lengths → undefined. */
export function formatIp(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return undefined;
  const b = Buffer.from(bytes);
  const words = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${Array.from(b.subarray(12)).join('.')}`;
  }
  const run = longestZeroRun(words);
  const hex = words.map((w) => w.toString(16));
  if (run.length < 2) return hex.join(':');
  const left = hex.slice(0, run.start).join(':');
  const right = hex.slice(run.start + run.length).join(':');
  return `${left}::${right}`;
}

function longestZeroRun(words: readonly number[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && words[i] === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start > best.length) best = { start, length: i - start };
    start = -1;
  }
  return best;
}
