/**
 * Reading a file into statements, with `include` expanded in place (keepalived semantics:
 * the path is relative to the including file's directory; `*`, `?` and `[...]` wildcards
 * match in sorted order). Each included file is lexed and brace-matched on its own, so its
 * locations are its own and a missing `}` is reported in the file that misses it.
 *
 * keepalived.conf is first read as keepalived reads lines (line-reader.ts: conditional lines,
 * parameter substitution, sequences), and `include` is a line of that language: the included
 * file is read where the line is, so definitions made before it apply in it and those made in
 * it apply after it.
 *
 * Differences from keepalived, deliberate: a missing literal include is an error (keepalived's
 * plain `include` skips it silently); a wildcard matching nothing is not (but is for
 * `includew` and `includea`, as in keepalived); an include cycle is an error; csh `{a,b}`
 * alternatives are not supported; braces must balance within each file.
 */
import { posix } from 'node:path';
import type { Diagnostic, Loc } from '../model/index.js';
import { KEEPALIVED_LINE_LEX, lex, lexLocated, type LexOptions } from './lex.js';
import { type IncludeLine, readLines } from './line-reader.js';
import { type Definitions, standardDefinitions } from './substitution.js';
import { buildTree, type Stmt, type TreeInput } from './tree.js';

/** Injected file reader; throws a Node-style error (with `code`, e.g. ENOENT) on failure. */
export type ReadFile = (path: string) => string;
/** Injected directory lister (names only); needed only for wildcard includes. */
export type ListDir = (dir: string) => readonly string[];

export interface SourceReader {
  readonly readFile: ReadFile;
  readonly listDir?: ListDir;
}

export interface ParsedFile {
  readonly body: readonly Stmt[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Where braces failed to balance (an unclosed block's "{", a stray "}"), in any file: what the
   * interpreter reports after such a place in its file may only be the mismatch's echo.
   */
  readonly braceProblems: readonly Loc[];
}

/** keepalived.conf's line language: the config id for `@ID` lines and `${_INSTANCE}`; the working directory for `${_PWD}` of relative paths. */
export interface KeepalivedLanguage {
  readonly configId: string;
  readonly cwd: string;
}

interface Ctx {
  readonly lexOptions: LexOptions;
  /** Set for keepalived.conf: the line language's definitions, shared by every file in reading order. */
  readonly keepalived?: KeepalivedLanguage & { readonly defs: Definitions };
  readonly reader: SourceReader;
  readonly stack: readonly string[];
  readonly diagnostics: Diagnostic[];
  readonly braceProblems: Loc[];
}

const MAX_INCLUDE_DEPTH = 16;

export function parseFile(o: { path: string; text: string; lexOptions: LexOptions; reader: SourceReader; keepalived?: KeepalivedLanguage }): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const braceProblems: Loc[] = [];
  const keepalived = o.keepalived ? { ...o.keepalived, defs: standardDefinitions({ file: o.path, line: 0 }) } : undefined;
  const body = parseOne(o.path, o.text, { lexOptions: o.lexOptions, reader: o.reader, stack: [], diagnostics, braceProblems, ...(keepalived ? { keepalived } : {}) });
  return { body, diagnostics, braceProblems };
}

function parseOne(path: string, text: string, ctx: Ctx): Stmt[] {
  if (ctx.keepalived !== undefined) return parseKeepalivedOne(path, text, { ...ctx, keepalived: ctx.keepalived });
  const lexed = lex(path, text, ctx.lexOptions);
  const tree = buildTree(lexed.tokens);
  ctx.diagnostics.push(...lexed.diagnostics, ...tree.diagnostics);
  ctx.braceProblems.push(...tree.diagnostics.map((d) => d.at));
  const inner: Ctx = { ...ctx, stack: [...ctx.stack, path] };
  return expand(tree.body, path, inner);
}

function expand(body: readonly Stmt[], path: string, ctx: Ctx): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) {
    if (s.keyword.text !== 'include' || s.keyword.quoted) {
      out.push(s.block ? { ...s, block: { ...s.block, body: expand(s.block.body, path, ctx) } } : s);
      continue;
    }
    const [target, ...extra] = s.args;
    if (target === undefined || extra.length > 0 || s.block) {
      ctx.diagnostics.push({ at: s.at, message: `expected "include PATH" with one path and no block, got ${s.args.length} arguments` });
      continue;
    }
    // Relative to the including file (never to a working directory: this file is pure).
    const resolved = posix.normalize(posix.isAbsolute(target.text) ? target.text : posix.join(posix.dirname(path), target.text));
    for (const file of matchInclude(resolved, target.at, ctx)) out.push(...includeOne(file, target.at, ctx));
  }
  return out;
}

/**
 * One keepalived file: its logical lines (includes read in place), then tokens and blocks.
 */
function parseKeepalivedOne(path: string, text: string, ctx: Ctx & { keepalived: KeepalivedLanguage & { defs: Definitions } }): Stmt[] {
  const inner: Ctx = { ...ctx, stack: [...ctx.stack, path] };
  const pwd = posix.resolve(ctx.keepalived.cwd, posix.dirname(path));
  const pieces = readLines<Stmt[]>({ path, text, pwd }, {
    defs: ctx.keepalived.defs, configId: ctx.keepalived.configId, diagnostics: ctx.diagnostics,
    include: (line) => includeLine(line, path, inner),
  });
  const input: TreeInput[] = [];
  const lexDiagnostics: Diagnostic[] = [];
  for (const p of pieces) {
    if (p.kind === 'include') { input.push({ kind: 'splice', body: p.result }); continue; }
    const lexed = lexLocated([p.line], KEEPALIVED_LINE_LEX);
    input.push(...lexed.tokens);
    lexDiagnostics.push(...lexed.diagnostics);
  }
  const tree = buildTree(input);
  ctx.diagnostics.push(...lexDiagnostics, ...tree.diagnostics);
  ctx.braceProblems.push(...tree.diagnostics.map((d) => d.at));
  return [...tree.body];
}

function includeLine(line: IncludeLine, path: string, ctx: Ctx): Stmt[] {
  const resolved = posix.normalize(posix.isAbsolute(line.path) ? line.path : posix.join(posix.dirname(path), line.path));
  const files = matchInclude(resolved, line.at, ctx);
  if (files.length === 0 && line.mustMatch) ctx.diagnostics.push({ at: line.at, message: `expected "${line.path}" to match a file (includew, includea), got none` });
  return files.flatMap((file) => includeOne(file, line.at, ctx));
}

function includeOne(file: string, at: Loc, ctx: Ctx): Stmt[] {
  if (ctx.stack.includes(file)) {
    ctx.diagnostics.push({ at, message: `expected an include chain without cycles, got "${file}" including itself` });
    return [];
  }
  if (ctx.stack.length > MAX_INCLUDE_DEPTH) {
    ctx.diagnostics.push({ at, message: `expected includes nested at most ${MAX_INCLUDE_DEPTH} deep, got deeper at "${file}"` });
    return [];
  }
  let text: string;
  try {
    text = ctx.reader.readFile(file);
  } catch (e) {
    ctx.diagnostics.push({ at, message: `cannot read included file "${file}": ${describeError(e)}` });
    return [];
  }
  return parseOne(file, text, ctx);
}

const WILDCARD = /[*?[]/;

function matchInclude(pattern: string, at: Loc, ctx: Ctx): string[] {
  if (!WILDCARD.test(pattern)) return [pattern];
  const listDir = ctx.reader.listDir;
  if (listDir === undefined) {
    ctx.diagnostics.push({ at, message: `expected a plain path (wildcards need a directory lister, none given), got "${pattern}"` });
    return [];
  }
  let candidates = [pattern.startsWith('/') ? '/' : '.'];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    if (!WILDCARD.test(part)) {
      candidates = candidates.map((c) => posix.join(c, part));
      continue;
    }
    const re = globToRegExp(part);
    candidates = candidates.flatMap((dir) => listOrEmpty(listDir, dir).filter((n) => re.test(n)).sort().map((n) => posix.join(dir, n)));
  }
  return candidates;
}

/** A directory that cannot be listed matches nothing, as glob(3) without GLOB_ERR. */
function listOrEmpty(listDir: ListDir, dir: string): readonly string[] {
  try {
    return listDir(dir);
  } catch (e) {
    if (describeError(e).startsWith('E')) return [];
    throw e;
  }
}

function globToRegExp(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] ?? '';
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = part.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      re += `[${part.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // glob(3): a leading '.' is matched only explicitly
  return new RegExp(part.startsWith('.') ? `^${re}$` : `^(?!\\.)${re}$`);
}

/** "ENOENT (no such file or directory)" from a Node system error; the message otherwise. */
export function describeError(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') {
    const meaning: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'not a directory',
    };
    return `${e.code} (${meaning[e.code] ?? 'system error'})`;
  }
  return e instanceof Error ? e.message : String(e);
}
