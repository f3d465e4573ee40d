/**
 * bench/ldirectord: where lvsd's detection time goes, per kill (pure). From lvsd's own log lines
 * (pino `time`, wall clock, ms) and the farm's `killed` events (monotonic ms, the same host
 * clock as the bench's): the kill → lvsd's `check.state` down for the victim (and the latency
 * of the attempt that decided), → the next `ipvs.apply` (and how long it took). Set beside the
 * farm's attempts and the watcher's "gone", this says whether time was spent before the failing
 * attempt (the check interval), in deciding, in the reconcile, or after it (kernel, watcher).
 */
export interface LvsdTrace {
  /** Kill → `check.state` down of the victim, ms; absent when not found. */
  readonly checkDownMs?: number;
  /** The deciding attempt's own latency (the line's `ms`). */
  readonly attemptMs?: number;
  /** Kill → the first `ipvs.apply` logged after that line. */
  readonly applyMs?: number;
  /** That apply's own duration (its `ms`) and scope. */
  readonly applyTookMs?: number;
  readonly applyScope?: string;
  /** `check.state` lines of other real servers between the kill and the apply (false downs, flapping). */
  readonly otherChecks: number;
}

type Line = Readonly<Record<string, unknown>>;

/**
 * `killAtMono`: the farm's kill time (monotonic ms); `wallMinusMono`: Date.now() − monotonic ms
 * in the same host; `rs`: the victim as lvsd logs it (`ip:port`).
 */
export function traceKill(lines: readonly Line[], o: { rs: string; killAtMono: number; wallMinusMono: number }): LvsdTrace {
  const killWall = o.killAtMono + o.wallMinusMono;
  const wall = (l: Line): number => (typeof l.time === 'string' ? Date.parse(l.time) : Number.NaN);
  // pino's ISO time has ms resolution: a line in the kill's millisecond counts as after it.
  const after = lines.filter((l) => wall(l) >= Math.floor(killWall));
  const down = after.findIndex((l) => l.event === 'check.state' && l.rs === o.rs && l.to === 'down');
  if (down < 0) return { otherChecks: after.filter((l) => l.event === 'check.state').length };
  const d = after[down]!;
  const applyAt = after.slice(down).findIndex((l) => l.event === 'ipvs.apply');
  const apply = applyAt >= 0 ? after[down + applyAt] : undefined;
  const until = apply !== undefined ? down + applyAt : after.length;
  return {
    checkDownMs: wall(d) - killWall,
    ...(typeof d.ms === 'number' ? { attemptMs: d.ms } : {}),
    ...(apply !== undefined ? { applyMs: wall(apply) - killWall } : {}),
    ...(typeof apply?.ms === 'number' ? { applyTookMs: apply.ms } : {}),
    ...(typeof apply?.scope === 'string' ? { applyScope: apply.scope } : {}),
    otherChecks: after.slice(0, until).filter((l) => l.event === 'check.state' && l.rs !== o.rs).length,
  };
}
