/**
 * Wall-clock stamps (tcpdump -tt, ip -ts) on this process's performance.now() scale.
 * `performance.timeOrigin + performance.now()` is not the wall clock: timeOrigin is read once,
 * at start, and in the lab it was 0.75 ms ahead of Date.now() for a whole run. Moved with
 * timeOrigin alone, a link-down stamped 0.5 ms after an ask on the performance.now() scale
 * came out before it, and bench/dr-failover waited in vain for it. The offset is measured
 * once, right after a tick of Date.now() (whole milliseconds), to a few microseconds.
 */
import { performance } from 'node:perf_hooks';

let offsetMs: number | undefined;

/**
 * Date.now() minus `now()` (a monotonic clock in ms), read just after Date.now() moves on to a
 * new millisecond; the largest of a few reads.
 */
export function wallOffsetMs(now: () => number): number {
  let best = -Infinity;
  for (let k = 0; k < 5; k++) {
    const start = Date.now();
    let wall = start;
    let mono = 0;
    while (wall === start) {
      mono = now();
      wall = Date.now();
    }
    best = Math.max(best, wall - mono);
  }
  return best;
}

/** A wall-clock time (ms since the epoch) on the performance.now() scale. */
export function wallToPerfMs(wallMs: number): number {
  offsetMs ??= wallOffsetMs(() => performance.now());
  return wallMs - offsetMs;
}

/** A performance.now() time as wall-clock ms since the epoch (for log stamps). */
export function perfToWallMs(perfMs: number): number {
  offsetMs ??= wallOffsetMs(() => performance.now());
  return perfMs + offsetMs;
}
