/**
 * The keepalived.conf corpus (test/fixtures/keepalived/README.md): keepalived 2.2.7's own
 * doc/samples and configs in real-world shapes. Each NAME.conf has beside it NAME.model.json
 * (accepted: the model it must produce) or NAME.errors.txt (refused: every message), and
 * NAME.warnings.txt when accepted with warnings. UPDATE_GOLDEN=1 rewrites them (review the
 * diff). test/netns/keepalived-corpus.test.ts runs keepalived -t on the same files.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';

const CORPUS = new URL('../../../../test/fixtures/keepalived/', import.meta.url).pathname;
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const FOLDERS = ['samples', 'written'];

const files = FOLDERS.flatMap((d) => readdirSync(join(CORPUS, d)).filter((f) => f.endsWith('.conf')).sort().map((f) => `${d}/${f}`));

function expectation(file: string, actual: string): string | undefined {
  if (UPDATE) {
    if (actual !== '') writeFileSync(file, actual);
  }
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const lines = (text: string | undefined): string[] => (text ?? '').split('\n').filter((l) => l !== '');

type Outcome = 'accepted' | 'warned' | 'refused';
const outcomes = new Map<string, Outcome>();

for (const rel of files) {
  test(`keepalived corpus: ${rel}`, (t) => {
    const base = join(CORPUS, rel.slice(0, -'.conf'.length));
    const r = loadConfigDetailed({ path: rel, text: readFileSync(join(CORPUS, rel), 'utf8'), readFile: (p) => readFileSync(join(CORPUS, p), 'utf8'), listDir: (d) => readdirSync(join(CORPUS, d)) });
    const warnings = r.warnings.map(formatDiagnostic).join('\n');
    if (r.result.ok) {
      outcomes.set(rel, warnings === '' ? 'accepted' : 'warned');
      t.is(r.result.value.format, 'keepalived');
      const model = expectation(`${base}.model.json`, `${JSON.stringify(r.result.value, null, 2)}\n`);
      t.truthy(model, `${rel} loads, but there is no model.json`);
      t.deepEqual(JSON.parse(JSON.stringify(r.result.value)), JSON.parse(model ?? 'null'));
      t.deepEqual(lines(warnings), lines(expectation(`${base}.warnings.txt`, warnings === '' ? '' : `${warnings}\n`)));
      t.false(existsSync(`${base}.errors.txt`), `${rel} loads, but errors.txt expects a refusal`);
    } else {
      outcomes.set(rel, 'refused');
      const got = r.result.error.map(formatDiagnostic).join('\n');
      const want = expectation(`${base}.errors.txt`, `${got}\n`);
      t.truthy(want, `${rel} is refused, but there is no errors.txt:\n${got}`);
      t.deepEqual(lines(got), lines(want));
      t.false(existsSync(`${base}.model.json`), `${rel} is refused, but model.json expects a model`);
    }
  });
}

test.after.always('corpus counts', () => {
  const count = (o: Outcome): number => [...outcomes.values()].filter((x) => x === o).length;
  process.stdout.write(`keepalived corpus: ${outcomes.size} files, ${count('accepted')} accepted, ${count('warned')} accepted with warnings, ${count('refused')} refused\n`);
});
