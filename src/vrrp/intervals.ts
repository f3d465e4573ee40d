/**
 * The VRRP intervals of RFC 5798 §6.1 (pure): Skew_Time, Master_Down_Interval and an
 * instance's own Advertisement_Interval, in the units the state machine (machine.ts) uses, and
 * how early a timer may fire and still count.
 */
import type { Us } from '../clock.js';
import { v2IntervalS } from './codec.js';

/**
 * Skew_Time in µs (RFC 5798 §6.1), computed in µs as keepalived does (vrrp.h VRRP_TIMER_SKEW:
 * (256 − p) × cs × 625 / 16 µs), because RFC integer centiseconds give 0 at 1 cs adverts.
 * v3: ((256 − Priority) × Master_Adver_Interval) / 256, i.e. (256 − p) × cs × 10 000 / 256 µs.
 * v2 (RFC 3768 §6.1): (256 − Priority) / 256 s, whatever the interval.
 */
export function skewUs(version: 2 | 3, priority: number, masterAdverIntervalCs: number): Us {
  const weight = 256 - priority;
  return version === 3 ? Math.floor((weight * masterAdverIntervalCs * 10_000) / 256) : Math.floor((weight * 1_000_000) / 256);
}

/** Master_Down_Interval in µs: 3 × Master_Adver_Interval + Skew_Time (RFC 5798 §6.1). */
export function masterDownUs(version: 2 | 3, priority: number, masterAdverIntervalCs: number): Us {
  return 3 * masterAdverIntervalCs * 10_000 + skewUs(version, priority, masterAdverIntervalCs);
}

/** Own Advertisement_Interval as the machine uses it (v2: whole seconds, RFC 3768 §5.3.7). */
export function ownIntervalCs(cfg: { readonly version: 2 | 3; readonly advertIntervalCs: number }): number {
  return cfg.version === 2 ? v2IntervalS(cfg.advertIntervalCs) * 100 : cfg.advertIntervalCs;
}

/** A timer firing this much before its deadline still counts (setTimeout has ms granularity). */
export const TIMER_EARLY_TOLERANCE_US = 1_000;
