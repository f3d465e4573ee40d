import test from 'ava';
import { lex, KEEPALIVED_LEX } from '../lex.js';
import { newSink } from '../keywords.js';
import { buildTree } from '../tree.js';
import { hexBytes } from './checkers.js';
import { mergeRanges } from './check-build.js';
import { commandOnly, notifyScript, quotedEscaped } from './script.js';

function stmt(line: string) {
  const s = buildTree(lex('t.conf', line, KEEPALIVED_LEX).tokens).body[0];
  if (s === undefined) throw new Error(`no statement in ${line}`);
  return s;
}

test('quotedEscaped groups quotes of both kinds and reads escapes everywhere, as lib/parser.c does', (t) => {
  t.deepEqual(quotedEscaped(`a 'b c' "d e"f`), { ok: true, words: ['a', 'b c', 'd ef'] });
  t.deepEqual(quotedEscaped(`'x\\ty' \\x41\\102 \\cA \\"q\\" \\d ''`), { ok: true, words: ['x\ty', 'AB', '\x01', '"q"', 'd', ''] });
  t.false(quotedEscaped(`"open`).ok);
  t.false(quotedEscaped('end\\').ok);
});

// Observed with keepalived 2.2.7 under `keepalived -n` and a script printing its argv.
test('a vrrp_script runs what keepalived 2.2.7 ran: the first word only, split again', (t) => {
  const sink = newSink();
  t.deepEqual(commandOnly(stmt('script /x/argdump.sh one two'), sink), ['/x/argdump.sh']);
  t.deepEqual(commandOnly(stmt(`script "/x/argdump.sh 'a b' c"`), sink), ['/x/argdump.sh', 'a b', 'c']);
  t.deepEqual(commandOnly(stmt(`script '/x/argdump.sh x\\ty' z`), sink), ['/x/argdump.sh', 'x', 'y']);
  t.deepEqual(sink.errors, []);
  t.deepEqual(sink.warnings.map((w) => [w.at.col, w.message.slice(0, 38)]), [
    [22, 'script runs "/x/argdump.sh" only: keep'],
    [29, 'script runs "/x/argdump.sh x y" only: '],
  ]);
});

test('notify_up takes the command, then a user and a group (lib/notify.c notify_script_init)', (t) => {
  const sink = newSink();
  t.deepEqual(notifyScript(stmt('notify_up "/bin/n up \\"a b\\"" www adm'), sink), { argv: ['/bin/n', 'up', 'a b'], user: 'www', group: 'adm' });
  t.is(notifyScript(stmt('notify_up /bin/n www adm extra'), sink), undefined);
  t.deepEqual(sink.errors.map((e) => e.at.col), [26]);
});

test('hex strings as keepalived reads them: pairs, lone digits, wildcards, and no final ff', (t) => {
  t.is(hexBytes('01 02a0 b', false), '0102a00b');
  t.is(hexBytes('0x Xf', true), '0xxf');
  t.is(hexBytes('0x', false), undefined);
  t.is(hexBytes('ff 01', false), 'ff01');
  t.is(hexBytes('01 ff', false), undefined);
  t.is(hexBytes('', false), undefined);
});

test('status ranges are merged and sorted', (t) => {
  t.deepEqual(mergeRanges([[418, 418], [200, 204], [205, 206], [301, 302], [203, 210]]), [[200, 210], [301, 302], [418, 418]]);
});
