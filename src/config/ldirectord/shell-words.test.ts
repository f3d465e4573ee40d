import test from 'ava';
import { shellWords } from './shell-words.js';

test('commands split as sh splits them: quotes and backslashes', (t) => {
  t.deepEqual(shellWords('/usr/bin/x  a "b c" \'d e\' f\\ g', 'cmd'), { ok: true, value: ['/usr/bin/x', 'a', 'b c', 'd e', 'f g'] });
  t.deepEqual(shellWords('"/opt/my tool"', 'cmd'), { ok: true, value: ['/opt/my tool'] });
  t.deepEqual(shellWords('x ""', 'cmd'), { ok: true, value: ['x', ''] });
  t.deepEqual(shellWords("x '$HOME'", 'cmd'), { ok: true, value: ['x', '$HOME'] });
});

test('shell syntax that needs a shell is refused', (t) => {
  for (const c of ['a | b', 'a; b', 'a && b', 'a > f', 'echo $HOME', 'echo "$HOME"', 'a `b`', 'ls *.txt', '~/bin/x', 'x # y', '"open', '']) {
    t.false(shellWords(c, 'cmd').ok, c);
  }
});
