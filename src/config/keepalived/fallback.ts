/**
 * What the keepalived.conf parser does with a keyword its table for a block lacks, following
 * policy.ts: a warned keyword is accepted with its warning, a refused one is an error
 * "keepalived's X is not supported by lvsd: why", and anything else is an unknown keyword,
 * with the nearest keyword of the block and the blocks where it does belong
 * (`garp_master_delay` in global_defs: did you mean "vrrp_garp_master_delay"?).
 */
import { error, type Fallback, type Scope } from '../keywords.js';
import { nearest } from '../suggest.js';
import type { Stmt } from '../tree.js';
import { blocksOf, keywordsOf, type KeywordPolicy, policyOf, refuseMessage, RENAMED, warnMessage } from './policy.js';

/** The block as people say it: "virtual_server/real_server/HTTP_GET" → "HTTP_GET (in real_server)". */
export function blockLabel(block: string): string {
  if (block === 'top') return 'the top level';
  const parts = block.split('/');
  const last = parts[parts.length - 1] ?? block;
  return parts.length === 1 ? last : `${last} (in ${parts[parts.length - 2] ?? ''})`;
}

/** A keyword that global_defs spells with a vrrp_ prefix, or the reverse. */
function prefixTwin(keyword: string, names: readonly string[]): string | undefined {
  const twin = keyword.startsWith('vrrp_') ? keyword.slice('vrrp_'.length) : `vrrp_${keyword}`;
  return names.includes(twin) ? twin : undefined;
}

function shapeError(s: Stmt, p: KeywordPolicy): string | undefined {
  const n = s.args.length;
  const shape = p.args ?? 'any';
  switch (shape) {
    case 'none': return n > 0 || s.block ? `expected nothing after "${p.keyword}", got "${s.args[0]?.text ?? '{'}"` : undefined;
    case 'one': return n !== 1 || s.block ? `expected 1 value after "${p.keyword}", got ${n}` : undefined;
    case 'bool': return n > 1 || (n === 1 && !/^(yes|no|true|false|on|off|0|1)$/i.test(s.args[0]?.text ?? '')) ? `expected nothing or yes/no after "${p.keyword}", got "${s.args.map((w) => w.text).join(' ')}"` : undefined;
    case 'block': return s.block === undefined || n > 0 ? `expected a { ... } block after "${p.keyword}"` : undefined;
    case 'any': return undefined;
    default: {
      const never: never = shape;
      return `unknown argument shape ${String(never)}`;
    }
  }
}

export function unknownMessage(s: Stmt, o: { block: string; known: readonly string[]; where: string }): string {
  const k = s.keyword.text;
  const here = [...new Set([...o.known, ...keywordsOf(o.block)])];
  const guess = RENAMED[k] ?? prefixTwin(k, here) ?? nearest(k, here);
  const elsewhere = blocksOf(k).filter((b) => b !== o.block);
  const hints = [
    ...(guess !== undefined ? [`did you mean "${guess}"?`] : []),
    ...(RENAMED[k] !== undefined ? [`${k} is an old name that keepalived 2.2.7 does not know either`] : []),
    ...(elsewhere.length > 0 ? [`${k} belongs in ${elsewhere.slice(0, 3).map(blockLabel).join(', ')}${elsewhere.length > 3 ? ', ...' : ''}`] : []),
  ];
  return `unknown keyword "${k}" in ${o.where}${hints.length > 0 ? ` (${hints.join('; ').replace('?;', '?')})` : ''}`;
}

/** The parser's fallback for one block of policy.ts. */
export function policyFallback(block: string): Fallback {
  return (s: Stmt, known: readonly string[], scope: Scope): string | undefined => {
    const p = policyOf(block, s.keyword.text);
    if (p?.status === 'warned') {
      const bad = shapeError(s, p);
      if (bad !== undefined) error(scope.sink, s.args[0]?.at ?? s.keyword.at, bad);
      else scope.sink.warnings.push({ at: s.keyword.at, message: warnMessage(p) });
      return undefined;
    }
    if (p?.status === 'refused') {
      error(scope.sink, s.keyword.at, refuseMessage(p));
      return undefined;
    }
    error(scope.sink, s.keyword.at, unknownMessage(s, { block, known, where: scope.where }));
    return nearest(s.keyword.text, known);
  };
}
