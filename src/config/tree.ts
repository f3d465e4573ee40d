/**
 * Block structure: tokens → statements with brace blocks, matched before any keyword is
 * interpreted, so a misspelt keyword cannot swallow or close a block (the pitfall of keepalived
 * 2.2.7's lib/parser.c; docs/design.md "Configuration"). Pure; never throws.
 *
 * A statement is the words up to the end of a line (or `;`). A `{` opens the block of the
 * statement it follows, on the same line or alone on the next line (keepalived accepts both).
 */
import type { Diagnostic, Loc } from '../model/index.js';
import type { Token, Word } from './lex.js';

export interface Block {
  readonly open: Loc;
  readonly body: readonly Stmt[];
}

export interface Stmt {
  readonly keyword: Word;
  readonly args: readonly Word[];
  readonly block?: Block;
  readonly at: Loc;
}

/** What the tree is built from: tokens, and statements read elsewhere (an included file) spliced in place. */
export type TreeInput = Token | { readonly kind: 'splice'; readonly body: readonly Stmt[] };

export interface TreeResult {
  readonly body: readonly Stmt[];
  readonly diagnostics: readonly Diagnostic[];
}

interface MutableStmt {
  keyword: Word;
  args: Word[];
  block?: { open: Loc; body: Array<MutableStmt | Stmt> };
  at: Loc;
}

interface Frame {
  readonly body: Array<MutableStmt | Stmt>;
  readonly open?: Loc;
  readonly owner?: MutableStmt;
}

interface State {
  readonly diagnostics: Diagnostic[];
  readonly stack: Frame[];
  words: Word[];
  /** The last statement completed in the current block: a "{" on the next line opens its block. */
  last: MutableStmt | undefined;
}

function top(st: State): Frame {
  return st.stack[st.stack.length - 1] ?? { body: [] };
}

function flush(st: State): void {
  const [keyword, ...args] = st.words;
  st.words = [];
  if (keyword === undefined) return;
  st.last = { keyword, args, at: keyword.at };
  top(st).body.push(st.last);
}

function open(st: State, at: Loc): void {
  const sameLine = st.words.length > 0;
  flush(st);
  const owner = sameLine || st.last?.block === undefined ? st.last : undefined;
  if (owner === undefined || owner.block !== undefined) {
    st.diagnostics.push({ at, message: 'expected a keyword before "{", got a block with no keyword' });
  }
  const body: Array<MutableStmt | Stmt> = [];
  if (owner !== undefined && owner.block === undefined) owner.block = { open: at, body };
  st.stack.push({ body, open: at, ...(owner ? { owner } : {}) });
  st.last = undefined;
}

function close(st: State, at: Loc): void {
  flush(st);
  if (st.stack.length === 1) {
    st.diagnostics.push({ at, message: 'expected a statement or the end of the file, got "}" with no open block' });
    return;
  }
  st.last = st.stack.pop()?.owner;
}

function splice(st: State, body: readonly Stmt[]): void {
  flush(st);
  top(st).body.push(...body);
  st.last = undefined;
}

export function buildTree(tokens: readonly TreeInput[]): TreeResult {
  const st: State = { diagnostics: [], stack: [{ body: [] }], words: [], last: undefined };
  for (const t of tokens) {
    switch (t.kind) {
      case 'word': st.words.push(t.word); break;
      case 'end': flush(st); break;
      case 'open': open(st, t.at); break;
      case 'close': close(st, t.at); break;
      case 'splice': splice(st, t.body); break;
      default: {
        const never: never = t;
        throw new Error(`unknown token ${JSON.stringify(never)}`);
      }
    }
  }
  flush(st);
  for (const frame of st.stack.slice(1)) {
    const what = frame.owner ? `the block of "${frame.owner.keyword.text}"` : 'this block';
    st.diagnostics.push({ at: frame.open ?? { file: '', line: 0 }, message: `expected "}" to close ${what} opened here, got the end of the file` });
  }
  return { body: st.stack[0]?.body ?? [], diagnostics: st.diagnostics };
}

/** Every word of a value block ({ a b \n c }) in order: keywords and arguments alike. */
export function blockWords(block: Block): Word[] {
  return block.body.flatMap((s) => [s.keyword, ...s.args]);
}
