/**
 * A netlink attribute writer into one growing buffer (pure). Same bytes as libnl's nla_put /
 * nla_nest_start / nla_nest_end (include/net/netlink.h): 4-byte aligned attributes with zeroed
 * padding, nests flagged NLA_F_NESTED with their padded length. It replaces netlink's
 * AttrStream on the hot path: programming 10,000 real servers must not allocate ten small
 * Buffers per attribute.
 */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** NLA_F_NESTED (include/uapi/linux/netlink.h); IPVS does not require it, but libnl/ipvsadm set it. */
export const NLA_F_NESTED = 0x8000;

export class AttrWriter {
  private buf = Buffer.alloc(256);
  private off = 0;

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  private align(): void {
    const pad = (4 - (this.off % 4)) % 4;
    this.ensure(pad);
    this.buf.fill(0, this.off, this.off + pad);
    this.off += pad;
  }

  private header(type: number, payloadLen: number): void {
    this.align();
    this.ensure(4 + payloadLen);
    this.hostU16(4 + payloadLen, this.off);
    this.hostU16(type, this.off + 2);
    this.off += 4;
  }

  private hostU16(v: number, at: number): void {
    if (LE) this.buf.writeUInt16LE(v & 0xffff, at);
    else this.buf.writeUInt16BE(v & 0xffff, at);
  }

  private hostU32(v: number, at: number): void {
    if (LE) this.buf.writeUInt32LE(v >>> 0, at);
    else this.buf.writeUInt32BE(v >>> 0, at);
  }

  u8(type: number, v: number): void { this.header(type, 1); this.buf[this.off++] = v & 0xff; }
  u16(type: number, v: number): void { this.header(type, 2); this.hostU16(v, this.off); this.off += 2; }
  u16be(type: number, v: number): void { this.header(type, 2); this.buf.writeUInt16BE(v & 0xffff, this.off); this.off += 2; }
  u32(type: number, v: number): void { this.header(type, 4); this.hostU32(v, this.off); this.off += 4; }
  u32be(type: number, v: number): void { this.header(type, 4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  /** Two host-order u32 (struct ip_vs_flags). */
  u32pair(type: number, a: number, b: number): void {
    this.header(type, 8);
    this.hostU32(a, this.off);
    this.hostU32(b, this.off + 4);
    this.off += 8;
  }
  bytes(type: number, b: Uint8Array): void { this.header(type, b.length); this.buf.set(b, this.off); this.off += b.length; }
  /** NUL-terminated string (NLA_NUL_STRING). */
  str(type: number, s: string): void {
    const n = Buffer.byteLength(s);
    this.header(type, n + 1);
    this.buf.write(s, this.off);
    this.buf[this.off + n] = 0;
    this.off += n + 1;
  }
  /** A nest: NLA_F_NESTED set, length including the padding of its last attribute. */
  nest(type: number, body: () => void): void {
    this.align();
    this.ensure(4);
    const start = this.off;
    this.off += 4;
    body();
    this.align();
    this.hostU16(this.off - start, start);
    this.hostU16(type | NLA_F_NESTED, start + 2);
  }
  get offset(): number { return this.off; }

  /** Forget everything after `off` (drop a message that failed to encode). */
  truncate(off: number): void { this.off = off; }

  /**
   * Start a whole netlink message (struct nlmsghdr, include/uapi/linux/netlink.h, then struct
   * genlmsghdr); returns its offset for endMessage, which patches nlmsg_len.
   */
  beginMessage(type: number, flags: number, seq: number, cmd: number, version: number): number {
    this.align();
    this.ensure(20);
    const start = this.off;
    this.hostU32(0, start);
    this.hostU16(type, start + 4);
    this.hostU16(flags, start + 6);
    this.hostU32(seq, start + 8);
    this.hostU32(0, start + 12); // nlmsg_pid 0: the kernel
    this.buf[start + 16] = cmd;
    this.buf[start + 17] = version;
    this.buf.fill(0, start + 18, start + 20);
    this.off += 20;
    return start;
  }

  /** Rewrite nlmsg_flags of the message at `start`. */
  setFlags(start: number, flags: number): void { this.hostU16(flags, start + 6); }

  endMessage(start: number): void {
    this.align();
    this.hostU32(this.off - start, start);
  }

  /** A view of bytes [from, to): valid until the next write. */
  view(from: number, to: number): Buffer { return this.buf.subarray(from, to); }

  /** The bytes written, padded to 4 (a copy: the writer may be reused). */
  finish(): Buffer {
    this.align();
    return Buffer.from(this.buf.subarray(0, this.off));
  }
}
