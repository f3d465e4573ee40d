/**
 * The README's keyword table, rendered from policy.ts (policy-table.test.ts keeps the README
 * section between its markers equal to this, so the table cannot drift from the parser).
 */
import { blockLabel } from './fallback.js';
import { type KeywordPolicy, POLICY, type Status } from './policy.js';

export const BEGIN = '<!-- keepalived-keywords: generated from src/config/keepalived/policy.ts; UPDATE_README=1 to rewrite -->';
export const END = '<!-- keepalived-keywords: end -->';

const STATUSES: readonly Status[] = ['implemented', 'warned', 'refused'];

const code = (words: readonly string[]): string => words.map((w) => `\`${w}\``).join(' ');

export function policyCounts(): Record<Status, number> & { total: number; later: number } {
  const of2_2_7 = POLICY.filter((p) => p.since === undefined);
  const n = (s: Status): number => of2_2_7.filter((p) => p.status === s).length;
  return { total: of2_2_7.length, implemented: n('implemented'), warned: n('warned'), refused: n('refused'), later: POLICY.length - of2_2_7.length };
}

function byBlock(): string[] {
  const blocks = [...new Set(POLICY.map((p) => p.block))];
  const rows = blocks.map((b) => {
    const cells = STATUSES.map((s) => code(POLICY.filter((p) => p.block === b && p.status === s).map((p) => p.keyword + (p.since ? ` (${p.since})` : ''))));
    return `| ${b === 'top' ? 'top level' : b} | ${cells.join(' | ')} |`;
  });
  return ['| block | implemented | warned (accepted, ignored) | refused |', '|---|---|---|---|', ...rows];
}

function byReason(): string[] {
  const groups = new Map<string, KeywordPolicy[]>();
  for (const p of POLICY.filter((x) => x.status !== 'implemented')) {
    const k = `${p.status}\u0000${p.why ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const rows = [...groups.values()].map((ps) => {
    const first = ps[0];
    const blocks = [...new Set(ps.map((p) => p.block))];
    const where = blocks.map((b) => `${blockLabel(b)}: ${code(ps.filter((p) => p.block === b).map((p) => p.keyword))}`);
    return `| ${first?.status ?? ''} | ${where.join('; ')} | ${(first?.why ?? '').replaceAll('|', '\\|')} |`;
  });
  return ['| | where: keywords | what lvsd does instead, or why it refuses |', '|---|---|---|', ...rows];
}

/** The generated README section, markers included. */
export function renderPolicyTable(): string {
  const c = policyCounts();
  return [
    BEGIN,
    `keepalived 2.2.7 accepts ${c.total} keywords (counted per block; extracted from its v2.2.7 sources by`,
    '`scripts/keepalived-keywords.mjs`). lvsd implements ' + `${c.implemented} with keepalived's meaning, accepts ${c.warned} with a`,
    `warning that says what it does instead (none of them changes which box holds a VIP or where traffic goes), and`,
    `refuses ${c.refused} with "keepalived's X is not supported by lvsd: why". It also implements ${c.later} keyword of a later keepalived.`,
    '`lvsd -t --strict` turns every warning into an error.',
    '',
    ...byBlock(),
    '',
    ...byReason(),
    END,
  ].join('\n');
}
