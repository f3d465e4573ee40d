/**
 * The number in a track file and what it means, as keepalived 2.2.7 computes it
 * (keepalived/trackers/track_file.c process_track_file, update_track_file_status,
 * process_update_vrrp_track_file_status; keepalived/check/check_file.c). Pure.
 */

/** keepalived reads at most this many bytes (char buf[128], one kept for the NUL). */
export const TRACK_FILE_READ_BYTES = 127;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export type TrackFileValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

const isSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');
const digitOf = (c: string): number => {
  const x = c.toLowerCase();
  if (x >= '0' && x <= '9') return x.charCodeAt(0) - 48;
  if (x >= 'a' && x <= 'z') return x.charCodeAt(0) - 87;
  return 99;
};

/**
 * `strtol(buf, NULL, 0)` on the file's first 127 bytes: leading white space, a sign, then
 * hex (0x), octal (leading 0) or decimal digits; text without digits is 0 (keepalived does not
 * check the end pointer). A value outside a C long (ERANGE) or outside
 * [INT32_MIN, INT32_MAX + 1] is refused: keepalived logs "Invalid number" and keeps the
 * previous value. An empty (or missing) file is 0.
 */
export function parseTrackFileValue(raw: string): TrackFileValue {
  const text = raw.slice(0, TRACK_FILE_READ_BYTES);
  let i = 0;
  while (i < text.length && isSpace(text[i] ?? '')) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') negative = text[i++] === '-';
  let base = 10n;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && digitOf(text[i + 2] ?? '') < 16) {
    base = 16n;
    i += 2;
  } else if (text[i] === '0') {
    base = 8n;
  }
  let n = 0n;
  for (; i < text.length && digitOf(text[i] ?? '') < Number(base); i++) n = n * base + BigInt(digitOf(text[i] ?? ''));
  const v = negative ? -n : n;
  if (v < LONG_MIN || v > LONG_MAX) return { ok: false, reason: `number out of range in ${JSON.stringify(text.trim())}` };
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX) + 1n) return { ok: false, reason: `invalid number ${v} (outside 32 bits)` };
  return { ok: true, value: Number(v) };
}

/** What a track file means for a VRRP instance tracking it. */
export type VrrpFileEffect = { readonly fault: true } | { readonly fault: false; readonly contribution: number };

/**
 * keepalived: with weight 0 a non-zero value is FAULT (reverse: a zero value is); otherwise
 * value × weight (× −1 when reverse), limited to [−254, 253], where −254 means FAULT.
 */
export function vrrpFileEffect(value: number, weight: number, reverse: boolean): VrrpFileEffect {
  if (weight === 0) return (value !== 0) !== reverse ? { fault: true } : { fault: false, contribution: 0 };
  const status = Math.min(253, Math.max(-254, value * weight * (reverse ? -1 : 1)));
  return status === -254 ? { fault: true } : { fault: false, contribution: status + 0 }; // + 0: no -0
}

/** What a track file means for a real server's FILE_CHECK. */
export type CheckerFileEffect = { readonly up: false } | { readonly up: true; readonly weightDelta: number };

/**
 * keepalived check_file.c: with weight 0 a non-zero value is down (reverse: zero is); otherwise
 * the server stays up and value × weight (× −1 when reverse), limited to 32 bits, is added to
 * its configured weight; only −2^31 (IPVS_WEIGHT_FAULT) means down.
 */
export function checkerFileEffect(value: number, weight: number, reverse: boolean): CheckerFileEffect {
  if (weight === 0) return (value !== 0) !== reverse ? { up: false } : { up: true, weightDelta: 0 };
  const delta = Math.min(INT32_MAX, Math.max(INT32_MIN, value * weight * (reverse ? -1 : 1)));
  return delta === INT32_MIN ? { up: false } : { up: true, weightDelta: delta + 0 };
}
