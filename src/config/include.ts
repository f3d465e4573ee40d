/**
 * Reading a file into statements, with `include` expanded in place (keepalived semantics:
 * the path is relative to the including file's directory; `*`, `?` and `[...]` wildcards
 * match in sorted order). Each included file is lexed and brace-matched on its own, so its
 * locations are its own and a missing `}` is reported in the file that misses it.
 *
 * Differences from keepalived, deliberate: a missing literal include is an error (keepalived's
 * plain `include` skips it silently); a wildcard matching nothing is not; an include cycle is
 * an error; csh `{a,b}` alternatives are not supported.
 */
import { posix } from 'node:path';
import type { Diagnostic, Loc } from '../model/index.js';
import { lex, type LexOptions } from './lex.js';
import { buildTree, type Stmt } from './tree.js';

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
  /** False when some file had unbalanced braces or an unterminated string: interpreting would only cascade. */
  readonly wellFormed: boolean;
}

interface Ctx {
  readonly lexOptions: LexOptions;
  readonly reader: SourceReader;
  readonly stack: readonly string[];
  readonly diagnostics: Diagnostic[];
  readonly malformed: { count: number };
}

const MAX_INCLUDE_DEPTH = 16;

export function parseFile(o: { path: string; text: string; lexOptions: LexOptions; reader: SourceReader }): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const malformed = { count: 0 };
  const body = parseOne(o.path, o.text, { lexOptions: o.lexOptions, reader: o.reader, stack: [], diagnostics, malformed });
  return { body, diagnostics, wellFormed: malformed.count === 0 };
}

function parseOne(path: string, text: string, ctx: Ctx): Stmt[] {
  const lexed = lex(path, text, ctx.lexOptions);
  const tree = buildTree(lexed.tokens);
  ctx.diagnostics.push(...lexed.diagnostics, ...tree.diagnostics);
  ctx.malformed.count += lexed.diagnostics.length + tree.diagnostics.length;
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
