import test from 'ava';
import { Scheduler, type SchedulerOutput } from './scheduler.js';
import { planHealth, type ProbePlan } from './plan.js';
import type { AttemptResult } from './checker.js';
import type { CheckTiming } from '../model/index.js';
import { check, real, service } from '../../test/fixtures/health-model.js';
import type { Us } from '../clock.js';

const MS = 1000;
const OK: AttemptResult = { ok: true, latencyMs: 1 };
const FAIL: AttemptResult = { ok: false, latencyMs: 1, reason: 'refused', detail: 'connection refused' };

function plans(n: number, t: Partial<CheckTiming> = {}, startDown = false): Map<string, ProbePlan> {
  const reals = Array.from({ length: n }, (_, i) => real(`10.0.${i >> 8}.${i & 255}`, { checks: [check({ kind: 'tcp' }, t)], startDown }));
  return new Map(planHealth([service(80, reals)]).probes);
}

/** Drives a Scheduler under fake time: timers fire exactly when due; attempts end when told. */
class Sim {
  now: Us = 0;
  readonly timers = new Map<string, Us>();
  readonly running = new Map<string, number>();
  readonly starts: Array<{ key: string; at: Us }> = [];
  readonly events: SchedulerOutput[] = [];
  constructor(readonly s: Scheduler) {}
  apply(outs: readonly SchedulerOutput[]): void {
    for (const o of outs) {
      this.events.push(o);
      if (o.kind === 'arm') this.timers.set(o.key, o.at);
      if (o.kind === 'start') {
        this.running.set(o.key, o.seq);
        this.starts.push({ key: o.key, at: this.now });
      }
      if (o.kind === 'cancel') this.running.delete(o.key);
    }
  }
  /** Fire every timer due up to `until`, in time order. */
  runTo(until: Us): void {
    for (;;) {
      let next: [string, Us] | undefined;
      for (const e of this.timers) if (e[1] <= until && (next === undefined || e[1] < next[1])) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.now = next[1];
      this.apply(this.s.due(next[0], this.now));
    }
    this.now = until;
  }
  finish(key: string, r: AttemptResult): void {
    const seq = this.running.get(key);
    if (seq === undefined) throw new Error(`${key} is not running`);
    this.running.delete(key);
    this.apply(this.s.result(key, seq, r, this.now));
  }
  states(): string[] {
    return this.events.flatMap((e) => (e.kind === 'state' ? [`${e.to}@${e.key === '' ? '' : Math.round(this.now / MS)}`] : []));
  }
}

function one(t: Partial<CheckTiming>, startDown = false): { sim: Sim; key: string } {
  const p = plans(1, t, startDown);
  const sim = new Sim(new Scheduler({ maxInFlight: 10, random: () => 0 }));
  sim.apply(sim.s.update(p, 0));
  return { sim, key: [...p.keys()][0] ?? '' };
}

test('a failure while up is retried `retries` times, retryDelayMs apart; then down; no retries while down', (t) => {
  const { sim, key } = one({ retries: 2, retryDelayMs: 100, intervalMs: 1000 });
  sim.runTo(sim.timers.get(key) ?? 0);
  const first = sim.starts[0]?.at ?? -1;
  for (let i = 0; i < 3; i++) {
    sim.finish(key, FAIL);
    sim.runTo(sim.now + 100 * MS);
  }
  t.deepEqual(sim.starts.map((s) => (s.at - first) / MS), [0, 100, 200]);
  t.is(sim.s.probe(key)?.h.state, 'down');
  // verdict at +200 ms: the next check is one interval later, and its failure is not retried
  sim.runTo(first + 1200 * MS);
  t.is(sim.starts.length, 4);
  sim.finish(key, FAIL);
  sim.runTo(first + 2199 * MS);
  t.is(sim.starts.length, 4);
  sim.runTo(first + 2200 * MS);
  sim.finish(key, OK);
  t.is(sim.s.probe(key)?.h.state, 'up');
  t.deepEqual(sim.events.filter((e) => e.kind === 'state').map((e) => (e.kind === 'state' ? `${e.from}>${e.to}` : '')), ['up>down', 'down>up']);
});

test('a pass after a failed attempt ends the retries without a state change', (t) => {
  const { sim, key } = one({ retries: 3 });
  sim.runTo(1000 * MS);
  sim.finish(key, FAIL);
  sim.runTo(sim.now + 100 * MS);
  sim.finish(key, OK);
  t.is(sim.s.probe(key)?.retry, 0);
  t.is(sim.events.filter((e) => e.kind === 'state').length, 0);
});

test('a hint runs an up probe\'s next check now; never during retries, while down, or while running', (t) => {
  const { sim, key } = one({ retries: 1, retryDelayMs: 1000, intervalMs: 30_000 });
  sim.runTo(sim.timers.get(key) ?? 0);
  sim.finish(key, OK);
  const verdictAt = sim.now;
  sim.runTo(verdictAt + 5000 * MS);
  t.is(sim.starts.length, 1, 'the next regular check is 30 s away');
  sim.apply(sim.s.hint(key, sim.now));
  t.deepEqual(sim.starts.map((s) => s.at), [sim.starts[0]?.at ?? -1, verdictAt + 5000 * MS], 'hinted: started at once');
  t.deepEqual(sim.s.hint(key, sim.now), [], 'running: nothing');
  sim.finish(key, FAIL);
  const retryAt = sim.timers.get(key);
  t.is(retryAt, sim.now + 1000 * MS, 'a failure is retried after retryDelayMs');
  t.deepEqual(sim.s.hint(key, sim.now + 10 * MS), [], 'in its retries: the retry delay is kept');
  sim.runTo(retryAt ?? 0);
  sim.finish(key, FAIL);
  t.is(sim.s.probe(key)?.h.state, 'down');
  t.deepEqual(sim.s.hint(key, sim.now + 10 * MS), [], 'down: nothing');
  t.is(sim.starts.length, 3);
});

test('rise 2 / fall 2 count verdicts, and alpha (startDown) starts down', (t) => {
  const { sim, key } = one({ rise: 2, fall: 2 }, true);
  const verdict = (r: AttemptResult): void => {
    sim.runTo(sim.timers.get(key) ?? sim.now);
    sim.finish(key, r);
  };
  t.is(sim.s.probe(key)?.h.state, 'down');
  verdict(OK);
  t.is(sim.s.probe(key)?.h.state, 'down');
  verdict(OK);
  t.is(sim.s.probe(key)?.h.state, 'up');
  verdict(FAIL);
  t.is(sim.s.probe(key)?.h.state, 'up');
  verdict(FAIL);
  t.is(sim.s.probe(key)?.h.state, 'down');
});

test('warmup delays the first attempt by random() × warmupMs (random injected)', (t) => {
  const p = plans(1, { warmupMs: 4000 });
  const a = new Scheduler({ maxInFlight: 1, random: () => 0 }).update(p, 0);
  const b = new Scheduler({ maxInFlight: 1, random: () => 0.5 }).update(p, 0);
  const due = (o: readonly SchedulerOutput[]): number => (o[0]?.kind === 'arm' ? o[0].at : NaN);
  t.is(due(b) - due(a), 2000 * MS);
});

test('jitter: 1,000 probes planned in the same ms start spread over the first second', (t) => {
  const outs = new Scheduler({ maxInFlight: 2000, random: () => 0 }).update(plans(1000), 0);
  const perMs = new Map<number, number>();
  for (const o of outs) if (o.kind === 'arm') perMs.set(Math.floor(o.at / MS), (perMs.get(Math.floor(o.at / MS)) ?? 0) + 1);
  t.true([...perMs.keys()].every((ms) => ms >= 0 && ms < 1000));
  t.true(Math.max(...perMs.values()) <= 8, `busiest ms has ${Math.max(...perMs.values())} starts`);
  t.true(perMs.size > 500, `only ${perMs.size} distinct ms`);
});

test('jitter is deterministic per key: the same plan gets the same phases', (t) => {
  const arms = (): number[] => new Scheduler({ maxInFlight: 1, random: () => 0 }).update(plans(5), 0).map((o) => (o.kind === 'arm' ? o.at : -1));
  t.deepEqual(arms(), arms());
});

test('concurrency bound: at most maxInFlight attempts; the overflow waits FIFO by due time', (t) => {
  const p = plans(5, { intervalMs: 10_000 });
  const sim = new Sim(new Scheduler({ maxInFlight: 2, random: () => 0 }));
  sim.apply(sim.s.update(p, 0));
  const order = [...sim.timers.entries()].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  sim.runTo(1000 * MS);
  t.is(sim.s.inFlight, 2);
  t.is(sim.s.queued, 3);
  t.deepEqual(sim.starts.map((s) => s.key), order.slice(0, 2));
  sim.finish(order[1] ?? '', OK);
  sim.finish(order[0] ?? '', OK);
  t.deepEqual(sim.starts.map((s) => s.key), order.slice(0, 4));
  t.is(sim.s.inFlight, 2);
  sim.finish(order[2] ?? '', FAIL);
  t.deepEqual(sim.starts.map((s) => s.key), order);
  t.is(sim.s.queued, 0);
});

test('shared probes: one real server behind three services is one probe with three subscribers', (t) => {
  const rs = real('10.0.0.1', { checks: [check({ kind: 'tcp' })] });
  const slower = real('10.0.0.1', { checks: [check({ kind: 'tcp' }, { intervalMs: 5000 })] });
  const plan = planHealth([service(80, [rs]), service(81, [rs]), service(82, [rs]), service(83, [slower])]);
  t.is(plan.probes.size, 2);
  const [shared] = plan.probes.values();
  t.deepEqual(shared?.subscribers.map((s) => s.service), ['TCP 192.0.2.10:80', 'TCP 192.0.2.10:81', 'TCP 192.0.2.10:82']);
  t.is(plan.reals.get('TCP 192.0.2.10:81|10.0.0.1:80')?.[0], shared?.key);
});

test('shared probes: a different connect_port, probe or alpha is a different probe', (t) => {
  const a = real('10.0.0.1', { checks: [check({ kind: 'tcp' })] });
  const b = real('10.0.0.1', { checks: [check({ kind: 'tcp' }, {}, { port: 8080 })] });
  const c = real('10.0.0.1', { checks: [check({ kind: 'smtp', heloName: 'x' })] });
  const d = real('10.0.0.1', { checks: [check({ kind: 'tcp' })], startDown: true });
  t.is(planHealth([service(80, [a]), service(81, [b]), service(82, [c]), service(83, [d])]).probes.size, 4);
});

test('reload keeps the state of unchanged probes, arms new ones, cancels removed running ones', (t) => {
  const p = plans(2);
  const [k1, k2] = [...p.keys()];
  const sim = new Sim(new Scheduler({ maxInFlight: 10, random: () => 0 }));
  sim.apply(sim.s.update(p, 0));
  sim.runTo(1000 * MS);
  sim.finish(k1 ?? '', FAIL);
  t.is(sim.s.probe(k1 ?? '')?.h.state, 'down');
  const fresh = plans(3);
  const k3 = [...fresh.keys()].find((k) => !p.has(k)) ?? '';
  fresh.delete(k2 ?? '');
  sim.events.length = 0;
  sim.apply(sim.s.update(fresh, sim.now));
  t.is(sim.s.probe(k1 ?? '')?.h.state, 'down');
  t.deepEqual(sim.events.map((e) => `${e.kind}:${e.key === k2 ? 'k2' : e.key === k3 ? 'k3' : 'k1'}`), ['cancel:k2', 'arm:k3']);
  t.is(sim.s.inFlight, 0);
  t.deepEqual(sim.s.result(k2 ?? '', 1, OK, sim.now), []);
});

test('a stale result (old seq) changes nothing', (t) => {
  const { sim, key } = one({});
  sim.runTo(1000 * MS);
  t.deepEqual(sim.s.result(key, 99, FAIL, sim.now), []);
  t.is(sim.s.probe(key)?.phase, 'running');
});

test('dynamic weights: a passing attempt that reports a weight emits it once', (t) => {
  const { sim, key } = one({});
  sim.runTo(1000 * MS);
  sim.finish(key, { ok: true, latencyMs: 1, weight: 5 });
  sim.runTo(sim.timers.get(key) ?? 0);
  sim.finish(key, { ok: true, latencyMs: 1, weight: 5 });
  t.deepEqual(sim.events.filter((e) => e.kind === 'weight'), [{ kind: 'weight', key, weight: 5, weightDelta: undefined }]);
  t.is(sim.s.probe(key)?.weight, 5);
});

test('weight deltas (FILE_CHECK): emitted when they change, kept through a failure', (t) => {
  const { sim, key } = one({});
  sim.runTo(1000 * MS);
  sim.finish(key, { ok: true, latencyMs: 1, weightDelta: 20 });
  sim.runTo(sim.timers.get(key) ?? 0);
  sim.finish(key, { ok: false, latencyMs: 1, reason: 'content', detail: 'x' });
  sim.runTo(sim.timers.get(key) ?? 0);
  sim.finish(key, { ok: true, latencyMs: 1, weightDelta: -5 });
  t.deepEqual(sim.events.filter((e) => e.kind === 'weight'), [
    { kind: 'weight', key, weight: undefined, weightDelta: 20 },
    { kind: 'weight', key, weight: undefined, weightDelta: -5 },
  ]);
  t.is(sim.s.probe(key)?.weightDelta, -5);
});

test('a timer that fires early (real timers round to ms) re-arms for the due time instead of stalling', (t) => {
  const { sim, key } = one({});
  const due = sim.timers.get(key) ?? 0;
  t.deepEqual(sim.s.due(key, due - 400), [{ kind: 'arm', key, at: due }]);
  t.deepEqual(sim.s.due(key, due), [{ kind: 'start', key, seq: 1 }]);
});

test('steady lane: only an up probe waiting after a pass may go; a miss from there is retried like any failed attempt, and resume arms at the lane\'s due time', (t) => {
  const { sim, key } = one({ retries: 1, retryDelayMs: 100, intervalMs: 1000 });
  t.false(sim.s.steady(key), 'no attempt yet');
  sim.runTo(sim.timers.get(key) ?? 0);
  t.false(sim.s.steady(key), 'running');
  sim.finish(key, OK);
  t.true(sim.s.steady(key));
  // The lane passes for a while, then misses at 5 s.
  sim.timers.delete(key);
  sim.s.note(key, { result: { ok: true, latencyMs: 2, detail: 'connected' }, atUs: 4000 * MS }, 5000 * MS);
  t.like(sim.s.probe(key), { dueUs: 5000 * MS, last: { atUs: 4000 * MS } });
  sim.now = 5000 * MS;
  sim.apply(sim.s.external(key, FAIL, sim.now));
  t.is(sim.s.probe(key)?.retry, 1);
  t.is(sim.timers.get(key), 5100 * MS, 'the retry after delay_before_retry');
  t.false(sim.s.steady(key), 'in its retries');
  t.is(sim.s.inFlight, 0);
  sim.runTo(5100 * MS);
  sim.finish(key, FAIL);
  t.deepEqual(sim.states(), ['down@5100']);
  t.false(sim.s.steady(key), 'down');
  sim.runTo(6100 * MS);
  t.deepEqual(sim.s.external(key, FAIL, sim.now), [], 'a running probe takes no lane result');
  // resume: back from the lane, armed at its due time (now when an attempt was running there)
  const { sim: b, key: k } = one({ intervalMs: 1000 });
  b.runTo(b.timers.get(k) ?? 0);
  b.finish(k, OK);
  t.deepEqual(b.s.resume(k, undefined, 1700 * MS, 1200 * MS), [{ kind: 'arm', key: k, at: 1700 * MS }]);
  t.deepEqual(b.s.resume(k, undefined, undefined, 1200 * MS), [{ kind: 'arm', key: k, at: 1200 * MS }]);
});
