import test from 'ava';
import { masterDownUs, skewUs } from './intervals.js';

// Master_Down_Interval = 3 × interval + (256 − priority) × interval / 256 (RFC 5798 §6.1),
// worked out by hand in ms for v3 at the given intervals (also in docs/design.md "VRRP timers").
const table: readonly [number, readonly [number, number][]][] = [
  [100, [[254, 3008], [200, 3219], [100, 3609], [1, 3996]]],
  [10, [[254, 300.8], [200, 321.9], [100, 360.9], [1, 399.6]]],
  [5, [[254, 150.4], [200, 160.9], [100, 180.5], [1, 199.8]]],
  [1, [[254, 30.1], [200, 32.2], [100, 36.1], [1, 40.0]]],
];

test('Master_Down_Interval matches the hand-worked table at 1 s, 100 ms, 50 ms and 10 ms', (t) => {
  for (const [cs, rows] of table) {
    for (const [prio, ms] of rows) {
      const us = masterDownUs(3, prio, cs);
      const rounded = cs === 100 ? Math.round(us / 1000) : Math.round(us / 100) / 10;
      t.is(rounded, ms, `${cs} cs, priority ${prio}`);
    }
  }
});

test('Master_Down_Interval at 20 ms (hand-computed: 60 ms + (256-p)·20 ms/256)', (t) => {
  t.is(masterDownUs(3, 254, 2), 60_156); // 60 ms + 156.25 µs, floored like keepalived
  t.is(masterDownUs(3, 200, 2), 64_375);
  t.is(masterDownUs(3, 100, 2), 72_187);
  t.is(masterDownUs(3, 1, 2), 79_921);
});

test('v2 skew is (256-p)/256 s whatever the interval; 3.609 s at 1 s / priority 100', (t) => {
  t.is(masterDownUs(2, 100, 100), 3_609_375);
  t.is(skewUs(2, 100, 300), 609_375);
  t.is(masterDownUs(2, 100, 300), 9_609_375);
});

test('skew is non-zero at 10 ms adverts and orders backups by priority', (t) => {
  t.true(skewUs(3, 254, 1) > 0);
  t.true(skewUs(3, 254, 1) < skewUs(3, 253, 1));
  t.is(skewUs(3, 100, 1), 6_093);
});
