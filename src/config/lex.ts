/**
 * Lexer shared by the brace-structured front-ends (keepalived.conf and lvsd's native format).
 * Pure: text in, tokens with exact locations out. Never throws.
 *
 * keepalived.conf rules followed (keepalived 2.2.7 lib/parser.c):
 * `#` and `!` start a comment anywhere outside double quotes; `{` and `}` outside quotes are
 * tokens of their own even without surrounding spaces; a double-quoted run is one word with
 * the quotes removed; `\"` and `\\` inside quotes are escapes (see KEEPALIVED_LEX). The
 * native format adds `;` as a statement separator.
 */
import type { Diagnostic, Loc } from '../model/index.js';
import { type Located, located } from './substitution.js';

export interface Word {
  readonly text: string;
  readonly quoted: boolean;
  readonly at: Loc;
  /**
   * The whole source line the word is on (shared, not copied). keepalived re-reads the raw
   * line for script keywords with a different tokenizer (lib/parser.c buf_extern), so the
   * keepalived front-end needs it. After keepalived's parameter substitution this is the line
   * as substituted, not as written.
   */
  readonly line?: string;
  /** Where the word starts in `line` (0-based; the opening quote of a quoted word). */
  readonly offset?: number;
}

export type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'open'; readonly at: Loc }
  | { readonly kind: 'close'; readonly at: Loc }
  /** End of a statement: a newline, or `;` in the native format. */
  | { readonly kind: 'end'; readonly at: Loc };

export interface LexOptions {
  readonly semicolons: boolean;
  readonly bangComments: boolean;
  /** `#` starts a comment (off for keepalived lines whose comments line-reader.ts removed: a `#` left is literal). */
  readonly hashComments: boolean;
  readonly escapes: boolean;
}

/**
 * keepalived's base tokenizer knows no escapes, but it re-reads script keywords with a
 * shell-like one that does (`notify "logger \"a b\""`); honouring \" here keeps such a
 * line one word, whose text script keywords then split into argv.
 */
export const KEEPALIVED_LEX: LexOptions = { semicolons: false, bangComments: true, hashComments: true, escapes: true };
/** keepalived lines after line-reader.ts: comments are gone already (`\#` and `${_HASH}` leave a literal `#`). */
export const KEEPALIVED_LINE_LEX: LexOptions = { semicolons: false, bangComments: false, hashComments: false, escapes: true };
export const NATIVE_LEX: LexOptions = { semicolons: true, bangComments: false, hashComments: true, escapes: true };

export interface LexResult {
  readonly tokens: readonly Token[];
  readonly diagnostics: readonly Diagnostic[];
}

export function lex(file: string, text: string, o: LexOptions): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    lexLine({ src: located(line, file, index + 1), text: line, o, tokens, diagnostics });
  });
  return { tokens, diagnostics };
}

/** The tokens of lines that remember where each character came from (line-reader.ts). */
export function lexLocated(lines: readonly Located[], o: LexOptions): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const src of lines) lexLine({ src, text: src.text, o, tokens, diagnostics });
  return { tokens, diagnostics };
}

interface LineState {
  readonly src: Located;
  readonly text: string;
  readonly o: LexOptions;
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

function isComment(ch: string, o: LexOptions): boolean {
  return (o.hashComments && ch === '#') || (o.bangComments && ch === '!');
}

/** The source location of character `i` of the line (its end when past it). */
function locOf(s: LineState, i: number): Loc {
  const { src } = s;
  const col = src.cols[i] ?? (src.cols.length > 0 ? (src.cols[src.cols.length - 1] ?? 0) + 1 : 1);
  return { file: src.file, line: src.line, col };
}

function isDelimiter(ch: string, o: LexOptions): boolean {
  return ch === ' ' || ch === '\t' || ch === '{' || ch === '}' || (o.semicolons && ch === ';') || isComment(ch, o);
}

function lexLine(s: LineState): void {
  const { text, o } = s;
  const at = (i: number): Loc => locOf(s, i);
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\r') { i++; continue; }
    if (isComment(ch, o)) break;
    if (ch === '{') { s.tokens.push({ kind: 'open', at: at(i) }); i++; continue; }
    if (ch === '}') { s.tokens.push({ kind: 'close', at: at(i) }); i++; continue; }
    if (o.semicolons && ch === ';') { s.tokens.push({ kind: 'end', at: at(i) }); i++; continue; }
    if (ch === '"') { i = lexQuoted(s, i); continue; }
    let j = i;
    while (j < text.length && !isDelimiter(text[j] ?? ' ', o)) j++;
    s.tokens.push({ kind: 'word', word: { text: text.slice(i, j), quoted: false, at: at(i), line: text, offset: i } });
    i = j;
  }
  s.tokens.push({ kind: 'end', at: at(text.length) });
}

/** Lex a double-quoted word starting at `start`; returns the index after it. */
function lexQuoted(s: LineState, start: number): number {
  const { text } = s;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '"') {
      s.tokens.push({ kind: 'word', word: { text: out, quoted: true, at: locOf(s, start), line: s.text, offset: start } });
      return i + 1;
    }
    if (s.o.escapes && ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  s.diagnostics.push({
    at: locOf(s, start),
    message: 'expected a closing \'"\' for the quoted string started here, got the end of the line',
  });
  return text.length;
}
