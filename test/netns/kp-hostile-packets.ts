/**
 * The hostile packets of test/netns/hostile.test.ts, built with lvsd's own codec from the
 * injector's source address (so checksums are right unless a case breaks them on purpose),
 * each with the drop reason a receiving instance must count. Pure.
 */
import { authDataFromPassword, encodeAdvert, type Advert } from '../../src/vrrp/codec.js';

export interface HostileCase {
  readonly name: string;
  readonly ttl: number;
  readonly payload: Buffer;
  /** Instance name → the drops reason it must count for each packet of this case. */
  readonly expect: Readonly<Record<string, string>>;
}

export interface HostileSetup {
  /** Injector's IPv4 address (the IP source of every packet). */
  readonly src: string;
  /** v3 instance: VRID, VIP, interval. */
  readonly v3: { readonly name: string; readonly vrid: number; readonly vip: string; readonly intervalCs: number };
  /** v2 PASS instance. */
  readonly v2: { readonly name: string; readonly vrid: number; readonly vip: string; readonly intervalCs: number; readonly pass: string };
  /** A VRID neither instance has. */
  readonly strangerVrid: number;
}

const DST = '224.0.0.18';

export function hostileCases(s: HostileSetup): HostileCase[] {
  const ctx = { family: 4 as const, src: s.src, dst: DST, v3Checksum: 'pseudo' as const };
  // Priority 200 beats both directors: if any of these got through, the master would step down.
  const v3: Advert = { version: 3, vrid: s.v3.vrid, priority: 200, intervalCs: s.v3.intervalCs, addrs: [s.v3.vip], authType: 0 };
  const v2: Advert = { version: 2, vrid: s.v2.vrid, priority: 200, intervalCs: s.v2.intervalCs, addrs: [s.v2.vip], authType: 1, authData: authDataFromPassword(s.v2.pass) };
  const good3 = encodeAdvert(v3, ctx);
  const badSum = Buffer.from(good3);
  badSum.writeUInt16BE(badSum.readUInt16BE(6) ^ 0x5a5a, 6);
  const moreAddrs = Buffer.from(good3);
  moreAddrs[3] = 3; // claims 3 addresses, carries 1
  const version4 = Buffer.from(good3);
  version4[0] = 0x41; // version 4, type 1
  return [
    { name: 'TTL 64', ttl: 64, payload: good3, expect: { [s.v3.name]: 'ttl' } },
    { name: 'bad checksum', ttl: 255, payload: badSum, expect: { [s.v3.name]: 'checksum' } },
    { name: 'wrong password', ttl: 255, payload: encodeAdvert({ ...v2, authData: authDataFromPassword('guessed!') }, ctx), expect: { [s.v2.name]: 'auth' } },
    { name: 'no auth for a PASS instance', ttl: 255, payload: encodeAdvert({ ...v2, authType: 0, authData: undefined }, ctx), expect: { [s.v2.name]: 'auth' } },
    { name: 'truncated to 3 bytes', ttl: 255, payload: good3.subarray(0, 3), expect: { [s.v3.name]: 'truncated' } },
    { name: 'count 3, one address', ttl: 255, payload: moreAddrs, expect: { [s.v3.name]: 'truncated' } },
    { name: 'version 4', ttl: 255, payload: version4, expect: { [s.v3.name]: 'version' } },
    { name: 'v2 advert to the v3 instance', ttl: 255, payload: encodeAdvert({ ...v2, vrid: s.v3.vrid, addrs: [s.v3.vip] }, ctx), expect: { [s.v3.name]: 'version' } },
    { name: 'address list mismatch', ttl: 255, payload: encodeAdvert({ ...v3, addrs: ['192.0.2.99'] }, ctx), expect: { [s.v3.name]: 'addr_list' } },
    { name: 'extra address', ttl: 255, payload: encodeAdvert({ ...v3, addrs: [s.v3.vip, '192.0.2.98'] }, ctx), expect: { [s.v3.name]: 'addr_list' } },
  ];
}

/**
 * Adverts for a VRID no instance has, in both versions (valid checksums): pool.ts hands them
 * to every instance on the socket, and each must count 'vrid' (RFC 2787 VrIdErrors; keepalived
 * looks the instance up by VRID before any other check), whatever the packet's version.
 */
export function strangerCases(s: HostileSetup): HostileCase[] {
  const ctx = { family: 4 as const, src: s.src, dst: DST, v3Checksum: 'pseudo' as const };
  const both = { [s.v3.name]: 'vrid', [s.v2.name]: 'vrid' };
  return [
    { name: 'unknown VRID, v3', ttl: 255, expect: both,
      payload: encodeAdvert({ version: 3, vrid: s.strangerVrid, priority: 200, intervalCs: s.v3.intervalCs, addrs: [s.v3.vip], authType: 0 }, ctx) },
    { name: 'unknown VRID, v2 PASS', ttl: 255, expect: both,
      payload: encodeAdvert({ version: 2, vrid: s.strangerVrid, priority: 200, intervalCs: s.v2.intervalCs, addrs: [s.v2.vip], authType: 1, authData: authDataFromPassword(s.v2.pass) }, ctx) },
  ];
}

/** Deterministic xorshift32 garbage: `n` packets of 1-64 random bytes. */
export function garbage(n: number, seed = 0x2f6b1e1d): Buffer[] {
  let x = seed >>> 0;
  const next = (): number => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return Array.from({ length: n }, () => {
    const b = Buffer.alloc(1 + (next() % 64));
    for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
    return b;
  });
}

/**
 * Drops one director must count for `packets` of garbage: a packet whose second byte is one
 * of `vrids` goes to that instance only, any other packet to every instance (pool.ts).
 */
export function expectedGarbageDrops(packets: readonly Buffer[], vrids: readonly number[]): number {
  return packets.reduce((n, p) => n + (p.length >= 2 && vrids.includes(p[1] ?? -1) ? 1 : vrids.length), 0);
}
