/**
 * We never claim keepalived syntax that keepalived rejects: every keepalived test config lvsd
 * accepts (a golden NAME.model.json) and conf/keepalived.conf.example must pass
 * `keepalived -t -f FILE` (2.2.7). `-t` parses the config for every role and exits 0 only
 * without config errors; it checks that interfaces exist, so it runs in a namespace that has
 * eth0..eth3.
 *
 * Markers in a config's comments:
 * - `keepalived -t says: TEXT` — keepalived corrects or refuses something here and reports it:
 *   `-t` must exit non-zero and print TEXT. lvsd warns about the same thing (accepted files)
 *   or refuses it too (error files; only those with markers are run).
 * - `lvsd-only: REASON` — not run (a keyword newer than 2.2.7, or a case `-t` cannot check).
 * An error file must fail with its markers printed, so the oracle is known to be able to fail.
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepalivedAvailable, oracleNamespace, keepalivedTest } from './keepalived-oracle.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const KEEPALIVED_DATA = join(ROOT, 'src/config/testdata/keepalived');
const available = keepalivedAvailable;

function namespaceWithInterfaces(t: ExecutionContext): string {
  return oracleNamespace(t, 'kat');
}


/** The `keepalived -t says:` texts of a config file. */
function markers(text: string): string[] {
  return [...text.matchAll(/^\s*[#!]\s*keepalived -t says: (.+?)\s*$/gm)].map((m) => m[1] ?? '');
}

function cases(suffix: string): Array<{ file: string; says: string[] }> {
  return readdirSync(KEEPALIVED_DATA)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(KEEPALIVED_DATA, `${f.slice(0, -suffix.length)}.conf`))
    .filter((f) => existsSync(f) && !readFileSync(f, 'utf8').includes('lvsd-only:'))
    .map((file) => ({ file, says: markers(readFileSync(file, 'utf8')) }));
}

const accepted = [...cases('.model.json'), { file: join(ROOT, 'conf/keepalived.conf.example'), says: [] }];
const refused = cases('.errors.txt').filter((c) => c.says.length > 0);

function expectRun(t: ExecutionContext, c: { file: string; says: string[] }): void {
  const r = keepalivedTest(namespaceWithInterfaces(t), c.file);
  if (c.says.length === 0) {
    t.is(r.status, 0, r.output);
    return;
  }
  t.not(r.status, 0, `keepalived -t accepted a file marked "keepalived -t says"`);
  for (const text of c.says) t.true(r.output.includes(text), `keepalived -t did not say "${text}":\n${r.output}`);
}

for (const c of accepted) {
  const title = c.says.length === 0
    ? `keepalived 2.2.7 -t accepts ${c.file.slice(ROOT.length)}`
    : `keepalived 2.2.7 -t reports what lvsd warns about in ${c.file.slice(ROOT.length)}`;
  (available ? test : test.skip)(title, (t) => expectRun(t, c));
}

for (const c of refused) {
  (available ? test : test.skip)(`keepalived 2.2.7 -t also refuses ${c.file.slice(ROOT.length)}`, (t) => expectRun(t, c));
}

const control = join(KEEPALIVED_DATA, 'unknown-keyword.conf');
(available ? test : test.skip)('keepalived -t rejects a file our loader rejects (the oracle can fail)', (t) => {
  const r = keepalivedTest(namespaceWithInterfaces(t), control);
  t.not(r.status, 0);
  t.regex(r.output, /Unknown keyword 'priorty'/);
});
