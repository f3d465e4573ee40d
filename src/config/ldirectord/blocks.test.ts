import test from 'ava';
import { readLayout } from './blocks.js';

function shape(text: string): { globals: string[]; blocks: string[][]; warnings: string[] } {
  const l = readLayout('f', text);
  return {
    globals: l.globals.map((d) => `${d.name}=${d.value}`),
    blocks: l.blocks.map((b) => [`${b.head.name}=${b.head.value}`, ...b.body.map((d) => `${d.name}=${d.value}@${d.at.line}:${d.at.col ?? 0}`)]),
    warnings: l.warnings.map((w) => `${w.at.line}:${w.message.slice(0, 40)}`),
  };
}

test('a tab is exactly 4 columns: tab, 4 spaces and space+tab continue a block; 3 spaces do not', (t) => {
  const s = shape('virtual=1:80\n\ta=1\n    b=2\n \tc=3 # cut\n  \t d = 4\nx=5\n');
  t.deepEqual(s.blocks, [['virtual=1:80', 'a=1@2:2', 'b=2@3:5', 'c=3 @4:3', 'd=4@5:5']]);
  t.deepEqual(s.globals, ['x=5']);
  t.deepEqual(s.warnings, []);
});

test('comments do not end a block, even at column 1; a # inside a block cuts the line', (t) => {
  const s = shape('virtual=1:80\n# c\n\t# d\n\trequest="/a#b"\n');
  t.deepEqual(s.blocks, [['virtual=1:80', 'request="/a@4:2']]);
});

test('a blank line ends the block for ldirectord; an indented line after it continues it here, warned', (t) => {
  const s = shape('virtual=1:80\n\treal=1\n\n\t\n\treal=2\nquiescent=no\n');
  t.deepEqual(s.blocks, [['virtual=1:80', 'real=1@2:2', 'real=2@5:2']]);
  t.deepEqual(s.globals, ['quiescent=no']);
  t.is(s.warnings.length, 1);
  t.regex(s.warnings[0] ?? '', /^5:/);
});

test('3-space indentation and column-1 block directives continue the open block, warned; globals close it', (t) => {
  const s = shape('virtual=1:80\n\treal=a\n   real=b\nscheduler=rr\nchecktimeout=3\n\treal=c\n');
  t.deepEqual(s.blocks, [['virtual=1:80', 'real=a@2:2', 'real=b@3:4', 'scheduler=rr@4:1']]);
  t.deepEqual(s.globals, ['checktimeout=3', 'real=c']);
  t.is(s.warnings.length, 2);
});

test('a line of 5 blank columns is refused by ldirectord: read as blank, warned; 4 columns end a block quietly', (t) => {
  t.deepEqual(shape('virtual=1:80\n\ta=1\n     \n').warnings.map((w) => w.slice(0, 2)), ['3:']);
  t.deepEqual(shape('virtual=1:80\n\ta=1\n    \nvirtual=2:80\n\tb=1\n').warnings, []);
});

test('CR LF is warned once; a last line that is virtual= is warned (ldirectord 4.12 rejects it)', (t) => {
  t.deepEqual(shape('a=1\r\nb=2\r\n').globals, ['a=1', 'b=2']);
  t.is(shape('a=1\r\nb=2\r\n').warnings.length, 1);
  t.is(shape('virtual=1:80\n\ta=1\nvirtual=2:80\n').warnings.length, 1);
  t.is(shape('virtual=1:80\n\ta=1\nvirtual=2:80\n\n').warnings.length, 0);
});
