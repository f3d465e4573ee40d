/**
 * ldirectord's check timing on lvsd's health engine: failurecount → fall (no retries, no retry
 * delay: a check is one attempt), checkinterval → the interval (a block's only with fork=yes),
 * checktimeout / negotiatetimeout (each the other's default, block before global, 5 and 30 last)
 * → each check's deadline, connecttimeout read as negotiatetimeout, checkcount → ping attempts.
 * Then the engine run on a loaded ldirectord.cf under fake time: an up server leaves after
 * exactly `failurecount` failed checks, at the moment the last one fails (no second attempt
 * with failurecount=1), and one passed check brings it back.
 */
import test from 'ava';
import { loadConfigDetailed, nameServiceFromFiles } from '../index.js';
import { FakeTimers, HealthEngine, type AttemptResult, type Checker, type HealthEvent } from '../../health/index.js';
import type { HealthCheck, VirtualService } from '../../model/index.js';

const names = nameServiceFromFiles({ hosts: '', services: 'http 80/tcp www\n' });

function load(text: string): readonly VirtualService[] {
  const r = loadConfigDetailed({ path: 'l.cf', text, readFile: () => '', names, hostname: 'dir1' });
  if (!r.result.ok) throw new Error(r.result.error.map((e) => e.message).join('; '));
  return r.result.value.services;
}

function checkOf(text: string, vs = 0): HealthCheck {
  const c = load(text)[vs]?.reals[0]?.health?.checks[0];
  if (c === undefined) throw new Error('no check');
  return c;
}

const block = (body: string[], vip = '192.0.2.1:80'): string => `virtual=${vip}\n\treal=10.0.0.1:80 masq\n${body.map((l) => `\t${l}\n`).join('')}`;
const HTTP = ['service=http', 'checktype=negotiate', 'request="/"', 'receive="ok"'];

test('defaults: failurecount 1 is fall 1, one attempt per check (no retries), rise 1, checkinterval 10 s, negotiatetimeout 30 s', (t) => {
  const c = checkOf(block(HTTP));
  t.deepEqual(c.timing, { intervalMs: 10_000, timeoutMs: 30_000, retries: 0, retryDelayMs: 0, warmupMs: 0, rise: 1, fall: 1 });
  t.true(c.startDown);
});

test('failurecount: global, and a block overriding it; it is fall, never retries', (t) => {
  const text = `failurecount=3\n${block(HTTP)}${block([...HTTP, 'failurecount=2'], '192.0.2.1:81')}`;
  t.like(checkOf(text, 0).timing, { fall: 3, retries: 0, retryDelayMs: 0 });
  t.like(checkOf(text, 1).timing, { fall: 2, retries: 0, retryDelayMs: 0 });
});

test('checkinterval: the global one; a block value only with fork=yes', (t) => {
  t.like(checkOf(`checkinterval=1\n${block([...HTTP, 'checkinterval=7'])}`).timing, { intervalMs: 1000 });
  t.like(checkOf(`fork=yes\ncheckinterval=1\n${block([...HTTP, 'checkinterval=7'])}`).timing, { intervalMs: 7000 });
});

test('timeouts: negotiate uses negotiatetimeout, connect checktimeout, each the other\'s default, block before global', (t) => {
  t.like(checkOf(`checktimeout=3\n${block(HTTP)}`).timing, { timeoutMs: 3000 });
  t.like(checkOf(`negotiatetimeout=4\n${block(['checktype=connect'])}`).timing, { timeoutMs: 4000 });
  t.like(checkOf(`checktimeout=3\nnegotiatetimeout=20\n${block(['checktype=connect'])}`).timing, { timeoutMs: 3000 });
  t.like(checkOf(`checktimeout=3\nnegotiatetimeout=20\n${block(HTTP)}`).timing, { timeoutMs: 20_000 });
  t.like(checkOf(`negotiatetimeout=20\n${block([...HTTP, 'checktimeout=4'])}`).timing, { timeoutMs: 4000 });
  t.like(checkOf(block(['checktype=connect'])).timing, { timeoutMs: 5000 });
  // checktype N: negotiations under negotiatetimeout, its connects under checktimeout.
  const combined = checkOf(`checktimeout=2\nnegotiatetimeout=9\n${block([...HTTP.slice(0, 1), 'checktype=3'])}`);
  t.like(combined.timing, { timeoutMs: 9000 });
  t.like(combined.probe, { kind: 'negotiate', connectBetween: 3, connectTimeoutMs: 2000 });
});

test('connecttimeout (refused by ldirectord 4.12) is read as negotiatetimeout', (t) => {
  t.like(checkOf(`connecttimeout=6\n${block(HTTP)}`).timing, { timeoutMs: 6000 });
});

test('ping: checkcount attempts of checktimeout each (retries = checkcount - 1, no delay)', (t) => {
  t.like(checkOf(`checkcount=3\nchecktimeout=2\n${block(['checktype=ping'])}`).timing, { retries: 2, retryDelayMs: 0, timeoutMs: 2000, fall: 1 });
});

/** Answers each negotiate attempt as `ok` says; records the fake time of every start. */
function scripted(timers: FakeTimers): { checker: Checker; starts: number[]; ok: { value: boolean } } {
  const starts: number[] = [];
  const ok = { value: true };
  const checker: Checker = {
    kind: 'negotiate',
    start: () => {
      starts.push(timers.clock.nowUs() / 1000);
      const r: AttemptResult = ok.value ? { ok: true, latencyMs: 0 } : { ok: false, latencyMs: 0, reason: 'reset', detail: 'connection reset' };
      return { result: Promise.resolve(r), cancel: () => undefined };
    },
  };
  return { checker, starts, ok };
}

async function downAfter(failurecount: number): Promise<{ failedAttempts: number; downAtMs: number; firstFailMs: number; backAfter: number }> {
  const timers = new FakeTimers();
  const { checker, starts, ok } = scripted(timers);
  const events: Array<{ e: HealthEvent; atMs: number }> = [];
  const engine = new HealthEngine({ clock: timers.clock, timers, checkers: new Map([['negotiate', checker]]), random: () => 0, onEvent: (e) => events.push({ e, atMs: timers.clock.nowUs() / 1000 }) });
  engine.update(load(`checkinterval=1\nfailurecount=${failurecount}\n${block(HTTP)}`));
  await timers.advance(2500);
  const up = events.find((x) => x.e.kind === 'real');
  if (up?.e.kind !== 'real' || !up.e.to.up) throw new Error('not up after 2.5 s');
  ok.value = false;
  const from = starts.length;
  await timers.advance(failurecount * 1000 + 2000);
  const down = events.find((x) => x.e.kind === 'real' && !x.e.to.up);
  if (down === undefined) throw new Error('never down');
  const failed = starts.slice(from).filter((s) => s <= down.atMs);
  ok.value = true;
  const beforeBack = starts.length;
  await timers.advance(3000);
  const back = events.findIndex((x) => x.e.kind === 'real' && x.e.to.up && x.atMs > down.atMs);
  const backAt = events[back]?.atMs ?? Number.NaN;
  engine.close();
  return { failedAttempts: failed.length, downAtMs: down.atMs, firstFailMs: failed[0] ?? Number.NaN, backAfter: starts.slice(beforeBack).filter((s) => s <= backAt).length };
}

test('engine: failurecount=1 takes the server down on the first failed check, at that moment; one pass brings it back', async (t) => {
  const r = await downAfter(1);
  t.is(r.failedAttempts, 1);
  t.is(r.downAtMs, r.firstFailMs);
  t.is(r.backAfter, 1);
});

test('engine: failurecount=3 takes it down on the third consecutive failed check, one checkinterval apart', async (t) => {
  const r = await downAfter(3);
  t.is(r.failedAttempts, 3);
  t.is(r.downAtMs, r.firstFailMs + 2000);
});
