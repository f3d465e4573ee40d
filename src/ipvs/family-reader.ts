/**
 * The attribute reader under the IPVS decoders (pure, never throws), the twin of family-writer.ts:
 * one TLV stream walked once into offsets. Netlink integers are host order (x86/arm64: little
 * endian) except where a comment in family.ts says be16/be32.
 */
import type { Result } from '../errors.js';
import type { UnknownAttr } from './types.js';

export type DecodeReason =
  | 'malformed-attributes' | 'missing-attribute' | 'bad-af' | 'bad-address' | 'bad-length' | 'bad-string' | 'bad-value';
export interface DecodeError { readonly reason: DecodeReason; readonly attr?: string }

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Highest attribute type kept (IPVS sets stop at 15); higher types are skipped as unknown. */
const MAX_TYPE = 15;

/** A host-order u32 (netlink integers are host order). */
export function hostU32(b: Buffer, off: number): number {
  return LE ? b.readUInt32LE(off) : b.readUInt32BE(off);
}
function hostU16(b: Buffer, off: number): number {
  return LE ? b.readUInt16LE(off) : b.readUInt16BE(off);
}

/**
 * The attributes of one TLV stream, as offsets into it (no copy, no per-attribute Buffer:
 * netlink's parseAttributes allocates two per attribute, which dominated dumps of 10,000
 * destinations). The last occurrence of a type wins, as in nla_parse.
 */
export class Attrs {
  /**
   * at[2t] = payload offset, at[2t+1] = payload length + 1 (0 = absent: a fresh Int32Array needs no fill).
   * `unknown`: attributes above the nest's known range, in stream order (undefined when none).
   */
  constructor(private readonly buf: Buffer, private readonly at: Int32Array, readonly unknown: UnknownAttr[] | undefined) {}
  has(t: number): boolean { return this.len(t) >= 0; }
  len(t: number): number { return t <= MAX_TYPE ? (this.at[2 * t + 1] ?? 0) - 1 : -1; }
  off(t: number): number { return this.at[2 * t] ?? 0; }
  get(t: number): Buffer | undefined {
    const n = this.len(t);
    return n < 0 ? undefined : this.buf.subarray(this.off(t), this.off(t) + n);
  }
  u8(t: number): number | undefined { return this.len(t) === 1 ? this.buf[this.off(t)] : undefined; }
  u16(t: number): number | undefined { return this.len(t) === 2 ? hostU16(this.buf, this.off(t)) : undefined; }
  u16be(t: number): number | undefined { return this.len(t) === 2 ? this.buf.readUInt16BE(this.off(t)) : undefined; }
  u32(t: number): number | undefined { return this.len(t) === 4 ? hostU32(this.buf, this.off(t)) : undefined; }
  u32be(t: number): number | undefined { return this.len(t) === 4 ? this.buf.readUInt32BE(this.off(t)) : undefined; }
  /** A u32 or u64 by its length, as a bigint (stats); 0n when absent. */
  uint(t: number): bigint {
    const n = this.len(t);
    const o = this.off(t);
    if (n === 8) return LE ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    if (n === 4) return BigInt(hostU32(this.buf, o));
    return 0n;
  }
  /** NUL-terminated string: undefined when absent, null when not terminated. Text stops at the first NUL. */
  str(t: number): string | undefined | null {
    const n = this.len(t);
    if (n < 0) return undefined;
    const o = this.off(t);
    const nul = this.buf.indexOf(0, o);
    return nul < 0 || nul >= o + n ? null : this.buf.toString('utf8', o, nul);
  }
}

/**
 * Walk a TLV stream (struct nlattr, 4-byte aligned); a malformed stream is a value, not a throw.
 * Attributes whose type is above `knownMax` (the nest's highest known type) are also kept whole,
 * with their NLA_F_* bits, in `unknown`.
 */
export function attrMap(buf: Buffer, knownMax: number = MAX_TYPE): Result<Attrs, DecodeError> {
  const at = new Int32Array(2 * (MAX_TYPE + 1));
  const end = buf.length;
  let unknown: UnknownAttr[] | undefined;
  let p = 0;
  while (p + 4 <= end) {
    // nla_len and nla_type, host order, read bytewise (Buffer#readUInt16LE is slow in a hot loop)
    const b0 = buf[p] as number; const b1 = buf[p + 1] as number; const b2 = buf[p + 2] as number; const b3 = buf[p + 3] as number;
    const len = LE ? b0 | (b1 << 8) : (b0 << 8) | b1;
    const type = (LE ? b2 | (b3 << 8) : (b2 << 8) | b3) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (len < 4 || p + len > end) return { ok: false, error: { reason: 'malformed-attributes' } };
    if (type <= MAX_TYPE) {
      at[2 * type] = p + 4;
      at[2 * type + 1] = len - 3;
    }
    if (type > knownMax) (unknown ??= []).push({ type: LE ? b2 | (b3 << 8) : (b2 << 8) | b3, hex: buf.toString('hex', p + 4, p + len) });
    p += (len + 3) & ~3;
  }
  return { ok: true, value: new Attrs(buf, at, unknown) };
}
