/**
 * Receive rules: is a decoded advert for this local instance, and acceptable? (pure)
 * RFC 3768 §7.1 / RFC 5798 and RFC 9568 §7.1, with keepalived 2.2.7's choices where it is
 * stricter (vrrp.c vrrp_check_packet). Each failure is a distinct DropReason so the caller
 * counts and logs them per reason. Order: TTL, version, family, VRID, auth, interval, addresses.
 */
import { authDataFromPassword, v2IntervalS, VRRP_AUTH_PASS, VRRP_TTL } from './codec.js';
import type { Advert, AdvertDropReason } from './codec.js';
import { canonicalAddress } from '../model/index.js';

export interface LocalInstance {
  vrid: number;
  version: 2 | 3;
  family: 4 | 6;
  /** The configured VIPs, in any valid text form. */
  vips: readonly string[];
  /** v2 only: keepalived `authentication { auth_type PASS auth_pass X }`. */
  authPass?: string;
  /** Configured advertisement interval (v2 compares whole seconds, rounded up). */
  intervalCs: number;
  /**
   * Leave the address list unchecked (keepalived skip_check_adv_addr, for an advert from the
   * master already checked: vrrp.c vrrp_state_backup); the caller decides when it applies.
   */
  skipAddresses?: boolean;
}

export type CheckResult = { ok: true } | { ok: false; reason: AdvertDropReason; detail: string };

const drop = (reason: AdvertDropReason, detail: string): CheckResult => ({ ok: false, reason, detail });

/**
 * v2 authentication as keepalived does it. Auth type must equal the configured one
 * (RFC 2338 §7.1 "MUST perform authentication specified by Auth Type"; keepalived counts
 * authtype_mismatch). For PASS the 8 bytes must equal the NUL-padded password (keepalived
 * memcmp of all 8 bytes, auth_failure). With no password configured the auth data is
 * ignored (RFC 3768 §5.3.8). v3 has no authentication (RFC 5798 §9).
 */
function checkAuth(a: Advert, local: LocalInstance): CheckResult {
  if (local.version !== 2) return { ok: true };
  const want = local.authPass === undefined ? 0 : VRRP_AUTH_PASS;
  if (a.authType !== want) return drop('auth', `auth type ${a.authType}, expected ${want}`);
  if (local.authPass === undefined) return { ok: true };
  const got = a.authData ?? Buffer.alloc(0);
  if (!got.equals(authDataFromPassword(local.authPass))) return drop('auth', 'password mismatch');
  return { ok: true };
}

/**
 * RFC 3768 §7.1 "MUST verify that the Adver Interval in the packet is the same as the
 * locally configured": keepalived drops a v2 mismatch ("to prevent concurrent VRID running").
 * v3 does not drop: a backup learns Master_Adver_Interval (RFC 5798 §6.4.2).
 */
function checkInterval(a: Advert, local: LocalInstance): CheckResult {
  if (local.version !== 2) return { ok: true };
  const mine = v2IntervalS(local.intervalCs);
  const theirs = a.intervalCs / 100;
  return theirs === mine ? { ok: true } : drop('interval', `interval ${theirs} s, configured ${mine} s`);
}

/**
 * RFC 3768 §7.1 / RFC 5798 §7.1 "MAY verify that the IP address(es) associated with the
 * VRID are valid": count and set must match. keepalived 2.2.7 drops on mismatch
 * (addr_list_err), so do we. Order is not compared (set semantics); RFC 9568 erratum 8300
 * (first IPv6 address link-local) is not enforced, as keepalived does not either.
 */
function checkAddresses(a: Advert, local: LocalInstance): CheckResult {
  if (a.addrs.length !== local.vips.length) {
    return drop('addr_list', `${a.addrs.length} address(es), configured ${local.vips.length}`);
  }
  const canon = (x: string): string => canonicalAddress(x, local.family) ?? x;
  const mine = new Set(local.vips.map(canon));
  const theirs = new Set(a.addrs.map(canon));
  const extra = [...theirs].find((x) => !mine.has(x));
  if (extra !== undefined) return drop('addr_list', `address ${extra} not configured`);
  const missing = [...mine].find((x) => !theirs.has(x));
  return missing === undefined ? { ok: true } : drop('addr_list', `configured address ${missing} not advertised`);
}

/**
 * Check a decoded advert against the local instance. `ttl` is the received TTL / hop
 * limit (RFC 5798 §7.1: MUST be 255; callers in unicast mode, where keepalived skips the
 * check, pass 255). A different VRID is 'vrid': not this instance's traffic.
 */
export function checkAdvert(advert: Advert, local: LocalInstance, ttl: number): CheckResult {
  if (ttl !== VRRP_TTL) return drop('ttl', `TTL/hop limit ${ttl}, must be ${VRRP_TTL}`);
  // Another VRID is another router's traffic, whatever its version: count it as such first.
  if (advert.vrid !== local.vrid) return drop('vrid', `VRID ${advert.vrid}, configured ${local.vrid}`);
  if (advert.version !== local.version) return drop('version', `version ${advert.version}, configured ${local.version}`);
  const fam = advert.addrs.every((x) => canonicalAddress(x, local.family) !== undefined);
  if (!fam) return drop('family', `addresses are not IPv${local.family}`);
  const rules = local.skipAddresses === true ? [checkAuth, checkInterval] : [checkAuth, checkInterval, checkAddresses];
  for (const rule of rules) {
    const r = rule(advert, local);
    if (!r.ok) return r;
  }
  return { ok: true };
}
