import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { BEGIN, END, policyCounts, renderPolicyTable } from './policy-table.js';

const README = new URL('../../../../README.md', import.meta.url).pathname;

test('the README keyword table is the one policy.ts renders', (t) => {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  t.true(start >= 0 && end > start, 'README has the keepalived-keywords markers');
  const section = text.slice(start, end + END.length);
  const want = renderPolicyTable();
  if (process.env['UPDATE_README'] === '1' && section !== want) writeFileSync(README, text.slice(0, start) + want + text.slice(end + END.length));
  t.is(section, want);
});

test('the counts add up', (t) => {
  const c = policyCounts();
  t.is(c.implemented + c.warned + c.refused, c.total);
});
