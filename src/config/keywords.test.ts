/**
 * The keyword-table driver reports every problem of a block in one pass, each at its word:
 * extra words by name with what the keyword takes, and the blocks of statements it cannot
 * apply (missing name, misspelt keyword) are still checked.
 */
import test from 'ava';
import { formatDiagnostic } from '../model/index.js';
import { interpret, kw, namedBlock, newSink, type Keyword } from './keywords.js';
import { KEEPALIVED_LEX, lex } from './lex.js';
import { buildTree } from './tree.js';
import { int } from './values.js';

interface Inner { name: string; priority?: number; flag: boolean }
interface Outer { blocks: Inner[]; level?: number }

const INNER: readonly Keyword<Inner>[] = [
  kw('priority', 1, (s, a, sink) => { const w = s.args[0]; const v = w && int(sink, w, { what: 'a priority', min: 1, max: 255 }); if (v !== undefined) a.priority = v; }),
  kw('flag', 0, (_s, a) => { a.flag = true; }),
];

const OUTER: readonly Keyword<Outer>[] = [
  namedBlock<Outer, Inner>('instance', {
    table: INNER,
    create: (name) => ({ name, flag: false }),
    add: (d, a) => d.blocks.push(a),
  }),
  { ...kw<Outer>('level', 1, (s, d) => { d.level = Number(s.args[0]?.text); }), usage: '<0-9>' },
];

function run(text: string) {
  const sink = newSink();
  const acc: Outer = { blocks: [] };
  interpret(buildTree(lex('f', text, KEEPALIVED_LEX).tokens).body, OUTER, acc, { where: 'the top level', sink });
  return { acc, errors: sink.errors.map(formatDiagnostic) };
}

test('extra words are named at the first of them, with what the keyword takes, and the keyword still applies', (t) => {
  const r = run('instance a {\n  flag yes\n  priority 100 200 300\n}\nlevel 3 4');
  t.deepEqual(r.errors, [
    'f:2:8: expected nothing after "flag" (it takes no value), got an extra "yes"',
    'f:3:16: expected 1 value after "priority", got 2 extra "200" "300"',
    'f:5:9: expected 1 value after "level" (level <0-9>), got an extra "4"',
  ]);
  t.deepEqual(r.acc, { blocks: [{ name: 'a', flag: true, priority: 100 }], level: 3 });
});

test('the block of a statement without its name, or of a misspelt block keyword, is still checked and not kept', (t) => {
  const r = run('instance {\n  priorty 1\n}\ninstanse b {\n  priority 0\n}\nlevel');
  t.deepEqual(r.errors, [
    'f:1:1: expected 1 value after "instance" (instance NAME { ... }), got none',
    'f:2:3: unknown keyword "priorty" in instance (did you mean "priority"?)',
    'f:4:1: unknown keyword "instanse" in the top level (did you mean "instance"?)',
    'f:5:12: expected a priority between 1 and 255, got "0"',
    'f:7:1: expected 1 value after "level" (level <0-9>), got none',
  ]);
  t.deepEqual(r.acc.blocks, []);
});

test('a block where none belongs is reported at its "{" and the keyword still applies', (t) => {
  const r = run('level 2 {\n}');
  t.deepEqual(r.errors, ['f:1:9: expected no block after "level", got "{"']);
  t.is(r.acc.level, 2);
});
