import test from 'ava';
import fc from 'fast-check';
import { checkerFileEffect, parseTrackFileValue, vrrpFileEffect } from './file-value.js';

test('track file text is read as strtol(buf, NULL, 0) reads it', (t) => {
  const cases: Array<[string, number]> = [
    ['', 0], ['\n', 0], ['10\n', 10], ['  -7 apples', -7], ['+5', 5], ['0x1F', 31], ['0X10', 16], ['-0x10', -16],
    ['017', 15], ['08', 0], ['0x', 0], ['0xg', 0], ['abc', 0], ['12abc', 12], ['\t\v\f\r 3', 3],
    ['2147483648', 2147483648], ['-2147483648', -2147483648],
  ];
  for (const [text, value] of cases) t.deepEqual(parseTrackFileValue(text), { ok: true, value }, JSON.stringify(text));
});

test('numbers keepalived refuses: outside 32 bits (+1) or outside a C long', (t) => {
  t.false(parseTrackFileValue('2147483649').ok);
  t.false(parseTrackFileValue('-2147483649').ok);
  t.false(parseTrackFileValue('99999999999999999999').ok);
});

test('only the first 127 bytes are read', (t) => {
  t.deepEqual(parseTrackFileValue(`${' '.repeat(126)}42`), { ok: true, value: 4 });
  t.deepEqual(parseTrackFileValue(`${' '.repeat(127)}42`), { ok: true, value: 0 });
});

test('parsing never throws', (t) => {
  fc.assert(fc.property(fc.string(), (s) => {
    parseTrackFileValue(s);
  }));
  t.pass();
});

test('vrrp: weight 0 makes a non-zero value FAULT, reverse a zero value', (t) => {
  t.deepEqual(vrrpFileEffect(0, 0, false), { fault: false, contribution: 0 });
  t.deepEqual(vrrpFileEffect(3, 0, false), { fault: true });
  t.deepEqual(vrrpFileEffect(-1, 0, false), { fault: true });
  t.deepEqual(vrrpFileEffect(0, 0, true), { fault: true });
  t.deepEqual(vrrpFileEffect(5, 0, true), { fault: false, contribution: 0 });
});

test('vrrp: value × weight, reverse negates, limited to [-254, 253] where -254 is FAULT', (t) => {
  t.deepEqual(vrrpFileEffect(10, 2, false), { fault: false, contribution: 20 });
  t.deepEqual(vrrpFileEffect(10, 2, true), { fault: false, contribution: -20 });
  t.deepEqual(vrrpFileEffect(-10, -3, false), { fault: false, contribution: 30 });
  t.deepEqual(vrrpFileEffect(1000, 1, false), { fault: false, contribution: 253 });
  t.deepEqual(vrrpFileEffect(-253, 1, false), { fault: false, contribution: -253 });
  t.deepEqual(vrrpFileEffect(-254, 1, false), { fault: true });
  t.deepEqual(vrrpFileEffect(127, -2, false), { fault: true });
  t.deepEqual(vrrpFileEffect(0, -5, false), { fault: false, contribution: 0 });
});

test('checker: weight 0 is up/down; otherwise a weight delta, down only at -2^31', (t) => {
  t.deepEqual(checkerFileEffect(0, 0, false), { up: true, weightDelta: 0 });
  t.deepEqual(checkerFileEffect(1, 0, false), { up: false });
  t.deepEqual(checkerFileEffect(0, 0, true), { up: false });
  t.deepEqual(checkerFileEffect(7, 3, false), { up: true, weightDelta: 21 });
  t.deepEqual(checkerFileEffect(7, 3, true), { up: true, weightDelta: -21 });
  t.deepEqual(checkerFileEffect(-2147483648, 1, false), { up: false });
  t.deepEqual(checkerFileEffect(-2147483648, 2, false), { up: false });
  t.deepEqual(checkerFileEffect(-2147483647, 1, false), { up: true, weightDelta: -2147483647 });
});
