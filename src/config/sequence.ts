/**
 * keepalived.conf's sequence and list blocks (keepalived 2.2.7 lib/parser.c add_seq, add_lst;
 * keepalived.conf(5) "Sequence blocks", "List blocks"), read from the start of a line. Pure.
 *
 * `~SEQ(VAR, END)`, `~SEQ(VAR, START, END)`, `~SEQ(VAR, START, STEP, END)`: numbers as C's
 * strtol with base 0 reads them (`0x10`, `010` octal), after parameter substitution; a
 * missing STEP is 1 or -1 toward END; a missing START is 1 (or -1 for a negative END).
 * `~SEQx` writes the values in hexadecimal. `~LST(VAR, V1, V2, ...)` and
 * `~LST({A, B}, {a1, b1}, {a2, b2}, ...)` give the values in turn (missing ones are empty).
 */

export interface Sequence {
  /** One entry per repetition: the variables to define before the rest of the line is read. */
  readonly rounds: ReadonlyArray<ReadonlyArray<readonly [string, string]>>;
  /** Where the rest of the line (the repeated text) starts. */
  readonly restFrom: number;
}

export type SequenceResult = { readonly ok: true; readonly value: Sequence } | { readonly ok: false; readonly error: string };

/** More repetitions than this in one block are refused (keepalived would read them all). */
const MAX_ROUNDS = 100_000;

export function parseSequence(text: string, substitute: (params: string) => string): SequenceResult {
  const m = /^~(SEQx?|LST)[ \t]*\(/.exec(text);
  const close = text.indexOf(')');
  if (m === null || close < 0) return fail(text);
  const inside = text.slice(m[0].length, close);
  const restFrom = close + 1 + (/^[ \t]*/.exec(text.slice(close + 1))?.[0].length ?? 0);
  const rounds = m[1] === 'LST' ? listRounds(inside) : seqRounds(substitute(inside), m[1] === 'SEQx');
  if (typeof rounds === 'string') return { ok: false, error: `${rounds} in "${text.slice(0, close + 1)}"` };
  return { ok: true, value: { rounds, restFrom } };
}

function fail(text: string): SequenceResult {
  const what = text.startsWith('~LST') ? '~LST(VAR, VALUE, ...)' : '~SEQ(VAR, [START, [STEP,]] END)';
  return { ok: false, error: `expected ${what}, got "${text}"` };
}

/** C strtol(s, &end, 0) from the start of `s`: value and characters read (0 when none). */
function strtol(s: string): { value: number; length: number } {
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (m === null) return { value: 0, length: 0 };
  const digits = m[2] ?? '0';
  const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  const magnitude = parseInt(base === 16 ? digits.slice(2) : digits, base);
  return { value: m[1] === '-' ? -magnitude : magnitude, length: m[0].length };
}

function seqRounds(inside: string, hex: boolean): Array<Array<[string, string]>> | string {
  const parts = inside.split(',');
  const name = (parts.shift() ?? '').trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `expected a variable name first, got "${name}"`;
  const numbers: number[] = [];
  for (const p of parts) {
    const n = strtol(p);
    if (p.slice(n.length).trim() !== '') return `expected a number, got "${p.trim()}"`;
    numbers.push(n.value);
  }
  const range = seqRange(numbers);
  if (typeof range === 'string') return range;
  if (hex && (range.start < 0 || range.end < 0)) return 'expected positive numbers for ~SEQx';
  const count = Math.floor((range.end - range.start) / range.step) + 1;
  if (count > MAX_ROUNDS) return `expected at most ${MAX_ROUNDS} values, got ${count}`;
  return Array.from({ length: count }, (_, i) => {
    const v = range.start + i * range.step;
    return [[name, hex ? v.toString(16) : String(v)]];
  });
}

function seqRange(n: readonly number[]): { start: number; step: number; end: number } | string {
  const [a, b, c] = n;
  if (n.length === 1 && a !== undefined) return { start: a < 0 ? -1 : 1, step: a < 1 ? -1 : 1, end: a };
  if (n.length === 2 && a !== undefined && b !== undefined) return { start: a, step: a <= b ? 1 : -1, end: b };
  if (n.length === 3 && a !== undefined && b !== undefined && c !== undefined) {
    if (b === 0 || (a < c && b < 0) || (a > c && b > 0)) return `expected a step toward the end value, got ${b} from ${a} to ${c}`;
    return { start: a, step: b, end: c };
  }
  return `expected 1 to 3 numbers after the variable, got ${n.length}`;
}

/** `{a, b}` or a single word, from tokens; advances `i`. */
function group(tokens: readonly string[], i: { at: number }): string[] | string {
  if (tokens[i.at] !== '{') {
    const word = tokens[i.at];
    if (word === undefined || word === ',' || word === '}') return `expected a value, got "${word ?? ')'}"`;
    i.at++;
    return [word];
  }
  const out: string[] = [];
  i.at++;
  for (;;) {
    const word = tokens[i.at];
    if (word === '}') { i.at++; return out; }
    if (word === undefined || word === '{') return 'expected "}" to close a group';
    if (word === ',') { i.at++; continue; }
    out.push(word);
    i.at++;
  }
}

function listRounds(inside: string): Array<Array<[string, string]>> | string {
  const tokens = inside.match(/[{},]|[^ \t{},]+/g) ?? [];
  const i = { at: 0 };
  const names = group(tokens, i);
  if (typeof names === 'string') return names;
  const rounds: Array<Array<[string, string]>> = [];
  while (i.at < tokens.length) {
    if (tokens[i.at] !== ',') return `expected "," between values, got "${tokens[i.at] ?? ''}"`;
    i.at++;
    const values = group(tokens, i);
    if (typeof values === 'string') return values;
    if (values.length > names.length) return `expected at most ${names.length} values in a group, got ${values.length}`;
    rounds.push(names.map((n, k): [string, string] => [n, values[k] ?? '']));
  }
  if (rounds.length === 0) return 'expected at least one value';
  return rounds;
}
