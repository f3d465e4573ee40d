/**
 * When to send gratuitous ARPs / unsolicited NAs after becoming master (pure).
 * keepalived 2.2.7, measured (docs/design.md "Gratuitous ARP after a takeover"): a burst of
 * garp_master_repeat packets at takeover, a second burst garp_master_delay later, then
 * refreshes every garp_master_refresh (off by default). Packets of a burst are spaced by
 * vrrp_garp_interval (0 = back to back).
 */
import type { GarpSettings } from '../model/index.js';

export interface AnnounceBurst {
  /** Offset from the takeover, in milliseconds. */
  readonly atMs: number;
  readonly count: number;
  readonly gapMs: number;
}

/** The finite part of the schedule: the takeover burst and the delayed burst. */
export function takeoverBursts(g: GarpSettings): readonly AnnounceBurst[] {
  const bursts: AnnounceBurst[] = [];
  if (g.masterRepeat > 0) bursts.push({ atMs: 0, count: g.masterRepeat, gapMs: g.intervalMs });
  if (g.masterDelayMs > 0 && g.masterRepeat > 0) {
    bursts.push({ atMs: g.masterDelayMs, count: g.masterRepeat, gapMs: g.intervalMs });
  }
  return bursts;
}

/** The periodic refresh burst, or undefined when refresh is off. */
export function refreshBurst(g: GarpSettings): (AnnounceBurst & { readonly everyMs: number }) | undefined {
  if (g.masterRefreshMs <= 0) return undefined;
  return { atMs: g.masterRefreshMs, everyMs: g.masterRefreshMs, count: Math.max(1, g.refreshRepeat), gapMs: g.intervalMs };
}
