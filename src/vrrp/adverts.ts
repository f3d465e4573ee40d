/**
 * The adverts an instance sends (pure): one per destination, the multicast group or every
 * unicast peer, encoded with the instance's version, VIPs of its family and authentication.
 */
import type { VrrpInstance } from '../model/index.js';
import { authDataFromPassword, encodeAdvert, type Advert, VRRP_MCAST_IPV4, VRRP_MCAST_IPV6 } from './codec.js';

/** `localAddress`: the source when no unicast_src_ip is set (the interface's address). */
export function encodeAdverts(cfg: VrrpInstance, priority: number, localAddress: string): Array<{ dst: string; buf: Buffer }> {
  const advert: Advert = {
    version: cfg.version,
    vrid: cfg.vrid,
    priority,
    intervalCs: cfg.advertIntervalCs,
    addrs: cfg.vips.filter((v) => v.family === cfg.family).map((v) => v.address),
    authType: cfg.authPass !== undefined ? 1 : 0,
    authData: cfg.authPass !== undefined ? authDataFromPassword(cfg.authPass) : undefined,
  };
  const dsts = cfg.unicastPeers.length > 0 ? cfg.unicastPeers : [cfg.family === 4 ? VRRP_MCAST_IPV4 : VRRP_MCAST_IPV6];
  const src = cfg.unicastSrc ?? localAddress;
  return dsts.map((dst) => ({ dst, buf: encodeAdvert(advert, { family: cfg.family, src, dst, v3Checksum: cfg.v3Checksum }) }));
}
