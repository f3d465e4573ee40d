/**
 * ldirectord.cf step 2 of 3: physical lines → global directives and virtual blocks, with
 * ldirectord 4.12's line rules (lines.ts) and lvsd's lenient reading of the layouts where
 * ldirectord is merely fragile. Each lenient reading is a warning that says what ldirectord
 * would have done; `--strict` turns the warnings into errors.
 *
 * ldirectord: a `virtual=` line at column 0 starts a block; the block runs while lines are
 * comments or indented by at least 4 columns (tab = 4); the first other line ends it and is
 * read again as a global line, where only column-0 directives, blank lines and comments are
 * allowed. lvsd also continues the last block with (each warned):
 *  - an indented line after blank lines inside the block (ldirectord: "Unknown command");
 *  - a line indented by 1-3 columns, or at column 0 when it is a block-only directive;
 * and reads a global directive indented by mistake as a global.
 */
import type { Diagnostic, Loc } from '../../model/index.js';
import { allowedAtTop, allowedInBlock } from './keywords.js';
import { blockView, isBlank, isCommentLine, splitLines, type PhysicalLine } from './lines.js';

/** Another reading of a value, tried when ldirectord's own reading is refused. */
export interface Alternative {
  readonly value: string;
  /** Why ldirectord refuses the line, for the warning. */
  readonly why: string;
}

export interface Directive {
  readonly name: string;
  /** The value as ldirectord reads it (everything after `name\s*=\s*`). */
  readonly value: string;
  readonly alternatives: readonly Alternative[];
  /** Written as a bare word without "=" (only `supervised` allows that). */
  readonly bare: boolean;
  readonly at: Loc;
  readonly valueAt: Loc;
}

export interface VirtualBlock {
  readonly head: Directive;
  readonly body: Directive[];
}

export interface Layout {
  readonly globals: readonly Directive[];
  readonly blocks: readonly VirtualBlock[];
  readonly warnings: readonly Diagnostic[];
}

interface State {
  readonly file: string;
  readonly globals: Directive[];
  readonly blocks: VirtualBlock[];
  readonly warnings: Diagnostic[];
  /** The block ldirectord is reading now. */
  current?: VirtualBlock;
  /** The block lvsd may still continue leniently (until the next global or virtual line). */
  open?: VirtualBlock;
  /** First blank line since open's last line. */
  blankAt?: number;
}

const HEAD = /^([^\s=]+)(\s*=\s*)?/;

/** `name = value` from a line's content starting at offset `from` (a column-0 or indented statement). */
function directive(o: { file: string; line: number; content: string; from: number; col: (i: number) => number; uncut?: string; scopeBlock: boolean }): Directive {
  const head = HEAD.exec(o.content.slice(o.from));
  const name = head?.[1] ?? '';
  const eq = head?.[2];
  const start = o.from + (head?.[0].length ?? 0);
  const value = eq === undefined ? o.content.slice(o.from + name.length) : o.content.slice(start);
  const alternatives: Alternative[] = [];
  const add = (v: string, why: string): void => {
    if (v !== value && !alternatives.some((a) => a.value === v)) alternatives.push({ value: v, why });
  };
  const trailing = 'ldirectord keeps trailing spaces (also those before a comment) in the value';
  if (o.scopeBlock) add(value.replace(/\s+$/, ''), trailing);
  if (o.scopeBlock && o.uncut !== undefined) {
    const whole = o.uncut.slice(start);
    const why = 'ldirectord cuts a line inside a virtual block at the first "#", even inside quotes';
    add(whole, why);
    add(whole.replace(/\s+#[^"]*$/, ''), why);
  }
  if (!o.scopeBlock) add(value.replace(/\s*#.*$/, ''), 'ldirectord allows no comment after a global directive');
  add(value.replace(/\s+$/, ''), trailing);
  return {
    name,
    value,
    alternatives,
    bare: eq === undefined,
    at: { file: o.file, line: o.line, col: o.col(o.from) },
    valueAt: { file: o.file, line: o.line, col: o.col(eq === undefined ? o.from + name.length : start) },
  };
}

function blockDirective(s: State, l: PhysicalLine): Directive {
  const v = blockView(l.raw);
  const from = v.text.length - v.text.trimStart().length;
  const d = directive({ file: s.file, line: l.line, content: v.text, from, col: v.rawCol, ...(v.uncut !== undefined ? { uncut: v.uncut } : {}), scopeBlock: true });
  // ldirectord expands every tab of a block line, values included (receive="a<TAB>b" is "a    b").
  if (/\t/.test(l.raw.slice((d.valueAt.col ?? 1) - 1).replace(/#.*/, '').trimEnd())) {
    warn(s, l.line, d.valueAt.col ?? 1, `the tabs in the value of ${d.name} are read as 4 spaces each, as ldirectord reads them`);
  }
  return d;
}

function globalDirective(s: State, l: PhysicalLine): Directive {
  const from = l.raw.length - l.raw.trimStart().length;
  return directive({ file: s.file, line: l.line, content: l.raw, from, col: (i) => i + 1, scopeBlock: false });
}

function warn(s: State, line: number, col: number, message: string): void {
  s.warnings.push({ at: { file: s.file, line, col }, message });
}

function startBlock(s: State, head: Directive): void {
  const b: VirtualBlock = { head, body: [] };
  s.blocks.push(b);
  s.current = b;
  s.open = b;
  s.blankAt = undefined;
}

/** A line ldirectord reads inside the block it is reading. */
function inBlock(s: State, l: PhysicalLine, block: VirtualBlock): boolean {
  const v = blockView(l.raw);
  if (v.hasContent && v.indent >= 4) {
    block.body.push(blockDirective(s, l));
    return true;
  }
  if (!v.hasContent && v.text.length > 4) {
    warn(s, l.line, 1, 'expected a blank line or a directive, got a line of only spaces wider than 4 columns: ldirectord rejects it ("Unknown command"); lvsd reads it as blank');
    s.current = undefined;
    s.blankAt ??= l.line;
    return true;
  }
  return false;
}

/** A line that ends ldirectord's block (or comes after globals), read at the top level. */
function topLine(s: State, l: PhysicalLine): void {
  if (isBlank(l.raw)) {
    if (s.open !== undefined) s.blankAt ??= l.line;
    return;
  }
  const indented = /^\s/.test(l.raw);
  const d = globalDirective(s, l);
  const name = d.name;
  if (name === 'virtual' || name === 'virtual6') {
    if (indented) warn(s, l.line, d.at.col ?? 1, `expected "${name}=" at column 1, got it indented: ldirectord rejects it ("Unknown command"); lvsd starts the block`);
    startBlock(s, d);
    return;
  }
  const open = s.open;
  const toBlock = open !== undefined && allowedInBlock(name) && (indented || !allowedAtTop(name));
  if (open !== undefined && toBlock) {
    const why = s.blankAt !== undefined
      ? `ldirectord ends the virtual block at the blank line ${s.blankAt} and rejects this line ("Unknown command")`
      : indented ? 'ldirectord needs 4 columns of indentation (a tab or 4 spaces) inside a virtual block and rejects this line ("Unknown command")'
        : `"${name}" belongs inside a virtual block and ldirectord rejects it at column 1 ("Unknown command")`;
    warn(s, l.line, d.at.col ?? 1, `expected this line inside the virtual block of line ${open.head.at.line}, got it outside: ${why}; lvsd reads it as part of that block`);
    open.body.push(blockDirective(s, l));
    s.current = open;
    s.blankAt = undefined;
    return;
  }
  if (indented && allowedAtTop(name)) {
    warn(s, l.line, d.at.col ?? 1, `expected global directive "${name}" at column 1, got it indented: ldirectord rejects it ("Unknown command"); lvsd reads it as a global`);
  }
  s.globals.push(d);
  s.open = undefined;
  s.blankAt = undefined;
}

export function readLayout(file: string, text: string): Layout {
  const s: State = { file, globals: [], blocks: [], warnings: [] };
  const lines = splitLines(text);
  const cr = lines.find((l) => l.cr);
  if (cr !== undefined) {
    warn(s, cr.line, cr.raw.length + 1, 'expected Unix line ends, got CR LF: ldirectord keeps the CR in every value (and rejects yes/no values with it); lvsd ignores it');
  }
  for (const l of lines) {
    if (isCommentLine(l.raw)) continue;
    const block = s.current;
    if (block !== undefined && inBlock(s, l, block)) continue;
    s.current = undefined;
    topLine(s, l);
  }
  const last = lines[lines.length - 1];
  const lastBlock = s.blocks[s.blocks.length - 1];
  if (last !== undefined && lastBlock !== undefined && lastBlock.head.at.line === last.line) {
    warn(s, last.line, 1, 'expected something after the last virtual= line, got the end of the file: ldirectord 4.12 then rejects the file ("duplicate virtual server"); lvsd reads an empty block');
  }
  return { globals: s.globals, blocks: s.blocks, warnings: s.warnings };
}
