import test from 'ava';
import { initialHysteresis, observe, type Hysteresis } from './hysteresis.js';

function run(start: Hysteresis, verdicts: string, rise: number, fall: number): string {
  let h = start;
  let out = '';
  for (const v of verdicts) {
    const r = observe(h, v === '+', { rise, fall });
    h = r.h;
    out += r.changed ? (h.state === 'up' ? 'U' : 'D') : '.';
  }
  return out;
}

test('keepalived default rise 1 / fall 1: every disagreeing verdict flips', (t) => {
  t.is(run(initialHysteresis(false), '+-+-', 1, 1), '.DUD');
});

test('fall 3: down only after three failures in a row; a pass in between resets', (t) => {
  t.is(run(initialHysteresis(false), '--+---', 1, 3), '.....D');
});

test('rise 2 from alpha start-down: up after two passes in a row', (t) => {
  t.is(run(initialHysteresis(true), '+-++', 2, 1), '...U');
});

test('a pass while up keeps the record unchanged (no allocation churn)', (t) => {
  const h = initialHysteresis(false);
  t.is(observe(h, true, { rise: 1, fall: 1 }).h, h);
});

test('rise/fall below 1 behave as 1', (t) => {
  t.is(run(initialHysteresis(false), '-+', 0, 0), 'DU');
});
