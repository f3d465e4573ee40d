/** Statistics of bench samples: quantiles (linear interpolation between closest ranks, as bench/failover), summaries, and a bootstrap of a difference of medians. */
import { rng } from '../test/lab/table.js';

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s.length ? s[s.length - 1]! : Number.NaN };
}

export const fmtMs = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${ms.toFixed(1)} ms`);

/** quantile() of unsorted samples, NaN left out. */
export function quantileOf(xs: readonly number[], q: number): number {
  return quantile(xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b), q);
}

/**
 * median(a) − median(b) with a percentile-bootstrap interval at `level`: both samples drawn
 * again with replacement `resamples` times; the interval is the (1 ∓ level)/2 quantiles of the
 * resampled differences. NaN samples are left out; NaN everywhere when either side is empty.
 */
export function medianDifference(a: readonly number[], b: readonly number[], level = 0.95, resamples = 4000, seed = 1):
{ readonly diff: number; readonly lo: number; readonly hi: number } {
  const [x, y] = [a.filter((v) => !Number.isNaN(v)), b.filter((v) => !Number.isNaN(v))];
  if (x.length === 0 || y.length === 0) return { diff: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  const rnd = rng(seed); // seeded: the same samples give the same interval
  const draw = (xs: readonly number[]): number[] => xs.map(() => xs[Math.floor(rnd() * xs.length)]!);
  const diffs: number[] = [];
  for (let i = 0; i < resamples; i++) diffs.push(quantileOf(draw(x), 0.5) - quantileOf(draw(y), 0.5));
  diffs.sort((p, q) => p - q);
  return { diff: quantileOf(x, 0.5) - quantileOf(y, 0.5), lo: quantile(diffs, (1 - level) / 2), hi: quantile(diffs, (1 + level) / 2) };
}
