/**
 * ldirectord.cf line reading, step 1 of 3 (lines → blocks → directives): the physical lines
 * with the facts ldirectord 4.12's read_config decides on, without deciding anything yet.
 *
 * ldirectord reads a line at a time with regexes: a global line is matched from column 0; a
 * line inside a `virtual=` block first has everything from the first `#` removed (quotes or
 * not), then every tab replaced by exactly 4 spaces (not to the next tab stop), and belongs
 * to the block only if it then starts with at least 4 spaces followed by something.
 * Values run to the end of the line, so a DOS line end leaves a CR in every value: we drop
 * the CR here and warn once (README.md, "Lenient reading").
 */
import type { Loc } from '../../model/index.js';

export interface PhysicalLine {
  readonly line: number;
  /** The line without its line end (and without a CR before it). */
  readonly raw: string;
  /** raw had a CR before the LF (or a lone CR at the end of the file). */
  readonly cr: boolean;
}

/** A line as ldirectord sees it inside a block: cut at '#', tabs as 4 spaces. */
export interface BlockView {
  /** After the cut and the tab expansion. */
  readonly text: string;
  /** Leading spaces of text (4 or more: a block line for ldirectord). */
  readonly indent: number;
  /** Non-space content remains after the cut. */
  readonly hasContent: boolean;
  /** The same line without the '#' cut (tabs expanded), when a '#' was cut. */
  readonly uncut?: string;
  /** Column (1-based) in raw of offset i of text or uncut. */
  readonly rawCol: (i: number) => number;
}

export function splitLines(text: string): PhysicalLine[] {
  const parts = text.split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => {
    const cr = p.endsWith('\r');
    return { line: i + 1, raw: cr ? p.slice(0, -1) : p, cr };
  });
}

/** ldirectord `m/^\s*#/`: a comment line, skipped everywhere (inside a block it does not end the block). */
export function isCommentLine(raw: string): boolean {
  return /^\s*#/.test(raw);
}

/** Blank for ldirectord's global reader (`/^\s*$/`). */
export function isBlank(raw: string): boolean {
  return /^\s*$/.test(raw);
}

/** Tabs to exactly 4 spaces, with a map from expanded offsets back to raw columns. */
function expandTabs(raw: string): { text: string; cols: number[] } {
  let text = '';
  const cols: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    const piece = c === '\t' ? '    ' : c;
    for (let k = 0; k < piece.length; k++) cols.push(i + 1);
    text += piece;
  }
  return { text, cols };
}

export function blockView(raw: string): BlockView {
  const hash = raw.indexOf('#');
  const full = expandTabs(raw);
  const cut = hash < 0 ? full : expandTabs(raw.slice(0, hash));
  const indent = /^ */.exec(cut.text)?.[0].length ?? 0;
  const rawCol = (i: number): number => full.cols[i] ?? raw.length + 1;
  return {
    text: cut.text,
    indent,
    hasContent: /\S/.test(cut.text),
    ...(hash >= 0 ? { uncut: full.text } : {}),
    rawCol,
  };
}

/** Location helper: line and 1-based column. */
export function loc(file: string, line: number, col: number): Loc {
  return { file, line, col };
}
