/**
 * keepalived.conf's parameter substitution (keepalived 2.2.7 lib/parser.c: check_definition,
 * find_definition, replace_param, decomment; keepalived.conf(5) "Parameter substitution",
 * "Pre-defined definitions"), on text that remembers where each character came from. Pure.
 *
 * - `$NAME=VALUE` defines (no space before `=`; only blanks may precede the `$`); a value
 *   ending in `\` continues on the next lines (a multiline definition);
 * - `$NAME` is replaced when followed by a blank, `,`, `)` or the end of the line; `${NAME}`
 *   anywhere; an undefined name stays as written; a multiline definition only at the end of
 *   a line, its first line replacing the reference and the others following as lines;
 * - the replacement is scanned again from where it starts (values may refer to others,
 *   resolved at use, not at definition);
 * - pre-defined: `_PWD` (the current file's directory), `_INSTANCE` (the config id), `_HASH`
 *   (`#`), `_BANG` (`!`); `${_RANDOM}` is refused (lvsd's meaning of a file never changes
 *   between two reads of it).
 */
import type { Diagnostic, Loc } from '../model/index.js';

/** Text with the source column (1-based) of each character; `file` and `line` are the line's. */
export interface Located {
  readonly text: string;
  readonly cols: readonly number[];
  readonly file: string;
  readonly line: number;
}

export function located(text: string, file: string, line: number): Located {
  return { text, cols: Array.from({ length: text.length }, (_, i) => i + 1), file, line };
}

export function locAt(l: Located, i: number): Loc {
  return { file: l.file, line: l.line, col: l.cols[i] ?? (l.cols[l.cols.length - 1] ?? 0) + 1 };
}

function slice(l: Located, from: number, to = l.text.length): Located {
  return { ...l, text: l.text.slice(from, to), cols: l.cols.slice(from, to) };
}

/** `l` with [from, to) replaced by `text`, every new character located at `col`. */
function splice(l: Located, o: { from: number; to: number; text: string; col: number }): Located {
  return {
    ...l,
    text: l.text.slice(0, o.from) + o.text + l.text.slice(o.to),
    cols: [...l.cols.slice(0, o.from), ...o.text.split('').map(() => o.col), ...l.cols.slice(o.to)],
  };
}

export function trimStartBlanks(l: Located): Located {
  return slice(l, l.text.length - l.text.replace(/^[ \t]+/, '').length);
}

/**
 * keepalived's decomment(): leading blanks, comments (`#` or `!` outside double quotes) and
 * trailing blanks go; `\#` and `\!` outside quotes become `#` and `!`; a final `\` is kept
 * (it continues a definition) with the blanks before it removed.
 */
export function decomment(input: Located): Located {
  let l = trimStartBlanks(input);
  let quote = false;
  let cont = false;
  let i = 0;
  while (i < l.text.length) {
    const ch = l.text[i];
    if (ch === '"') { quote = !quote; i++; continue; }
    if (ch === '\\') {
      const next = l.text[i + 1];
      if (next === undefined) { cont = true; l = slice(l, 0, i); break; }
      if (!quote && (next === '#' || next === '!')) { l = splice(l, { from: i, to: i + 1, text: '', col: 0 }); i++; continue; }
      i += 2;
      continue;
    }
    if (!quote && (ch === '#' || ch === '!')) { l = slice(l, 0, i); break; }
    i++;
  }
  const end = l.text.replace(/[ \t]+$/, '').length;
  const trimmed = slice(l, 0, end);
  if (!cont) return trimmed;
  const col = (input.cols[input.text.lastIndexOf('\\')] ?? 0);
  return { ...trimmed, text: `${trimmed.text}\\`, cols: [...trimmed.cols, col] };
}

/** A parameter: its value's lines (one unless multiline), or a pre-defined function. */
export type Definition =
  | {
    readonly kind: 'text'; readonly lines: readonly string[]; readonly multiline: boolean; readonly at: Loc;
    /** Where each line of a multiline value was written: its lines after the first keep their own place. */
    readonly sources?: readonly Located[];
  }
  | { readonly kind: 'pwd' | 'instance' | 'random' };

export type Definitions = Map<string, Definition>;

/** The pre-defined parameters of keepalived 2.2.7 (set_std_definitions). */
export function standardDefinitions(at: Loc): Definitions {
  return new Map<string, Definition>([
    ['_PWD', { kind: 'pwd' }],
    ['_INSTANCE', { kind: 'instance' }],
    ['_RANDOM', { kind: 'random' }],
    ['_HASH', { kind: 'text', lines: ['#'], multiline: false, at }],
    ['_BANG', { kind: 'text', lines: ['!'], multiline: false, at }],
  ]);
}

export interface DefinitionLine {
  readonly name: string;
  /** The value after `=` and its blanks; for a multiline one, without the final `\` and the blanks before it. */
  readonly first: string;
  readonly continues: boolean;
}

/** check_definition(): `$NAME=VALUE` (a line already decommented), or undefined when the line is not one. */
export function parseDefinition(text: string): DefinitionLine | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*(.*)$/.exec(text);
  if (m === null) return undefined;
  const value = m[2] ?? '';
  if (!value.endsWith('\\')) return { name: m[1] ?? '', first: value, continues: false };
  return { name: m[1] ?? '', first: value.slice(0, -1).replace(/[ \t]+$/, ''), continues: true };
}

/** What a line's substitution produced: the line, and the further lines of a multiline definition, in order. */
export interface Replaced {
  readonly line: Located;
  readonly changed: boolean;
  /** Lines that follow (from multiline definitions), located at the reference. */
  readonly following: readonly Located[];
  /** Substitution failed (reported: it did not end, or `${_RANDOM}`): the line is dropped, so its words do not echo the problem. */
  readonly dropped?: true;
}

export interface ReplaceContext {
  readonly defs: Definitions;
  readonly configId: string;
  /** The directory of the file being read (for `${_PWD}`). */
  readonly pwd: string;
  readonly diagnostics: Diagnostic[];
}

/** Bound on replacements in one line: a definition that refers to itself never ends in keepalived. */
const MAX_REPLACEMENTS = 1000;

interface Reference { readonly def: Definition; readonly end: number; readonly params: boolean }

/** find_definition() for the reference starting at the `$` at index `i`. */
function reference(text: string, i: number, defs: Definitions): Reference | undefined {
  const braces = text[i + 1] === '{';
  const m = (braces ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)([ 0-9]*)\}/ : /^\$([A-Za-z_][A-Za-z0-9_]*)(?=[ \t,)]|$)/).exec(text.slice(i));
  if (m === null) return undefined;
  const params = (m[2] ?? '') !== '';
  if (params && (/^ +$/.test(m[2] ?? '') || (m[2] ?? '').endsWith(' '))) return undefined;
  const def = defs.get(m[1] ?? '');
  const end = i + m[0].length;
  if (def === undefined || (params && def.kind !== 'random')) return undefined;
  if (def.kind === 'text' && def.multiline && end !== text.length) return undefined;
  return { def, end, params };
}

/** replace_param(): every defined `$NAME` / `${NAME}` of the line replaced, recursively. */
export function replaceParams(input: Located, ctx: ReplaceContext): Replaced {
  let l = input;
  let following: Located[] = [];
  let changed = false;
  let count = 0;
  let i = l.text.indexOf('$');
  while (i >= 0 && i + 1 < l.text.length) {
    const ref = reference(l.text, i, ctx.defs);
    if (ref === undefined) { i = l.text.indexOf('$', i + 1); continue; }
    if (++count > MAX_REPLACEMENTS) {
      ctx.diagnostics.push({ at: locAt(l, i), message: `expected parameter substitution to end, got more than ${MAX_REPLACEMENTS} replacements in one line (a definition that refers to itself?)` });
      return { line: l, changed, following: [], dropped: true };
    }
    const col = l.cols[i] ?? 0;
    const value = valueOf(ref.def, { ctx, at: locAt(l, i) });
    if (value === undefined) return { line: l, changed, following: [], dropped: true };
    const [first = '', ...rest] = value;
    l = splice(l, { from: i, to: ref.end, text: first, col });
    changed = true;
    const sources = ref.def.kind === 'text' ? ref.def.sources : undefined;
    const restLines = rest.map((r, k): Located => sources?.[k + 1] ?? { text: r, cols: r.split('').map(() => col), file: l.file, line: l.line });
    // A later multiline reference's lines come before an earlier one's (keepalived's multiline stack).
    following = [...restLines, ...following];
    if (first.trimStart().startsWith('~')) break;
    i = l.text.indexOf('$', i);
  }
  return { line: l, changed, following };
}

function valueOf(def: Definition, o: { ctx: ReplaceContext; at: Loc }): readonly string[] | undefined {
  switch (def.kind) {
    case 'text': return def.lines;
    case 'pwd': return [o.ctx.pwd];
    case 'instance': return [o.ctx.configId];
    case 'random':
      o.ctx.diagnostics.push({ at: o.at, message: "keepalived's ${_RANDOM} is not supported by lvsd: a configuration must mean the same on every read (write the number)" });
      return undefined;
    default: {
      const never: never = def;
      throw new Error(`unknown definition ${JSON.stringify(never)}`);
    }
  }
}
