/**
 * The engine with a steady lane (checker.ts SteadyLane): which probes it hands over, and how a
 * miss, a reload, a snapshot and close take them back. The lane here is a fake the test drives;
 * the addon's is tested in checks/steady-lane.test.ts.
 */
import test from 'ava';
import { HealthEngine, type HealthEvent } from './engine.js';
import { FakeTimers } from './timers.js';
import type { AttemptResult, AttemptSpec, Checker, SteadyHandle, SteadyLane, SteadyStats } from './checker.js';
import { check, real, service } from '../../test/fixtures/health-model.js';

class CountingChecker implements Checker {
  readonly kind = 'tcp' as const;
  readonly fail = new Set<string>();
  starts = 0;
  start(spec: AttemptSpec) {
    this.starts++;
    const r: AttemptResult = this.fail.has(spec.address) ? { ok: false, latencyMs: 0, reason: 'refused', detail: 'connection refused' } : { ok: true, latencyMs: 0, detail: 'connected' };
    return { result: Promise.resolve(r), cancel: () => undefined };
  }
}

interface Held { readonly delayMs: number; readonly intervalMs: number; readonly onMiss: (r: AttemptResult | undefined, atUs: number) => void; stats: SteadyStats }

class FakeLane implements SteadyLane {
  readonly held = new Map<string, Held>();
  starts: Array<{ address: string; delayMs: number }> = [];
  stops = 0;
  start(spec: AttemptSpec, delayMs: number, intervalMs: number, onMiss: Held['onMiss']): SteadyHandle {
    this.starts.push({ address: spec.address, delayMs });
    const h: Held = { delayMs, intervalMs, onMiss, stats: {} };
    this.held.set(spec.address, h);
    return {
      stats: () => h.stats,
      stop: () => {
        this.stops++;
        this.held.delete(spec.address);
        return h.stats;
      },
    };
  }
  miss(address: string, r: AttemptResult | undefined, atUs: number): void {
    const h = this.held.get(address);
    this.held.delete(address);
    h?.onMiss(r, atUs);
  }
}

function setup(o: { everyResult?: boolean } = {}) {
  const timers = new FakeTimers();
  const checker = new CountingChecker();
  const lane = new FakeLane();
  const events: HealthEvent[] = [];
  const engine = new HealthEngine({
    clock: timers.clock, timers, checkers: new Map([['tcp', checker]]), random: () => 0, onEvent: (e) => events.push(e), steady: lane,
    ...(o.everyResult !== undefined ? { everyResult: () => o.everyResult === true } : {}),
  });
  const tcp = check({ kind: 'tcp' }, { intervalMs: 1000, timeoutMs: 500, retries: 1, retryDelayMs: 200 });
  const services = [service(80, [real('10.0.0.1', { checks: [tcp] })])];
  return { timers, checker, lane, events, engine, services };
}

const refused: AttemptResult = { ok: false, latencyMs: 3, reason: 'refused', detail: 'connection refused', errno: 'ECONNREFUSED' };

test('after its first pass an up probe goes to the lane, due one interval later; the engine runs nothing meanwhile', async (t) => {
  const { timers, checker, lane, engine, services } = setup();
  engine.update(services);
  t.is(lane.starts.length, 0, 'no pass yet: the first attempt is the engine\'s');
  await timers.advance(1000);
  t.is(checker.starts, 1);
  t.deepEqual(lane.starts, [{ address: '10.0.0.1', delayMs: 1000 }]);
  await timers.advance(10_000);
  t.is(checker.starts, 1);
  t.is(engine.load().inFlight, 0);
});

test('a miss in the lane is the first failing attempt: the engine retries after delay_before_retry, then the check goes down; back up, it returns to the lane', async (t) => {
  const { timers, checker, lane, events, engine, services } = setup();
  engine.update(services);
  await timers.advance(1000);
  checker.fail.add('10.0.0.1');
  await timers.advance(500);
  lane.miss('10.0.0.1', refused, timers.clock.nowUs());
  await timers.advance(199);
  t.is(checker.starts, 1, 'the retry waits delay_before_retry');
  t.deepEqual(events, []);
  await timers.advance(1);
  t.is(checker.starts, 2);
  t.like(events[0], { kind: 'check', to: 'down', reason: 'refused' });
  t.is(lane.starts.length, 1, 'a down probe stays in the engine');
  checker.fail.clear();
  await timers.advance(1000);
  t.like(events.filter((e) => e.kind === 'check')[1], { to: 'up' });
  t.is(lane.starts.length, 2);
});

test('a miss the lane cannot judge: the engine runs that attempt at once, and the lane gets the probe back after it passes', async (t) => {
  const { timers, checker, lane, engine, services } = setup();
  engine.update(services);
  await timers.advance(1000);
  lane.miss('10.0.0.1', undefined, timers.clock.nowUs());
  await timers.advance(0);
  t.is(checker.starts, 2);
  t.is(lane.starts.length, 2);
  t.is(lane.starts[1]?.delayMs, 1000);
});

test('the snapshot shows the lane\'s last pass', async (t) => {
  const { timers, lane, engine, services } = setup();
  engine.update(services);
  await timers.advance(1000);
  await timers.advance(3000);
  const h = lane.held.get('10.0.0.1');
  if (h === undefined) return t.fail('not in the lane');
  h.stats = { last: { result: { ok: true, latencyMs: 2.5, detail: 'connected' }, atUs: timers.clock.nowUs() - 400_000 }, dueUs: timers.clock.nowUs() + 600_000 };
  t.like(engine.snapshot()[0]?.checks[0]?.last, { ok: true, detail: 'connected', latencyMs: 2.5, agoMs: 400 });
});

test('a reload takes the lane\'s probes back and hands them out again with the time left; close stops them', async (t) => {
  const { timers, lane, engine, services } = setup();
  engine.update(services);
  await timers.advance(1000);
  const h = lane.held.get('10.0.0.1');
  if (h === undefined) return t.fail('not in the lane');
  h.stats = { dueUs: timers.clock.nowUs() + 700_000 };
  engine.update(services);
  t.is(lane.stops, 1);
  t.deepEqual(lane.starts.map((s) => s.delayMs), [1000, 700]);
  engine.update([]);
  t.is(lane.stops, 2);
  t.is(lane.held.size, 0, 'a removed probe is not handed out again');
  engine.update(services);
  await timers.advance(1000);
  engine.close();
  t.is(lane.held.size, 0);
});

test('no lane while every result must be seen (ldirectord\'s monitorfile)', async (t) => {
  const { timers, checker, lane, engine, services } = setup({ everyResult: true });
  engine.update(services);
  await timers.advance(5000);
  t.is(lane.starts.length, 0);
  t.is(checker.starts, 5);
});
