import test from 'ava';
import fc from 'fast-check';
import { splitCommand } from './argv.js';
import { detectFormat } from './load.js';
import { KEEPALIVED_LEX, lex, NATIVE_LEX } from './lex.js';
import { distance, nearest } from './suggest.js';
import { buildTree } from './tree.js';

test('keepalived lexing: braces split words, # and ! comment, quotes make one word', (t) => {
  const { tokens, diagnostics } = lex('f', 'vrrp_instance VI_1{ auth_pass "a b#c" ! x\n}', KEEPALIVED_LEX);
  t.deepEqual(diagnostics, []);
  const shown = tokens.map((k) => (k.kind === 'word' ? `${k.word.text}@${k.word.at.col}` : k.kind));
  t.deepEqual(shown, ['vrrp_instance@1', 'VI_1@15', 'open', 'auth_pass@21', 'a b#c@31', 'end', 'close', 'end']);
});

test('native lexing: ; ends a statement and ! is an ordinary character', (t) => {
  const { tokens } = lex('f', 'a 1 ; b !x', NATIVE_LEX);
  t.deepEqual(tokens.map((k) => (k.kind === 'word' ? k.word.text : k.kind)), ['a', '1', 'end', 'b', '!x', 'end']);
});

test('a brace on the next line opens the block of the statement before it', (t) => {
  const tree = buildTree(lex('f', 'group\n{\n a b\n c\n}\nnext', KEEPALIVED_LEX).tokens);
  t.deepEqual(tree.diagnostics, []);
  t.is(tree.body.length, 2);
  t.deepEqual(tree.body[0]?.block?.body.map((s) => [s.keyword.text, ...s.args.map((a) => a.text)]), [['a', 'b'], ['c']]);
  t.is(tree.body[1]?.keyword.text, 'next');
});

test('an unclosed block is reported at its opening brace, and lexing never throws', (t) => {
  const tree = buildTree(lex('f', 'x {\n y {\n }\n', KEEPALIVED_LEX).tokens);
  t.deepEqual(tree.diagnostics, [{ at: { file: 'f', line: 1, col: 3 }, message: 'expected "}" to close the block of "x" opened here, got the end of the file' }]);
  fc.assert(fc.property(fc.string(), (s) => { buildTree(lex('f', s, KEEPALIVED_LEX).tokens); buildTree(lex('f', s, NATIVE_LEX).tokens); }));
});

test('script commands split like a shell without being one', (t) => {
  t.deepEqual(splitCommand(`/bin/x 'a b' "c \\"d\\"" e\\ f`), { ok: true, value: ['/bin/x', 'a b', 'c "d"', 'e f'] });
  t.deepEqual(splitCommand('  /bin/x   $HOME  >out '), { ok: true, value: ['/bin/x', '$HOME', '>out'] });
  t.deepEqual(splitCommand(`/bin/x ''`), { ok: true, value: ['/bin/x', ''] });
  t.false(splitCommand('/bin/x "open').ok);
  t.false(splitCommand('   ').ok);
});

test('suggestions pick the nearest keyword and only when close', (t) => {
  t.is(distance('priorty', 'priority'), 1);
  t.is(distance('ab', 'ba'), 1);
  t.is(nearest('priorty', ['priority', 'preempt_delay', 'state']), 'priority');
  t.is(nearest('lb_algoo', ['lb_algo', 'lb_kind']), 'lb_algo');
  t.is(nearest('frobnicate', ['priority', 'state']), undefined);
});

test('the format is detected from the first statement', (t) => {
  t.is(detectFormat('! comment\n\nglobal_defs {\n}'), 'keepalived');
  t.is(detectFormat('virtual_server 10.0.0.1 80 {'), 'keepalived');
  t.is(detectFormat('# lvsd\ndirector { router-id a }'), 'native');
  t.is(detectFormat('service tcp 10.0.0.1:80 {'), 'native');
  t.is(detectFormat('include a.conf\nvrrp VI_1 {'), 'native');
  t.is(detectFormat('checktimeout=3\nvirtual=10.0.0.1:80'), 'ldirectord');
  t.is(detectFormat('hello world'), undefined);
  t.is(detectFormat(''), undefined);
});

test('a keepalived file is detected past its line language and stray words', (t) => {
  t.is(detectFormat('$IF=eth0\n$NAME=x'), 'keepalived');
  t.is(detectFormat('@lb1 $P=100'), 'keepalived');
  t.is(detectFormat('@^lb1 router_id x'), 'keepalived');
  t.is(detectFormat('~SEQ(N, 3) include a${N}.conf'), 'keepalived');
  t.is(detectFormat('stray\nglobal_defs {\n}'), 'keepalived');
  t.is(detectFormat('includer conf.d/*.conf\nvrrp_instance VI_1 {'), 'keepalived');
  t.is(detectFormat('oops\nservice tcp 10.0.0.1:80 {'), 'native');
  t.is(detectFormat('x\nchecktimeout=3'), 'ldirectord');
});
