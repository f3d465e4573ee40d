/**
 * Validation of a model built from a file that already has errors, so that one pass reports
 * every error (a misspelt keyword in one instance and a duplicate virtual_router_id in two
 * others are both named). A block with an error of its own (anywhere inside it, includes
 * spliced in) was built from what could be read, so what validation says at its header may be
 * that error's echo: such problems are left out. What it says elsewhere (a duplicate of this
 * block's virtual_router_id, located at the other instance) stands. Pure.
 */
import { type Diagnostic, formatLoc, type Loc } from '../model/index.js';
import type { Stmt } from './tree.js';

const lineKey = (at: Loc): string => `${at.file}:${at.line}`;

/** Header location (file:line:col) of every block → the lines of every statement inside it. */
function blockLines(body: readonly Stmt[], out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  for (const s of body) {
    if (s.block === undefined) continue;
    const inner = new Set<string>();
    const walk = (b: readonly Stmt[]): void => {
      for (const x of b) {
        inner.add(lineKey(x.at));
        if (x.block !== undefined) walk(x.block.body);
      }
    };
    walk(s.block.body);
    out.set(formatLoc(s.at), inner);
    blockLines(s.block.body, out);
  }
  return out;
}

/** The validation problems that do not touch a place with an error already reported. */
export function problemsBesideErrors(body: readonly Stmt[], errors: readonly Diagnostic[], problems: readonly Diagnostic[]): Diagnostic[] {
  if (errors.length === 0) return [...problems];
  const errorLines = new Set(errors.map((e) => lineKey(e.at)));
  const tainted = new Set<string>();
  for (const [header, lines] of blockLines(body)) {
    if ([...lines].some((l) => errorLines.has(l))) tainted.add(header);
  }
  const touched = (at: Loc): boolean => errorLines.has(lineKey(at)) || tainted.has(formatLoc(at));
  return problems.filter((p) => !touched(p.at));
}
