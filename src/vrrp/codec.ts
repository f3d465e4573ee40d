/**
 * VRRP advertisement codec: v2 (RFC 3768 §5) and v3 (RFC 5798 / RFC 9568 §5), IPv4 and IPv6.
 * Pure; `decodeAdvert` never throws on any input and returns a closed DropReason instead.
 *
 * Wire layout (offsets from the first VRRP byte):
 *   0 version(4 bits) | type(4 bits)    1 VRID    2 priority    3 count of addresses
 *   v2: 4 auth type, 5 adver int (seconds)    v3: 4-5 rsvd(4 bits) | max adver int (12 bits, cs)
 *   6-7 checksum    8.. addresses (4 or 16 bytes each; the family comes from the carrying IP
 *   packet, never from the message)    v2 only: 8 bytes of authentication data.
 */
import { internetChecksum, ipv4PseudoHeader, ipv6PseudoHeader } from './checksum.js';
import { formatAddress, parseAddress } from '../model/index.js';

export interface Advert {
  version: 2 | 3;
  vrid: number;
  priority: number;
  /** v3: the 12-bit field. v2: the seconds field × 100 (encode rounds up, see v2IntervalS). */
  intervalCs: number;
  /** Canonical text (inet_ntop form), in wire order. */
  addrs: readonly string[];
  /** v2: 0 none, 1 simple password (keepalived auth_type PASS), 2 AH. v3: always 0. */
  authType: number;
  /** v2 only, 8 bytes: the password NUL padded for auth type 1 (see authDataFromPassword). */
  authData?: Buffer;
}

export interface WireContext {
  family: 4 | 6;
  /** Source address of the IP packet (IPv6: the sender's link-local). */
  src: string;
  /** Destination of the IP packet: 224.0.0.18, ff02::12, or the unicast peer. */
  dst: string;
}

/** How a v3/IPv4 advert's checksum is computed when sending; receiving accepts both. */
export type V3ChecksumSend = 'pseudo' | 'rfc9568';

/** Which checksum form a received advert matched (count them: rx_checksum_* in lvsctl vrrp). */
export type ChecksumForm = 'v2' | 'ipv6' | 'pseudo' | 'rfc9568';

/**
 * Why an advert was dropped by decodeAdvert or checkAdvert (rules.ts). 'truncated' covers every
 * length error (shorter than the header, or not exactly 8 + n·addr (+ 8) bytes: keepalived 2.2.7
 * drops both, vrrp.c vrrp_check_packet "packet too long/short"). 'family' is v2 over IPv6
 * or a context address of the wrong family; 'count' is v3 with zero addresses (RFC 9568
 * erratum 8299); 'interval' (decode) is v3 with interval 0 (erratum 8301).
 */
export type AdvertDropReason =
  | 'truncated' | 'ttl' | 'version' | 'type' | 'checksum' | 'vrid' | 'auth' | 'addr_list' | 'interval' | 'family' | 'count';

/**
 * Why the transport (transport.ts) dropped a datagram before any VRRP byte was read:
 * 'ip_header' an IPv4 header too short, not version 4, or with IHL / total length out of the
 * datagram (RFC 791 §3.1); 'rx_truncated' the kernel cut the datagram or its control data
 * (MSG_TRUNC / MSG_CTRUNC). The kernel checks IPv4 headers before a raw socket sees them, so
 * these mean a kernel or buffer surprise, not a hostile sender.
 */
export type TransportDropReason = 'ip_header' | 'rx_truncated';

/**
 * Every reason a received packet is dropped, end to end: the transport's and the advert's.
 * Each value is one counter per instance (`lvsctl vrrp`) and the `reason` of a vrrp.drop line.
 */
export type DropReason = TransportDropReason | AdvertDropReason;

export type DecodeResult =
  | { ok: true; value: Advert; checksumForm: ChecksumForm }
  | { ok: false; reason: AdvertDropReason; detail: string };

/** RFC 3768 §5.3.1 / RFC 5798 §5.2.2: the only defined type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** RFC 3768 §5.2.3 / RFC 5798 §5.1.1.3: TTL / hop limit must be 255 on send and receive. */
export const VRRP_TTL = 255;
/** RFC 2338 §5.3.6: simple text password (removed by RFC 3768, kept by keepalived). */
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_LEN = 8;
/** RFC 5798 §5.1.1.2 / §5.1.2.2: the IPv4 and IPv6 multicast groups adverts go to. */
export const VRRP_MCAST_IPV4 = '224.0.0.18';
export const VRRP_MCAST_IPV6 = 'ff02::12';
const HEADER_LEN = 8;

/**
 * The v2 "Adver Int" field for an interval in centiseconds: whole seconds, rounded up,
 * at least 1 (keepalived rounds sub-second v2 intervals up to 1 s since 1.2.21), at most 255.
 */
export function v2IntervalS(intervalCs: number): number {
  return Math.min(255, Math.max(1, Math.ceil(intervalCs / 100)));
}

/**
 * keepalived's auth_pass as it goes on the wire: the first 8 bytes of the password, NUL
 * padded (keepalived vrrp_parser.c copies at most 8 bytes into a zeroed auth_data[8]).
 * On receive keepalived compares all 8 bytes (vrrp.c vrrp_check_packet, memcmp of
 * sizeof(auth_data)), so a 9th character is silently ignored on both sides.
 */
export function authDataFromPassword(password: string): Buffer {
  const out = Buffer.alloc(VRRP_AUTH_LEN);
  Buffer.from(password, 'utf8').copy(out, 0, 0, VRRP_AUTH_LEN);
  return out;
}

function addrBytes(text: string, family: 4 | 6, what: string): Uint8Array {
  const b = parseAddress(text, family);
  // A bad address here is a caller bug (config validation guarantees families), not input.
  if (!b) throw new TypeError(`encodeAdvert: ${what} ${JSON.stringify(text)} is not an IPv${family} address`);
  return b;
}

/** Checksum of a message whose checksum field is zero, in the given form. */
function checksumFor(msg: Uint8Array, ctx: WireContext, form: ChecksumForm): number {
  if (form === 'v2' || form === 'rfc9568') return internetChecksum(msg);
  const src = addrBytes(ctx.src, ctx.family, 'src');
  const dst = addrBytes(ctx.dst, ctx.family, 'dst');
  const ph = form === 'ipv6' ? ipv6PseudoHeader(src, dst, msg.length) : ipv4PseudoHeader(src, dst, msg.length);
  return internetChecksum(ph, msg);
}

function sendForm(version: 2 | 3, family: 4 | 6, v3Checksum: V3ChecksumSend): ChecksumForm {
  if (version === 2) return 'v2';
  return family === 6 ? 'ipv6' : v3Checksum;
}

/**
 * Encode an advertisement. Throws only on caller bugs (an address that is not of
 * `ctx.family`, v2 over IPv6). v2: the interval is written as v2IntervalS(intervalCs) and
 * authData (default zeros) fills the 8 trailing bytes, covered by the checksum. v3/IPv6:
 * the checksum is filled in here too (the kernel would, with IPV6_CHECKSUM; same value).
 */
export function encodeAdvert(a: Advert, ctx: WireContext & { v3Checksum: V3ChecksumSend }): Buffer {
  if (a.version === 2 && ctx.family === 6) throw new TypeError('encodeAdvert: VRRPv2 is IPv4 only (RFC 3768)');
  const addrLen = ctx.family === 4 ? 4 : 16;
  const trailer = a.version === 2 ? VRRP_AUTH_LEN : 0;
  const buf = Buffer.alloc(HEADER_LEN + a.addrs.length * addrLen + trailer);
  buf[0] = (a.version << 4) | VRRP_TYPE_ADVERTISEMENT;
  buf[1] = a.vrid & 0xff;
  buf[2] = a.priority & 0xff;
  buf[3] = a.addrs.length & 0xff;
  if (a.version === 2) {
    buf[4] = a.authType & 0xff;
    buf[5] = v2IntervalS(a.intervalCs);
  } else buf.writeUInt16BE(a.intervalCs & 0x0fff, 4);
  a.addrs.forEach((t, i) => buf.set(addrBytes(t, ctx.family, 'address'), HEADER_LEN + i * addrLen));
  if (a.version === 2 && a.authData) a.authData.copy(buf, buf.length - VRRP_AUTH_LEN, 0, VRRP_AUTH_LEN);
  buf.writeUInt16BE(checksumFor(buf, ctx, sendForm(a.version, ctx.family, ctx.v3Checksum)), 6);
  return buf;
}

type Fail = { ok: false; reason: AdvertDropReason; detail: string };
const fail = (reason: AdvertDropReason, detail: string): Fail => ({ ok: false, reason, detail });

/** Header checks in keepalived's order (vrrp.c vrrp_check_packet): length, TTL, version, type. */
function checkHeader(buf: Buffer, ctx: WireContext & { ttl: number }): Fail | undefined {
  if (buf.length < HEADER_LEN) return fail('truncated', `length ${buf.length} < ${HEADER_LEN}-byte header`);
  if (ctx.ttl !== VRRP_TTL) return fail('ttl', `TTL/hop limit ${ctx.ttl}, must be ${VRRP_TTL}`);
  const version = (buf[0] ?? 0) >> 4;
  if (version !== 2 && version !== 3) return fail('version', `version ${version}`);
  const type = (buf[0] ?? 0) & 0x0f;
  if (type !== VRRP_TYPE_ADVERTISEMENT) return fail('type', `type ${type}`);
  if (version === 2 && ctx.family === 6) return fail('family', 'VRRPv2 over IPv6');
  if (!parseAddress(ctx.src, ctx.family) || !parseAddress(ctx.dst, ctx.family)) {
    return fail('family', `src/dst ${ctx.src} > ${ctx.dst} not IPv${ctx.family}`);
  }
  if ((buf[1] ?? 0) === 0) return fail('vrid', 'VRID 0 (valid: 1-255)');
  return undefined;
}

/** Which checksum form the message carries, or undefined if none matches. */
function matchChecksum(msg: Buffer, ctx: WireContext, version: 2 | 3): ChecksumForm | undefined {
  const zeroed = Buffer.from(msg);
  zeroed.writeUInt16BE(0, 6);
  const got = msg.readUInt16BE(6);
  const forms: readonly ChecksumForm[] = version === 2 ? ['v2'] : ctx.family === 6 ? ['ipv6'] : ['pseudo', 'rfc9568'];
  return forms.find((f) => checksumFor(zeroed, ctx, f) === got);
}

/**
 * Decode and verify one VRRP message (the IP payload). Checks length, TTL (pass 255 to skip
 * it, e.g. for unicast peers), version, type, family, VRID 1-255, v3 count ≥ 1 and
 * interval ≥ 1, and the checksum (v3/IPv4: IPv4 pseudo-header or RFC 9568 message-only,
 * reported in `checksumForm`). Does NOT check anything against local configuration: see
 * rules.ts checkAdvert. Never throws.
 */
export function decodeAdvert(buf: Buffer, ctx: WireContext & { ttl: number }): DecodeResult {
  const bad = checkHeader(buf, ctx);
  if (bad) return bad;
  const version: 2 | 3 = (buf[0] ?? 0) >> 4 === 2 ? 2 : 3;
  const count = buf[3] ?? 0;
  if (version === 3 && count === 0) return fail('count', 'VRRPv3 advert with no addresses (RFC 9568 erratum 8299)');
  const addrLen = ctx.family === 4 ? 4 : 16;
  const expected = HEADER_LEN + count * addrLen + (version === 2 ? VRRP_AUTH_LEN : 0);
  if (buf.length !== expected) {
    return fail('truncated', `length ${buf.length}, expected ${expected} for ${count} IPv${ctx.family} address(es)`);
  }
  const form = matchChecksum(buf, ctx, version);
  if (!form) return fail('checksum', `checksum 0x${buf.readUInt16BE(6).toString(16).padStart(4, '0')} matches no form`);
  const intervalCs = version === 2 ? (buf[5] ?? 0) * 100 : buf.readUInt16BE(4) & 0x0fff;
  if (version === 3 && intervalCs === 0) return fail('interval', 'VRRPv3 interval 0 (RFC 9568 erratum 8301)');
  const addrs = Array.from({ length: count }, (_, i) =>
    formatAddress(buf.subarray(HEADER_LEN + i * addrLen, HEADER_LEN + (i + 1) * addrLen)));
  const value: Advert = { version, vrid: buf[1] ?? 0, priority: buf[2] ?? 0, intervalCs, addrs, authType: version === 2 ? (buf[4] ?? 0) : 0 };
  if (version === 2) value.authData = Buffer.from(buf.subarray(buf.length - VRRP_AUTH_LEN));
  return { ok: true, value, checksumForm: form };
}
