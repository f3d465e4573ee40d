/**
 * One attempt under a deadline: the single place where `timeoutMs` is enforced (the engine and
 * the checker tests both use it). At the deadline the attempt is cancelled (its sockets closed)
 * and the result is the attempt's own `expire` verdict, or a `timeout` failure
 * ("timeout after 3 s"). A checker that throws from `start` (a bug) gives an `error` result
 * instead of breaking the engine. Latency is measured here, on the injected clock (whatever a
 * checker reported is replaced), so every type measures it the same way.
 */
import type { Clock } from '../clock.js';
import type { Attempt, AttemptResult, AttemptSpec, Checker } from './checker.js';
import type { Timers } from './timers.js';

export interface RunningAttempt {
  /** Resolves once, with the attempt's result or the timeout verdict; never after cancel. */
  readonly result: Promise<AttemptResult>;
  cancel(): void;
}

/** "3 s", "1.5 s", "200 ms". */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${Math.round(ms)} ms`;
}

function startSafely(checker: Checker, spec: AttemptSpec): Attempt {
  try {
    return checker.start(spec);
  } catch (e) {
    const detail = `checker ${checker.kind} failed to start: ${e instanceof Error ? e.message : String(e)}`;
    return { result: Promise.resolve({ ok: false, latencyMs: 0, reason: 'error', detail }), cancel: () => undefined };
  }
}

export function runAttempt(checker: Checker, spec: AttemptSpec, deps: { readonly clock: Clock; readonly timers: Timers }): RunningAttempt {
  const t0 = deps.clock.nowUs();
  const elapsedMs = (): number => (deps.clock.nowUs() - t0) / 1000;
  let settle: (r: AttemptResult) => void = () => undefined;
  const result = new Promise<AttemptResult>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const attempt = startSafely(checker, spec);
  const timer = deps.timers.set(() => {
    if (done) return;
    done = true;
    attempt.cancel();
    const latencyMs = elapsedMs();
    settle(attempt.expire?.(latencyMs) ?? { ok: false, latencyMs, reason: 'timeout', detail: `timeout after ${formatDuration(spec.timeoutMs)}` });
  }, spec.timeoutMs);
  void attempt.result.then(
    (r) => {
      if (done) return;
      done = true;
      deps.timers.clear(timer);
      settle({ ...r, latencyMs: elapsedMs() });
    },
    (e: unknown) => {
      if (done) return;
      done = true;
      deps.timers.clear(timer);
      settle({ ok: false, latencyMs: elapsedMs(), reason: 'error', detail: `checker ${checker.kind} rejected: ${e instanceof Error ? e.message : String(e)}` });
    },
  );
  return {
    result,
    cancel: () => {
      if (done) return;
      done = true;
      deps.timers.clear(timer);
      attempt.cancel();
    },
  };
}
