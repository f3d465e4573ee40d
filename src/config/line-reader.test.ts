import test from 'ava';
import fc from 'fast-check';
import type { Diagnostic } from '../model/index.js';
import { type IncludeLine, readLines } from './line-reader.js';
import { standardDefinitions } from './substitution.js';

/** The logical lines of `text` (config id "lb1"), with `[line:col]` of their first character, and the diagnostics. */
function read(text: string, o: { configId?: string; include?: (l: IncludeLine) => string } = {}) {
  const diagnostics: Diagnostic[] = [];
  const pieces = readLines({ path: '/etc/k/a.conf', text, pwd: '/etc/k' }, {
    defs: standardDefinitions({ file: 'f', line: 0 }), configId: o.configId ?? 'lb1', diagnostics,
    include: o.include ?? ((l) => `<include ${l.path}>`),
  });
  const lines = pieces.map((p) => (p.kind === 'include' ? p.result : p.line.text));
  const at = pieces.map((p) => (p.kind === 'line' ? `${p.line.line}:${p.line.cols[0] ?? 0}` : ''));
  return { lines, at, diagnostics: diagnostics.map((d) => `${d.at.line}:${d.at.col ?? 0}: ${d.message}`) };
}

test('$NAME=value defines; $NAME before a blank, comma, ) or the end, and ${NAME} anywhere, are replaced', (t) => {
  const r = read('$IF=eth0\n$P=100\ninterface $IF\npriority ${P}0 $P,$P) $IF/24 ${IF}/24 $IFX $UNDEF ${UNDEF}');
  t.deepEqual(r.lines, ['interface eth0', 'priority 1000 100,100) $IF/24 eth0/24 $IFX $UNDEF ${UNDEF}']);
  t.deepEqual(r.at, ['3:1', '4:1']);
  t.deepEqual(r.diagnostics, []);
});

test('a space before "=" makes no definition, and the value starts after the blanks following "="', (t) => {
  t.deepEqual(read('$A =1\n$B=   two words  # comment\nx $B').lines, ['$A =1', 'x two words']);
});

test('values are resolved when used, not when defined (keepalived.conf(5) example)', (t) => {
  const r = read('$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32');
  t.deepEqual(r.lines, ['10.2.0.100/32', '10.2.10.100/32']);
});

test('a word made by substitution is located at the "$" of its reference', async (t) => {
  const { lexLocated, KEEPALIVED_LINE_LEX } = await import('./lex.js');
  const diagnostics: Diagnostic[] = [];
  const pieces = readLines({ path: 'f', text: '$V=10.0.0.1 10.0.0.2\n   addr $V x', pwd: '/' }, { defs: standardDefinitions({ file: 'f', line: 0 }), configId: 'a', diagnostics, include: () => 0 });
  const lines = pieces.flatMap((p) => (p.kind === 'line' ? [p.line] : []));
  const words = lexLocated(lines, KEEPALIVED_LINE_LEX).tokens.flatMap((k) => (k.kind === 'word' ? [`${k.word.text}@${k.word.at.line}:${k.word.at.col ?? 0}`] : []));
  t.deepEqual(words, ['addr@2:4', '10.0.0.1@2:9', '10.0.0.2@2:9', 'x@2:12']);
});

test('@ID lines apply only to that config id, @^ID lines to every other; a line of only @ID is dropped', (t) => {
  const text = '@lb1 router_id main\n@lb2 router_id backup\n@^lb1 peer 1.2.3.4\n@^lb2 peer 1.2.3.5\n@lb1\n@lb1x a';
  t.deepEqual(read(text).lines, ['router_id main', 'peer 1.2.3.5']);
  t.deepEqual(read(text, { configId: 'lb2' }).lines, ['router_id backup', 'peer 1.2.3.4']);
  t.deepEqual(read('@lb1 $P=240\n@lb2 $P=200\npriority $P\n$IF_MAIN=@lb1\n$IF_MAIN priority 240').lines, ['priority 240', 'priority 240']);
  t.deepEqual(read('@lb1 $P=240\n@lb2 $P=200\npriority $P\n$IF_MAIN=@lb1\n$IF_MAIN priority 240', { configId: 'lb2' }).lines, ['priority 200']);
});

test('a multiline definition continues while lines end in "\\" and replaces a reference at the end of a line', (t) => {
  const text = [
    '$INSTANCE= \\',
    'vrrp_instance VI_${NUM} { \\',
    '    interface eth0.${NUM} \\',
    '    @lb1 priority 130 \\',
    '    @lb2 priority 120 \\',
    '}',
    '$NUM=0',
    '$INSTANCE',
    '$NUM=1',
    'x $INSTANCE',
    'y $INSTANCE z',
  ].join('\n');
  t.deepEqual(read(text).lines, [
    'vrrp_instance VI_0 {', 'interface eth0.0', 'priority 130', '}',
    'x vrrp_instance VI_1 {', 'interface eth0.1', 'priority 130', '}',
    'y $INSTANCE z',
  ]);
});

test('multiline definitions nest, and define as they are read (keepalived.conf(5) $VS/$RS example)', (t) => {
  const text = [
    '$RS= \\',
    'real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\',
    '  weight 1 \\',
    '} \\',
    '',
    '$VS= \\',
    'virtual_server 10.0.${VS_NUM}.4 80 { \\',
    '  $RS_NUM=1 \\',
    '  $RS \\',
    '  $RS_NUM=2 \\',
    '  $RS \\',
    '}',
    '$VS_NUM=0',
    '$VS',
  ].join('\n');
  t.deepEqual(read(text).lines, [
    'virtual_server 10.0.0.4 80 {', 'real_server 192.168.0.1 80 {', 'weight 1', '}', 'real_server 192.168.0.2 80 {', 'weight 1', '}', '}',
  ]);
});

test('a blank line ends a multiline definition; a comment line does not', (t) => {
  t.deepEqual(read('$M=a \\\n# note\nb \\\n\nc\n$M').lines, ['c', 'a', 'b']);
});

test('~SEQ repeats the rest of the line: END, START END, START STEP END, hex, and nested', (t) => {
  t.deepEqual(read('~SEQ(N, 3) a$N').lines, ['a1', 'a2', 'a3']);
  t.deepEqual(read('~SEQ(N, 3) a ${N}').lines, ['a 1', 'a 2', 'a 3']);
  t.deepEqual(read('~SEQ(N,0,3) ip 10.0.${N}.1').lines, ['ip 10.0.0.1', 'ip 10.0.1.1', 'ip 10.0.2.1', 'ip 10.0.3.1']);
  t.deepEqual(read('~SEQ(N, 5, -2, 1) $N').lines, ['5', '3', '1']);
  t.deepEqual(read('~SEQ(N, 3, 1) $N').lines, ['3', '2', '1']);
  t.deepEqual(read('~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1').lines, ['fe80::20:90:1', 'fe80::20:a0:1', 'fe80::20:b0:1', 'fe80::20:c0:1']);
  t.deepEqual(read('~SEQ(A,1,2) ~SEQ(B,1,2) ${A}.${B}').lines, ['1.1', '1.2', '2.1', '2.2']);
  t.deepEqual(read('$E=2\n~SEQ(N, $E) $N').lines, ['1', '2']);
});

test('~LST gives listed values, one variable or groups, and combines with ~SEQ', (t) => {
  t.deepEqual(read('~LST(IP, 1, 2) ~LST(IP1, 5,6) 192.169.${IP}.${IP1}').lines, ['192.169.1.5', '192.169.1.6', '192.169.2.5', '192.169.2.6']);
  t.deepEqual(read('~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(IP2,168,2,170) 192.${IP2}.${IP}.${IP1}').lines,
    ['192.168.10.1', '192.170.10.1', '192.168.20.4', '192.170.20.4']);
  t.deepEqual(read('~LST({A, B}, {1}) a${A}b${B}.').lines, ['a1b.']);
});

test('a bad ~SEQ or ~LST is an error at its line, and nothing is repeated', (t) => {
  const r = read('~SEQ(N, 1, -1, 5) x\n~SEQ(N) x\n~LST({A}, {1, 2}) x\n~SEQx(N, -1, 1) x');
  t.deepEqual(r.lines, []);
  t.deepEqual(r.diagnostics, [
    '1:1: expected a step toward the end value, got -1 from 1 to 5 in "~SEQ(N, 1, -1, 5)"',
    '2:1: expected 1 to 3 numbers after the variable, got 0 in "~SEQ(N)"',
    '3:1: expected at most 1 values in a group, got 2 in "~LST({A}, {1, 2})"',
    '4:1: expected positive numbers for ~SEQx in "~SEQx(N, -1, 1)"',
  ]);
});

test('pre-defined parameters: _PWD, _INSTANCE, _HASH and _BANG (only quoted, else they start a comment); _RANDOM is refused', (t) => {
  const r = read('a ${_PWD} ${_INSTANCE}\nb "${_HASH}x${_BANG}" ${_HASH} gone\nc \\# d\nr ${_RANDOM 1 9}');
  t.deepEqual(r.lines, ['a /etc/k lb1', 'b "#x!"', 'c # d']);
  t.deepEqual(r.diagnostics, ["4:3: keepalived's ${_RANDOM} is not supported by lvsd: a configuration must mean the same on every read (write the number)"]);
});

test('include lines are read after substitution, in place, with their variants', (t) => {
  const r = read('$D=conf.d\ninclude ${D}/*.conf\nincluder "x y"\nincludea a b\nincludex no', { include: (l) => `<${l.path} ${String(l.mustMatch)} ${l.at.line}:${l.at.col ?? 0}>` });
  t.deepEqual(r.lines, ['<conf.d/*.conf false 2:9>', '<x y false 3:10>', 'includex no']);
  t.deepEqual(r.diagnostics, ['4:10: expected "include PATH" with one path, got "a b"']);
});

test('a definition that refers to itself is an error, not a hang', (t) => {
  t.deepEqual(read('$A=x $A\nv $A').diagnostics, ['2:3: expected parameter substitution to end, got more than 1000 replacements in one line (a definition that refers to itself?)']);
  t.true(read('$M= \\\na \\\n$M\n$M').diagnostics.some((d) => d.includes('nested more than')));
});

test('reading lines never throws, whatever the text', (t) => {
  const parts = fc.constantFrom('$A=', '$A', '${A}', '@lb1 ', '@^x ', '~SEQ(N,', '~LST({', '1', ',', ')', '}', '{', '\\', '\n', ' ', '"', '#', 'x');
  fc.assert(fc.property(fc.array(parts, { maxLength: 30 }), (p) => { read(p.join('')); }));
  t.pass();
});
