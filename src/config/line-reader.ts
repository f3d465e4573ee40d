/**
 * keepalived.conf's line language, before any keyword is read (keepalived 2.2.7 lib/parser.c
 * read_line; keepalived.conf(5) "Conditional configuration and configuration id", "Parameter
 * substitution", "Sequence blocks", "List blocks"). Pure: text in, logical lines out, each
 * character located in its source line.
 *
 * Per source line, in keepalived's order: comments go (substitution.ts decomment); a line
 * `@ID rest` keeps `rest` only when ID is the config id, `@^ID rest` only when it is not (a
 * line with nothing after the id is dropped); `$NAME=VALUE` defines (a final `\` continues the
 * value on the next lines until one without it or a blank line); `~SEQ(VAR, START, STEP, END)`,
 * `~SEQx(...)` and `~LST(VAR, V1, V2...)` / `~LST({A, B}, {a1, b1}, ...)` repeat the rest of
 * the line with VAR defined; `$NAME` / `${NAME}` are replaced, and the result is checked
 * again from the `@` step when it starts with `@` or still has a `$`. A line left empty is
 * dropped; `include` and its variants (`includer`, `includem`, `includew`, `includeb`,
 * `includea`) read the named files at that point, so definitions flow through included files
 * in reading order as in keepalived.
 */
import type { Diagnostic, Loc } from '../model/index.js';
import { parseSequence } from './sequence.js';
import { decomment, type Definitions, type Located, located, locAt, parseDefinition, replaceParams, type ReplaceContext, trimStartBlanks } from './substitution.js';

/** An `include` line: the path as written, where, and whether a wildcard must match something (includew, includea). */
export interface IncludeLine {
  readonly path: string;
  readonly at: Loc;
  readonly mustMatch: boolean;
}

export type Piece<T> = { readonly kind: 'line'; readonly line: Located } | { readonly kind: 'include'; readonly result: T };

export interface LineContext<T> {
  readonly defs: Definitions;
  readonly configId: string;
  readonly diagnostics: Diagnostic[];
  /** Reads an included file now (so definitions keep their order); its result is kept in place. */
  readonly include: (line: IncludeLine) => T;
}

interface FileState<T> {
  readonly ctx: LineContext<T>;
  readonly replace: ReplaceContext;
  readonly out: Piece<T>[];
  /** A multiline definition being read: its name and lines so far. */
  collecting: { readonly name: string; readonly lines: Located[]; readonly at: Loc } | undefined;
}

/** Nesting bound for lines made by lines (multiline definitions, sequences): a self-reference would not end. */
const MAX_DEPTH = 64;

/** Logical lines of one file; `pwd` is its directory (for `${_PWD}`). */
export function readLines<T>(o: { path: string; text: string; pwd: string }, ctx: LineContext<T>): Piece<T>[] {
  const st: FileState<T> = {
    ctx, out: [], collecting: undefined,
    replace: { defs: ctx.defs, configId: ctx.configId, pwd: o.pwd, diagnostics: ctx.diagnostics },
  };
  o.text.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\r+$/, '');
    if (text === '') { endDefinition(st); return; }
    const l = decomment(located(text, o.path, index + 1));
    if (l.text === '') return;
    if (st.collecting !== undefined) continueDefinition(st, l);
    else processLine(st, l, 0);
  });
  endDefinition(st);
  return st.out;
}

function continueDefinition<T>(st: FileState<T>, l: Located): void {
  const c = st.collecting;
  if (c === undefined) return;
  const continues = l.text.endsWith('\\');
  const content = continues ? l.text.slice(0, -1).replace(/[ \t]+$/, '') : l.text;
  if (content !== '') c.lines.push({ ...l, text: content, cols: l.cols.slice(0, content.length) });
  if (!continues) endDefinition(st);
}

function endDefinition<T>(st: FileState<T>): void {
  const c = st.collecting;
  if (c === undefined) return;
  st.collecting = undefined;
  const lines = c.lines.map((l) => l.text);
  st.ctx.defs.set(c.name, { kind: 'text', lines: lines.length > 0 ? lines : [''], multiline: lines.length > 0, at: c.at, sources: c.lines });
}

function processLine<T>(st: FileState<T>, input: Located, depth: number): void {
  if (depth > MAX_DEPTH) {
    st.ctx.diagnostics.push({ at: locAt(input, 0), message: `expected parameter expansion to end, got lines nested more than ${MAX_DEPTH} deep (a multiline definition or sequence that uses itself?)` });
    return;
  }
  const following: Located[] = [];
  const line = expandLine(st, input, { following, depth });
  if (line !== undefined && line.text !== '') emit(st, line);
  for (const f of following) processLine(st, f, depth + 1);
}

/** The `@` / definition / sequence / substitution loop of read_line; undefined when the line is consumed. */
function expandLine<T>(st: FileState<T>, input: Located, o: { following: Located[]; depth: number }): Located | undefined {
  let line = input;
  for (;;) {
    if (line.text.startsWith('@')) {
      const kept = conditional(line, st.ctx.configId);
      if (kept === undefined) return undefined;
      line = kept;
    }
    if (line.text.startsWith('$') && define(st, line)) return undefined;
    if (/^~(SEQ|LST)/.test(line.text)) {
      sequence(st, line, o.depth);
      return undefined;
    }
    if (line.text.startsWith('~') || !line.text.includes('$')) return line;
    const r = replaceParams(line, st.replace);
    if (r.dropped === true) return undefined;
    if (!r.changed) return line;
    o.following.unshift(...r.following);
    line = decomment(r.line);
    if (!line.text.startsWith('@') && !line.text.includes('$')) return line;
  }
}

/** `@ID rest` / `@^ID rest`: the rest when the line applies to this config id, else undefined. */
function conditional(line: Located, configId: string): Located | undefined {
  const negated = line.text[1] === '^';
  const from = negated ? 2 : 1;
  const blank = line.text.slice(from).search(/[ \t]/);
  if (blank < 0) return undefined;
  const id = line.text.slice(from, from + blank);
  if ((id === configId) === negated) return undefined;
  return trimStartBlanks({ ...line, text: line.text.slice(from + blank), cols: line.cols.slice(from + blank) });
}

function define<T>(st: FileState<T>, line: Located): boolean {
  const d = parseDefinition(line.text);
  if (d === undefined) return false;
  const at = locAt(line, 0);
  if (d.continues) {
    st.collecting = { name: d.name, lines: d.first === '' ? [] : [located(d.first, line.file, line.line)], at };
    return true;
  }
  st.ctx.defs.set(d.name, { kind: 'text', lines: [d.first], multiline: false, at });
  return true;
}

function sequence<T>(st: FileState<T>, line: Located, depth: number): void {
  const seq = parseSequence(line.text, (params) => replaceParams({ ...line, text: params, cols: params.split('').map(() => line.cols[0] ?? 1) }, st.replace).line.text);
  if (!seq.ok) {
    st.ctx.diagnostics.push({ at: locAt(line, 0), message: seq.error });
    return;
  }
  const rest: Located = { ...line, text: line.text.slice(seq.value.restFrom), cols: line.cols.slice(seq.value.restFrom) };
  for (const values of seq.value.rounds) {
    for (const [name, value] of values) st.ctx.defs.set(name, { kind: 'text', lines: [value], multiline: false, at: locAt(line, 0) });
    processLine(st, rest, depth + 1);
  }
}

const INCLUDE = /^include([rmwba]?)[ \t]+(.*)$/;

function emit<T>(st: FileState<T>, line: Located): void {
  const m = INCLUDE.exec(line.text);
  if (m === null) {
    st.out.push({ kind: 'line', line });
    return;
  }
  const raw = m[2] ?? '';
  const from = line.text.length - raw.length;
  const path = /^"[^"]*"$/.test(raw) ? raw.slice(1, -1) : raw;
  const at = locAt(line, from);
  if (path === '' || /^(?:"[^"]*"|[^ \t"]+)$/.test(raw) === false) {
    st.ctx.diagnostics.push({ at, message: `expected "include PATH" with one path, got "${raw}"` });
    return;
  }
  const variant = m[1] ?? '';
  st.out.push({ kind: 'include', result: st.ctx.include({ path, at, mustMatch: variant === 'w' || variant === 'a' }) });
}
