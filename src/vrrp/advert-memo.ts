/**
 * Memos for the adverts an instance runner handles every interval. A master sends the same bytes
 * every interval, and decoding, checking and encoding are pure: in the steady state (100 ms adverts)
 * the runner reuses the last result instead of redoing it, which was most of the VRRP worker's CPU
 * per advert. A memo answers only for exactly the inputs it was computed from.
 */
import type { VrrpInstance } from '../model/index.js';
import { encodeAdverts } from './adverts.js';
import { decodeAdvert, type Advert, type ChecksumForm, type DropReason } from './codec.js';
import { checkAdvert } from './rules.js';
import type { VrrpPacketIn } from './transport.js';

export type Received = { ok: true; advert: Advert; form: ChecksumForm } | { ok: false; reason: DropReason };

/** decodeAdvert + checkAdvert for `cfg`, remembering the last advert that passed both. */
export class ReceivedAdverts {
  private last: { readonly payload: Buffer; readonly key: string; readonly cfg: VrrpInstance; readonly result: Received } | undefined;

  /** `ttl`: the one the TTL rule sees; `skipAddresses`: skip_check_adv_addr applies to this packet. */
  judge(cfg: VrrpInstance, p: VrrpPacketIn, ttl: number, skipAddresses: boolean): Received {
    const key = `${p.family} ${p.src} ${p.dst} ${ttl} ${skipAddresses}`;
    const last = this.last;
    if (last !== undefined && last.cfg === cfg && last.key === key && last.payload.equals(p.payload)) return last.result;
    const decoded = decodeAdvert(p.payload, { family: p.family, src: p.src, dst: p.dst, ttl });
    if (!decoded.ok) return { ok: false, reason: decoded.reason };
    const verdict = checkAdvert(decoded.value, {
      vrid: cfg.vrid,
      version: cfg.version,
      family: cfg.family,
      vips: cfg.vips.filter((v) => v.family === cfg.family).map((v) => v.address),
      authPass: cfg.authPass,
      intervalCs: cfg.advertIntervalCs,
      skipAddresses,
    }, ttl);
    if (!verdict.ok) return { ok: false, reason: verdict.reason };
    const result: Received = { ok: true, advert: decoded.value, form: decoded.checksumForm };
    this.last = { payload: p.payload, key, cfg, result };
    return result;
  }
}

/** encodeAdverts, reused while the instance, priority and source address are the same. */
export class SentAdverts {
  private last: { readonly cfg: VrrpInstance; readonly priority: number; readonly local: string; readonly list: ReturnType<typeof encodeAdverts> } | undefined;

  encode(cfg: VrrpInstance, priority: number, local: string): ReturnType<typeof encodeAdverts> {
    const l = this.last;
    if (l !== undefined && l.cfg === cfg && l.priority === priority && l.local === local) return l.list;
    const list = encodeAdverts(cfg, priority, local);
    this.last = { cfg, priority, local, list };
    return list;
  }
}
