/**
 * The declarative keyword-table driver shared by the front-ends (docs/design.md "Configuration":
 * name, synonyms, arity, block shape, setter). It checks what the table declares (known
 * keyword, argument count, block presence, repetition) before calling the setter, so the
 * setters only convert values. An unknown keyword is an error naming the nearest known one,
 * and so is a repeated one, unless the front-end's `Repeated` policy reads it (keepalived.conf:
 * keepalived/repeats.ts).
 *
 * One pass: a statement whose words are wrong is reported and, where that is safe, still read,
 * so the problems inside it show in the same run: extra words are reported and the keyword is
 * applied without them; a block keyword missing its words (or misspelt, when the nearest known
 * keyword has a block) has its block checked through `orphan`, with nothing kept.
 */
import { type Diagnostic, formatLoc, type Loc } from '../model/index.js';
import { nearest } from './suggest.js';
import type { Stmt } from './tree.js';

/** Where diagnostics go. Warnings never stop a load; errors always do. */
export interface Sink {
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
}

export function newSink(): Sink {
  return { errors: [], warnings: [] };
}

export function error(sink: Sink, at: Loc, message: string): void {
  sink.errors.push({ at, message });
}

export type BlockShape = 'none' | 'required' | 'optional';

export interface Keyword<A> {
  /** First name is canonical; the rest are synonyms (lb_algo / lvs_sched). */
  readonly names: readonly string[];
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly block: BlockShape;
  /** May appear more than once in the same block (real_server, include-like lists). */
  readonly repeat?: true;
  readonly apply: (s: Stmt, acc: A, sink: Sink) => void;
  /** What the keyword takes, for messages: `NAME { ... }`, `<1-255>`. */
  readonly usage?: string;
  /** Checks the block of a statement that cannot be applied (its words are missing or misspelt), keeping nothing. */
  readonly orphan?: (s: Stmt, acc: A, sink: Sink) => void;
}

/** A keyword with exactly `n` arguments and no block. */
export function kw<A>(names: string | readonly string[], n: number, apply: Keyword<A>['apply']): Keyword<A> {
  return { names: typeof names === 'string' ? [names] : names, minArgs: n, maxArgs: n, block: 'none', apply };
}

/** A keyword known to the source format that lvsd accepts and deliberately ignores. */
export function ignored<A>(names: readonly string[], o: { maxArgs?: number; block?: BlockShape } = {}): Keyword<A>[] {
  return names.map((n) => ({ names: [n], minArgs: 0, maxArgs: o.maxArgs ?? Infinity, block: o.block ?? 'optional', repeat: true, apply: () => undefined }));
}

/** A keyword of the source format that lvsd refuses, with the reason. */
export function unsupported<A>(names: readonly string[], why: string): Keyword<A>[] {
  return names.map((n) => ({
    names: [n], minArgs: 0, maxArgs: Infinity, block: 'optional', repeat: true,
    apply: (s: Stmt, _a: A, sink: Sink) => error(sink, s.keyword.at, `"${n}" is not supported by lvsd: ${why}`),
  }));
}

/** A keyword of another program's format that lvsd refuses: "keepalived's BFD_CHECK is not supported by lvsd: why". */
export function unsupportedFrom<A>(program: string, names: readonly string[], why: string): Keyword<A>[] {
  return names.map((n) => ({
    names: [n], minArgs: 0, maxArgs: Infinity, block: 'optional', repeat: true,
    apply: (s: Stmt, _a: A, sink: Sink) => error(sink, s.keyword.at, `${program}'s ${n} is not supported by lvsd: ${why}`),
  }));
}

/**
 * A repeatable `KEYWORD NAME { ... }` block: a draft made by `create` (given the enclosing draft) is filled from the body
 * by `table` and handed to `add`; `written`, when given, is where the keywords present are recorded.
 */
export function namedBlock<D, A>(
  keyword: string,
  o: { table: readonly Keyword<A>[]; create: (name: string, at: Loc, d: D) => A; add: (d: D, a: A) => void; written?: (a: A) => Set<string>; fallback?: Fallback; repeated?: Repeated },
): Keyword<D> {
  const rules = { ...(o.fallback ? { fallback: o.fallback } : {}), ...(o.repeated ? { repeated: o.repeated } : {}) };
  return {
    names: [keyword], minArgs: 1, maxArgs: 1, block: 'required', repeat: true, usage: 'NAME { ... }',
    apply: (s, d, sink) => {
      const name = s.args[0]?.text;
      if (name === undefined) return; // the arity check has reported it
      const a = o.create(name, s.keyword.at, d);
      interpret(s.block?.body ?? [], o.table, a, { where: `${keyword} ${name}`, sink, ...(o.written ? { seen: o.written(a) } : {}), ...rules });
      o.add(d, a);
    },
    orphan: (s, d, sink) => {
      const name = s.args[0]?.text ?? '';
      interpret(s.block?.body ?? [], o.table, o.create(name, s.keyword.at, d), { where: `${keyword} ${name}`.trimEnd(), sink, ...rules });
    },
  };
}

/**
 * What to do with a keyword the table does not have: a front-end's policy for its source
 * format's other keywords (keepalived/policy.ts: warn, refuse, or say where it belongs).
 * Without one, such a keyword is unknown (with the nearest known one suggested).
 */
export type Fallback = (s: Stmt, known: readonly string[], scope: Scope) => string | undefined;

/**
 * What a front-end does with a keyword given again in one block (one its table does not mark
 * `repeat`): true applies it again, false keeps what the earlier ones gave; the policy reports
 * what it decides. `earlier`: the same keyword's statements before it in the block, in order.
 * Without one, a repeated keyword is an error (lvsd's native format and ldirectord.cf).
 */
export type Repeated = (s: Stmt, earlier: readonly Stmt[], scope: Scope) => boolean;

export interface Scope {
  /** Human name of the block, for messages: `vrrp_instance VI_1`. */
  readonly where: string;
  readonly sink: Sink;
  /** Filled with the canonical name of every keyword present, valid or not (so a later
   * "missing keyword" check does not repeat an invalid value's error). */
  readonly seen?: Set<string>;
  readonly fallback?: Fallback;
  readonly repeated?: Repeated;
}

export function interpret<A>(body: readonly Stmt[], table: readonly Keyword<A>[], acc: A, scope: Scope): void {
  const byName = new Map<string, Keyword<A>>();
  for (const k of table) for (const n of k.names) byName.set(n, k);
  const seen = new Map<Keyword<A>, Stmt[]>();
  for (const s of body) {
    const k = byName.get(s.keyword.text);
    if (k === undefined) {
      const guess = (scope.fallback ?? unknown)(s, [...byName.keys()], scope);
      const like = guess === undefined ? undefined : byName.get(guess);
      if (like?.orphan !== undefined && s.block !== undefined) like.orphan(s, acc, scope.sink);
      continue;
    }
    const earlier = seen.get(k) ?? [];
    seen.set(k, [...earlier, s]);
    const first = earlier[0];
    if (first !== undefined && k.repeat !== true) {
      if (scope.repeated === undefined) error(scope.sink, s.keyword.at, `expected "${s.keyword.text}" once in ${scope.where}, got it again (first at ${formatLoc(first.at)})`);
      if (scope.repeated?.(s, earlier, scope) !== true) continue;
    }
    scope.seen?.add(k.names[0] ?? '');
    const usable = shaped(s, k, scope.sink);
    if (usable !== undefined) k.apply(usable, acc, scope.sink);
    else k.orphan?.(s, acc, scope.sink);
  }
}

/** Reports an unknown keyword; returns the known keyword suggested, if any. */
export function unknown(s: Stmt, known: readonly string[], scope: Scope): string | undefined {
  const guess = nearest(s.keyword.text, known);
  const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
  error(scope.sink, s.keyword.at, `unknown keyword "${s.keyword.text}" in ${scope.where}${hint}`);
  return guess;
}

/**
 * The statement as the keyword can take it, or undefined when it cannot be applied. Extra words
 * are reported at the first of them and dropped; a block where none belongs is reported and ignored.
 */
function shaped<A>(s: Stmt, k: Keyword<A>, sink: Sink): Stmt | undefined {
  const name = s.keyword.text;
  const n = s.args.length;
  if (n > k.maxArgs) {
    const extra = s.args.slice(k.maxArgs);
    const words = extra.map((w) => `"${w.text}"`).join(' ');
    const takes = k.maxArgs === 0 ? `nothing after "${name}" (it takes no value)` : `${arity(k)} after "${name}"${usage(k)}`;
    error(sink, extra[0]?.at ?? s.keyword.at, `expected ${takes}, got ${n === k.maxArgs + 1 ? 'an extra' : `${n - k.maxArgs} extra`} ${words}`);
  } else if (n < k.minArgs) {
    error(sink, s.keyword.at, `expected ${arity(k)} after "${name}"${usage(k)}, got ${n === 0 ? 'none' : n}`);
    return undefined;
  }
  if (k.block === 'required' && s.block === undefined) {
    error(sink, s.keyword.at, `expected a { ... } block after "${name}", got none`);
    return undefined;
  }
  if (k.block === 'none' && s.block !== undefined) error(sink, s.block.open, `expected no block after "${name}", got "{"`);
  const args = s.args.slice(0, k.maxArgs);
  const { block, ...rest } = s;
  return { ...rest, args, ...(k.block !== 'none' && block !== undefined ? { block } : {}) };
}

/** ` (NAME USAGE)` when the table says what the keyword takes. */
function usage<A>(k: Keyword<A>): string {
  return k.usage === undefined ? '' : ` (${k.names[0] ?? ''} ${k.usage})`;
}

function arity<A>(k: Keyword<A>): string {
  const plural = (n: number): string => (n === 1 ? '1 value' : `${n} values`);
  if (k.minArgs === k.maxArgs) return plural(k.minArgs);
  if (k.maxArgs === Infinity) return `at least ${plural(k.minArgs)}`;
  return `${k.minArgs} to ${k.maxArgs} values`;
}

