import test from 'ava';
import { compileReceive } from './receive.js';

const matches = (receive: string, text: string): boolean | string => {
  const r = compileReceive(receive);
  return r.ok ? r.re.test(text) : r.detail;
};

test('receive is unanchored, as Perl matches /$receive/', (t) => {
  t.true(matches('OK', 'status: OK, all fine'));
  t.false(matches('OK', 'status: ok'));
  t.true(matches('alive|up', 'we are up'));
});

test('Perl $ also matches before a final newline; JS $ alone would not', (t) => {
  t.true(matches('OK$', 'OK\n'));
  t.true(matches('^OK$', 'OK'));
  t.false(matches('OK$', 'OK\nmore'));
  t.true(matches('[$]5', 'costs $5'), '$ inside a class is a dollar');
  t.true(matches('\\$5', 'costs $5'), 'an escaped $ is a dollar');
});

test('\\A, \\z, \\Z and leading modifiers are translated; what JS cannot run is reported', (t) => {
  t.true(matches('\\AOK', 'OK then'));
  t.false(matches('\\AOK', 'not OK'));
  t.false(matches('OK\\z', 'OK\n'));
  t.true(matches('OK\\Z', 'OK\n'));
  t.true(matches('(?i)alive', 'ALIVE'));
  t.true(matches('(?s)a.b', 'a\nb'));
  t.false(matches('a.b', 'a\nb'), '. does not match a newline, as in Perl');
  t.regex(String(matches('(?x) a b', 'ab')), /modifier \(\?x\) has no JS equivalent/);
  t.regex(String(matches('a++', 'aa')), /not a pattern lvsd can run/);
});
