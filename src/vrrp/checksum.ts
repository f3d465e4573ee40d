/**
 * RFC 1071 Internet checksum and the pseudo-headers VRRP uses (pure).
 *
 * - VRRPv2 (RFC 3768 §5.3.8): the VRRP message only, including the 8 auth bytes.
 * - VRRPv3 over IPv6 (RFC 5798/9568 §5.2.8): IPv6 pseudo-header (RFC 8200 §8.1: src, dst,
 *   32-bit upper-layer length, 3 zero bytes, next header 112) + message.
 * - VRRPv3 over IPv4: RFC 9568 §5.2.8 says message only; keepalived (2.2.7, vrrp.c
 *   vrrp_build_vrrp_v3) and the RFC 5798 reading prepend the IPv4 pseudo-header
 *   (src, dst, 0, 112, 16-bit length); so does tshark's dissector by default and tcpdump 4.99.3
 *   (docs/design.md "VRRPv3 checksums over IPv4").
 */

/** IANA protocol number of VRRP (IPv4 protocol / IPv6 next header). */
export const IPPROTO_VRRP = 112;

/**
 * One's-complement sum of `parts` taken as one byte string (16-bit big-endian words, an odd
 * trailing byte padded with zero), folded to 16 bits. Not complemented.
 */
function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let pending = -1; // high byte of a word split across two parts
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const byte = p[i] ?? 0;
      if (pending < 0) pending = byte;
      else {
        sum += (pending << 8) | byte;
        pending = -1;
      }
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (pending >= 0) sum += pending << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * RFC 1071 checksum over the concatenation of `parts`. The checksum field inside the parts
 * must already be zero when computing; over a packet that carries a correct checksum the
 * result is 0 (that is how receivers verify).
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

/** IPv4 pseudo-header (RFC 768 layout): src(4) dst(4) zero(1) protocol(1) length(2). */
export function ipv4PseudoHeader(src: Uint8Array, dst: Uint8Array, length: number): Uint8Array {
  const h = new Uint8Array(12);
  h.set(src.subarray(0, 4), 0);
  h.set(dst.subarray(0, 4), 4);
  h[9] = IPPROTO_VRRP;
  h[10] = (length >>> 8) & 0xff;
  h[11] = length & 0xff;
  return h;
}

/** IPv6 pseudo-header (RFC 8200 §8.1): src(16) dst(16) length(4) zero(3) next header(1). */
export function ipv6PseudoHeader(src: Uint8Array, dst: Uint8Array, length: number): Uint8Array {
  const h = new Uint8Array(40);
  h.set(src.subarray(0, 16), 0);
  h.set(dst.subarray(0, 16), 16);
  h[32] = (length >>> 24) & 0xff;
  h[33] = (length >>> 16) & 0xff;
  h[34] = (length >>> 8) & 0xff;
  h[35] = length & 0xff;
  h[39] = IPPROTO_VRRP;
  return h;
}
