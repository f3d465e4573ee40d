import test from 'ava';
import { HealthEngine, watchTargets, type HealthEvent } from './engine.js';
import { FakeTimers } from './timers.js';
import type { AttemptResult, AttemptSpec, Checker } from './checker.js';
import { applyHealth } from './apply.js';
import { planHealth } from './plan.js';
import { check, real, service } from '../../test/fixtures/health-model.js';
import type { CheckTiming } from '../model/index.js';

type Behaviour = 'pass' | 'fail' | 'hang' | { slowMs: number } | { weight: number } | { weightDelta: number };

/** A checker whose answer per address the test sets; counts starts and cancels. */
class ScriptedChecker implements Checker {
  readonly kind = 'tcp' as const;
  readonly behaviour = new Map<string, Behaviour>();
  starts = 0;
  cancels = 0;
  constructor(private readonly timers: FakeTimers, private readonly silenceIsOk = false) {}
  start(spec: AttemptSpec) {
    this.starts++;
    const b = this.behaviour.get(spec.address) ?? 'pass';
    let cancelled = false;
    const result = new Promise<AttemptResult>((resolve) => {
      if (b === 'pass') resolve({ ok: true, latencyMs: 0 });
      else if (b === 'fail') resolve({ ok: false, latencyMs: 0, reason: 'refused', detail: 'connection refused', errno: 'ECONNREFUSED' });
      else if (b !== 'hang' && 'weight' in b) resolve({ ok: true, latencyMs: 0, weight: b.weight });
      else if (b !== 'hang' && 'weightDelta' in b) resolve({ ok: true, latencyMs: 0, weightDelta: b.weightDelta });
      else if (b !== 'hang') this.timers.set(() => cancelled || resolve({ ok: true, latencyMs: 0 }), b.slowMs);
    });
    return {
      result,
      cancel: () => {
        cancelled = true;
        this.cancels++;
      },
      ...(this.silenceIsOk ? { expire: (latencyMs: number): AttemptResult => ({ ok: true, latencyMs, detail: 'no reply, no ICMP error' }) } : {}),
    };
  }
}

function setup(t: Partial<CheckTiming> = {}, o: { maxInFlight?: number; silenceIsOk?: boolean } = {}) {
  const timers = new FakeTimers();
  const checker = new ScriptedChecker(timers, o.silenceIsOk);
  const events: HealthEvent[] = [];
  const engine = new HealthEngine({ clock: timers.clock, timers, checkers: new Map([['tcp', checker]]), random: () => 0, onEvent: (e) => events.push(e), ...(o.maxInFlight ? { maxInFlight: o.maxInFlight } : {}) });
  const tcp = check({ kind: 'tcp' }, { intervalMs: 1000, timeoutMs: 500, retries: 1, retryDelayMs: 200, ...t });
  return { timers, checker, events, engine, tcp };
}

test('a dead server: retried, then one check event per subscriber and one real event per service', async (t) => {
  const { timers, checker, events, engine, tcp } = setup();
  const rs = real('10.0.0.1', { checks: [tcp] });
  engine.update([service(80, [rs]), service(443, [rs])]);
  await timers.advance(1000);
  t.is(checker.starts, 1, 'one shared probe for two services');
  checker.behaviour.set('10.0.0.1', 'fail');
  await timers.advance(1000);
  t.is(checker.starts, 3, 'the failure was retried once');
  t.deepEqual(events.map((e) => (e.kind === 'watch' ? e.kind : `${e.kind} ${e.service} ${e.to === 'down' || (typeof e.to === 'object' && !e.to.up) ? 'down' : 'up'}`)), [
    'check TCP 192.0.2.10:80 down', 'check TCP 192.0.2.10:443 down', 'real TCP 192.0.2.10:80 down', 'real TCP 192.0.2.10:443 down',
  ]);
  const e = events[0];
  t.like(e, { kind: 'check', real: '10.0.0.1:80', check: 0, checkKind: 'tcp', from: 'up', reason: 'refused', detail: 'connection refused' });
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80')?.up, false);
});

test('a hanging target: cancelled at timeoutMs, recorded as "timeout after 500 ms", other probes unaffected', async (t) => {
  const { timers, checker, events, engine, tcp } = setup({ retries: 0 });
  checker.behaviour.set('10.0.0.1', 'hang');
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] }), real('10.0.0.2', { checks: [tcp] })])]);
  await timers.advance(1600);
  t.true(checker.cancels >= 1);
  const down = events.find((e) => e.kind === 'check');
  t.like(down, { real: '10.0.0.1:80', to: 'down', reason: 'timeout', detail: 'timeout after 500 ms', latencyMs: 500 });
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.2:80')?.up, true);
  t.is(events.filter((e) => e.kind === 'check').length, 1);
});

test('latency is measured on the injected clock', async (t) => {
  const { timers, checker, engine, tcp } = setup();
  checker.behaviour.set('10.0.0.1', { slowMs: 120 });
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] })])]);
  await timers.advance(1500);
  t.is(engine.snapshot()[0]?.checks[0]?.last?.latencyMs, 120);
});

test('expire: an attempt for which silence is an answer passes at the deadline', async (t) => {
  const { timers, checker, events, engine, tcp } = setup({}, { silenceIsOk: true });
  checker.behaviour.set('10.0.0.1', 'hang');
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] })])]);
  await timers.advance(3000);
  t.is(events.length, 0);
  t.like(engine.snapshot()[0]?.checks[0]?.last, { ok: true, detail: 'no reply, no ICMP error', latencyMs: 500 });
});

test('recovery: alpha server comes up after rise passes; the table follows via applyHealth', async (t) => {
  const { timers, events, engine } = setup();
  const tcp = check({ kind: 'tcp' }, { intervalMs: 1000, rise: 2 });
  const services = [service(80, [real('10.0.0.1', { checks: [tcp], startDown: true }), real('10.0.0.2')])];
  engine.update(services);
  const table = () => applyHealth(services, { reals: engine.reals(), overrides: new Map(), quorum: new Map() }).services[0]?.reals.map((r) => r.address);
  t.deepEqual(table(), ['10.0.0.2']);
  await timers.advance(1000);
  t.deepEqual(table(), ['10.0.0.2'], 'one pass of rise 2');
  await timers.advance(1000);
  t.deepEqual(table(), ['10.0.0.1', '10.0.0.2']);
  t.deepEqual(events.map((e) => e.kind), ['check', 'real']);
});

test('reload keeps the state of unchanged checks and starts added ones fresh', async (t) => {
  const { timers, checker, events, engine, tcp } = setup({ retries: 0 });
  checker.behaviour.set('10.0.0.1', 'fail');
  const a = real('10.0.0.1', { checks: [tcp] });
  engine.update([service(80, [a])]);
  await timers.advance(1000);
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80')?.up, false);
  const startsBefore = checker.starts;
  events.length = 0;
  engine.update([service(80, [a, real('10.0.0.3', { checks: [tcp] })]), service(8080, [a])]);
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80')?.up, false, 'kept down');
  t.is(engine.reals().get('TCP 192.0.2.10:8080|10.0.0.1:80')?.up, false, 'a new service sharing the probe sees its state');
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.3:80')?.up, true);
  t.is(checker.starts, startsBefore, 'no attempt restarted by the reload');
  t.deepEqual(events, []);
});

test('reload removing a probe cancels its running attempt', async (t) => {
  const { timers, checker, engine, tcp } = setup();
  checker.behaviour.set('10.0.0.1', 'hang');
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] })])]);
  await timers.advance(1000);
  t.is(engine.load().inFlight, 1);
  engine.update([]);
  t.is(checker.cancels, 1);
  t.is(engine.load().inFlight, 0);
  t.is(engine.snapshot().length, 0);
});

test('bounded concurrency through the engine: hanging targets hold at most maxInFlight attempts', async (t) => {
  const { timers, checker, engine, tcp } = setup({ timeoutMs: 10_000 }, { maxInFlight: 3 });
  const reals = Array.from({ length: 10 }, (_, i) => real(`10.0.1.${i}`, { checks: [tcp] }));
  for (const r of reals) checker.behaviour.set(r.address, 'hang');
  engine.update([service(80, reals)]);
  await timers.advance(2000);
  t.deepEqual(engine.load(), { inFlight: 3, queued: 7 });
  t.is(checker.starts, 3);
});

test('close() cancels attempts and timers; nothing fires afterwards', async (t) => {
  const { timers, checker, events, engine, tcp } = setup();
  checker.behaviour.set('10.0.0.1', 'hang');
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] }), real('10.0.0.2', { checks: [tcp] })])]);
  await timers.advance(1000);
  engine.close();
  t.is(checker.cancels, 1);
  t.is(timers.size, 0);
  await timers.advance(10_000);
  t.deepEqual(events, []);
});

test('a probe kind without a checker is reported by update and fails with reason error', async (t) => {
  const { timers, events, engine } = setup();
  const misc = check({ kind: 'misc', argv: ['/bin/true'], dynamic: false }, { retries: 0 });
  t.deepEqual(engine.update([service(80, [real('10.0.0.1', { checks: [misc] })])]), ['misc']);
  await timers.advance(1000);
  t.like(events[0], { kind: 'check', to: 'down', reason: 'error', detail: 'no misc checker in this lvsd' });
});

test('snapshot: per real server the check kind, target, state, since, last result and sharing', async (t) => {
  const { timers, checker, engine, tcp } = setup({ retries: 0 });
  const rs = real('10.0.0.1', { checks: [check({ kind: 'tcp' }, { retries: 0 }, { port: 8080 })] });
  engine.update([service(80, [rs]), service(81, [rs]), service(82, [real('10.0.0.2', { checks: [tcp] })])]);
  await timers.advance(1000);
  checker.behaviour.set('10.0.0.1', 'fail');
  await timers.advance(1000);
  const s = engine.snapshot();
  t.is(s.length, 3);
  t.like(s[0], { service: 'TCP 192.0.2.10:80', real: '10.0.0.1:80', up: false });
  t.like(s[0]?.checks[0], { index: 0, kind: 'tcp', target: '10.0.0.1:8080', state: 'down', sharedBy: 2, last: { ok: false, reason: 'refused', detail: 'connection refused' } });
  t.true((s[0]?.checks[0]?.forMs ?? -1) >= 0);
});

test('dynamic weight from a check reaches reals() and emits a real event', async (t) => {
  const { timers, checker, events, engine, tcp } = setup();
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp] })])]);
  await timers.advance(1000);
  checker.behaviour.set('10.0.0.1', { weight: 9 });
  await timers.advance(1000);
  t.deepEqual(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80'), { up: true, weight: 9 });
  t.like(events[0], { kind: 'real', to: { up: true, weight: 9 } });
});

test('weight deltas of several checks add up in reals() (FILE_CHECK)', async (t) => {
  const { timers, checker, engine, tcp } = setup();
  const other = check({ kind: 'tcp' }, { intervalMs: 1000, timeoutMs: 500, retries: 1, retryDelayMs: 200 }, { port: 8080 });
  checker.behaviour.set('10.0.0.1', { weightDelta: 7 });
  engine.update([service(80, [real('10.0.0.1', { checks: [tcp, other] })])]);
  await timers.advance(2000);
  t.deepEqual(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80'), { up: true, weightDelta: 14 });
  t.like(engine.snapshot()[0], { up: true, weightDelta: 14 });
});

test('watch connections: one per TCP target, shared by its probes; a loss runs the up probes\' checks now', async (t) => {
  const timers = new FakeTimers();
  const checker = new ScriptedChecker(timers);
  const events: HealthEvent[] = [];
  const opened: Array<{ id: string; lost: (why: string, clean: boolean) => void; closed: boolean }> = [];
  const engine = new HealthEngine({
    clock: timers.clock, timers, checkers: new Map([['tcp', checker]]), random: () => 0, onEvent: (e) => events.push(e),
    watch: (target, h) => {
      const c = { id: `${target.address}:${target.port}`, lost: h.lost, closed: false };
      h.connected();
      opened.push(c);
      return { close: () => (c.closed = true) };
    },
  });
  const slow = check({ kind: 'tcp' }, { intervalMs: 30_000, timeoutMs: 500, retries: 1, retryDelayMs: 1000 });
  const other = check({ kind: 'tcp' }, { intervalMs: 60_000, timeoutMs: 900, retries: 0 });
  engine.update([service(80, [real('10.0.0.1', { checks: [slow, other] }), real('10.0.0.2', { checks: [slow] })])]);
  t.deepEqual(opened, [], 'no connection before the first check is due');
  await timers.advance(2000);
  t.deepEqual(opened.map((c) => c.id), ['10.0.0.1:80', '10.0.0.2:80'], 'two probes of 10.0.0.1 share one watch');
  t.is(checker.starts, 3, 'the first checks');
  t.deepEqual(engine.snapshot().flatMap((r) => r.checks.map((c) => `${r.real} ${c.index} ${c.watch ?? '-'}`)), ['10.0.0.1:80 0 connected', '10.0.0.1:80 1 connected', '10.0.0.2:80 0 connected']);
  await timers.advance(10_000);
  checker.behaviour.set('10.0.0.1', 'fail');
  opened[0]!.lost('ECONNRESET', false);
  await timers.advance(0);
  t.is(checker.starts, 5, 'both probes of 10.0.0.1 checked at once, 20 s before their due time');
  t.like(events.find((e) => e.kind === 'watch'), { kind: 'watch', target: '10.0.0.1:80', why: 'ECONNRESET', hinted: 2 });
  t.is(engine.snapshot()[0]?.checks[0]?.watch, 'not connected');
  t.is(engine.reals().get('TCP 192.0.2.10:80|10.0.0.1:80')?.up, false, 'the retry-less probe is down at once');
  await timers.advance(1000);
  t.is(checker.starts, 6, 'the other one still waits delay_before_retry for its retry');
  t.deepEqual(events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? `${e.real} ${e.to}` : '')), ['10.0.0.1:80 down', '10.0.0.1:80 down']);
  engine.update([service(80, [real('10.0.0.2', { checks: [slow] })])]);
  t.deepEqual(opened.map((c) => `${c.id}${c.closed ? ' closed' : ''}`), ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.1:80 closed'],
    'reconnected 1 s after the loss; closed once the target is no longer checked');
  engine.close();
  t.true(opened[1]!.closed);
});

test('watch targets: TCP-based probes by address, port and bind address; not UDP, ICMP, scripts, RADIUS, or a bound port, device or mark', (t) => {
  const negotiate = (service: 'http' | 'radius', transport: 'tcp' | 'udp') => ({
    kind: 'negotiate' as const, service, request: '/', receive: '', method: 'GET' as const, login: '', passwd: '', database: '', secret: '', transport, connectBetween: 0, connectTimeoutMs: 1000,
  });
  const reals = [
    real('10.0.0.1', { checks: [check({ kind: 'tcp' }, { timeoutMs: 1000 }), check({ kind: 'smtp', heloName: 'x' }, { timeoutMs: 3000 })] }),
    real('10.0.0.2', { checks: [check({ kind: 'tcp' }, {}, { bindTo: '10.0.0.9' }), check({ kind: 'tcp' }, {}, { port: 8080 })] }),
    real('10.0.0.3', { checks: [check({ kind: 'ping' }), check({ kind: 'udp', requireReply: false, minReplyLength: 0, maxReplyLength: 255 })] }),
    real('10.0.0.4', { checks: [check(negotiate('http', 'tcp')), check(negotiate('radius', 'tcp'), {}, { port: 1812 }), check(negotiate('http', 'udp'), {}, { port: 81 })] }),
    real('10.0.0.5', { checks: [check({ kind: 'tcp' }, {}, { bindPort: 5000 }), check({ kind: 'tcp' }, {}, { fwmark: 3, port: 81 }), check({ kind: 'tcp' }, {}, { bindIf: 'eth0', port: 82 })] }),
  ];
  const w = watchTargets(planHealth([service(80, reals)]));
  t.deepEqual([...w.targets.keys()], ['10.0.0.1:80', '10.0.0.2:80 from 10.0.0.9', '10.0.0.2:8080', '10.0.0.4:80']);
  t.is(w.keys.get('10.0.0.1:80')?.length, 2, 'TCP_CHECK and SMTP_CHECK of one target share its watch');
  t.is(w.targets.get('10.0.0.1:80')?.connectTimeoutMs, 3000, 'the longest connect timeout of them');
  t.like(w.targets.get('10.0.0.2:80 from 10.0.0.9'), { address: '10.0.0.2', port: 80, bindTo: '10.0.0.9' });
});
