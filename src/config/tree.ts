/**
 * Block structure: tokens → statements with brace blocks, matched before any keyword is
 * interpreted, so a misspelt keyword cannot swallow or close a block (the keepalived pitfall
 * in STYLE.md §1). Pure; never throws.
 *
 * A statement is the words up to the end of a line (or `;`). A `{` opens the block of the
 * statement it follows, on the same line or alone on the next line (keepalived accepts both).
 */
import type { Diagnostic, Loc } from '../model/types.js';
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

export interface TreeResult {
  readonly body: readonly Stmt[];
  readonly diagnostics: readonly Diagnostic[];
}

interface MutableStmt {
  keyword: Word;
  args: Word[];
  block?: { open: Loc; body: MutableStmt[] };
  at: Loc;
}

interface Frame {
  readonly body: MutableStmt[];
  readonly open?: Loc;
  readonly owner?: MutableStmt;
}

export function buildTree(tokens: readonly Token[]): TreeResult {
  const diagnostics: Diagnostic[] = [];
  const stack: Frame[] = [{ body: [] }];
  let words: Word[] = [];
  let last: MutableStmt | undefined;
  const top = (): Frame => stack[stack.length - 1] ?? { body: [] };
  const flush = (): void => {
    const [keyword, ...args] = words;
    words = [];
    if (keyword === undefined) return;
    last = { keyword, args, at: keyword.at };
    top().body.push(last);
  };
  for (const t of tokens) {
    switch (t.kind) {
      case 'word':
        words.push(t.word);
        break;
      case 'end':
        flush();
        break;
      case 'open': {
        const sameLine = words.length > 0;
        flush();
        const owner = sameLine || (last !== undefined && last.block === undefined) ? last : undefined;
        if (owner === undefined || owner.block !== undefined) {
          diagnostics.push({ at: t.at, message: 'expected a keyword before "{", got a block with no keyword' });
        }
        const body: MutableStmt[] = [];
        if (owner !== undefined && owner.block === undefined) owner.block = { open: t.at, body };
        stack.push({ body, open: t.at, ...(owner ? { owner } : {}) });
        last = undefined;
        break;
      }
      case 'close': {
        flush();
        if (stack.length === 1) {
          diagnostics.push({ at: t.at, message: 'expected a statement or the end of the file, got "}" with no open block' });
          break;
        }
        last = stack.pop()?.owner;
        break;
      }
      default: {
        const never: never = t;
        throw new Error(`unknown token ${JSON.stringify(never)}`);
      }
    }
  }
  flush();
  for (const frame of stack.slice(1)) {
    const what = frame.owner ? `the block of "${frame.owner.keyword.text}"` : 'this block';
    diagnostics.push({ at: frame.open ?? { file: '', line: 0 }, message: `expected "}" to close ${what} opened here, got the end of the file` });
  }
  return { body: stack[0]?.body ?? [], diagnostics };
}

/** Every word of a value block ({ a b \n c }) in order: keywords and arguments alike. */
export function blockWords(block: Block): Word[] {
  return block.body.flatMap((s) => [s.keyword, ...s.args]);
}
