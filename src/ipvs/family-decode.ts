/**
 * Attribute readers for the IPVS codec (pure, never throw). Netlink integers are host order
 * (x86/arm64: little endian) except where a comment in family.ts says be16/be32.
 * Stats (IPVS_STATS_ATTR_*): in STATS conns/pkts/rates are u32 and bytes u64; in STATS64 all
 * are u64 (ip_vs_genl_fill_stats / _stats64); each value is read by its length, PAD (11) skipped.
 */
import { parseAttributes } from 'netlink/dist/structs.js';
import type { Result } from '../errors.js';
import type { IpvsStats } from './types.js';

export type DecodeReason =
  | 'malformed-attributes' | 'missing-attribute' | 'bad-af' | 'bad-address' | 'bad-length' | 'bad-string' | 'bad-value';
export interface DecodeError { readonly reason: DecodeReason; readonly attr?: string }

/** type → payload; the last occurrence wins (nla_parse keeps the last). */
export type Attrs = ReadonlyMap<number, Buffer>;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function hostU32(b: Buffer, off: number): number {
  return LE ? b.readUInt32LE(off) : b.readUInt32BE(off);
}

/** Parse a TLV stream with netlink's parseAttributes; a malformed stream is a value, not a throw. */
export function attrMap(buf: Buffer): Result<Attrs, DecodeError> {
  const m = new Map<number, Buffer>();
  try {
    parseAttributes(buf, (a) => { m.set(a.type, a.data); });
  } catch {
    return { ok: false, error: { reason: 'malformed-attributes' } };
  }
  return { ok: true, value: m };
}

/** Fixed-length readers: undefined when absent or of the wrong length. */
export function u8(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 1 ? b[0] : undefined;
}
export function u16(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 2 ? (LE ? b.readUInt16LE(0) : b.readUInt16BE(0)) : undefined;
}
export function u16be(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 2 ? b.readUInt16BE(0) : undefined;
}
export function u32(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 4 ? hostU32(b, 0) : undefined;
}
export function u32be(a: Attrs, t: number): number | undefined {
  const b = a.get(t);
  return b && b.length === 4 ? b.readUInt32BE(0) : undefined;
}
export function bytes(a: Attrs, t: number): Buffer | undefined {
  return a.get(t);
}
/** NUL-terminated string: undefined when absent, null when not terminated. Text stops at the first NUL. */
export function str(a: Attrs, t: number): string | undefined | null {
  const b = a.get(t);
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return nul < 0 ? null : b.toString('utf8', 0, nul);
}

function uint(b: Buffer | undefined): bigint {
  if (!b) return 0n;
  if (b.length === 8) return LE ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
  if (b.length === 4) return BigInt(hostU32(b, 0));
  return 0n;
}

/** A STATS or STATS64 nest; undefined when absent or malformed. */
export function decodeStats(nest: Buffer | undefined): IpvsStats | undefined {
  if (!nest) return undefined;
  const a = attrMap(nest);
  if (!a.ok) return undefined;
  const g = (t: number): bigint => uint(a.value.get(t));
  return {
    conns: g(1), inPkts: g(2), outPkts: g(3), inBytes: g(4), outBytes: g(5),
    cps: g(6), inPps: g(7), outPps: g(8), inBps: g(9), outBps: g(10),
  };
}
