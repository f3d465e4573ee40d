/**
 * keepalived 2.2.7 as the oracle for the keepalived.conf corpus (test/fixtures/keepalived/):
 * `keepalived -t -f FILE` runs on every corpus file in a namespace with eth0..eth3 (it checks
 * that interfaces exist). A file it accepts must not be listed in corpus.json; a file it does
 * not accept must be listed there, with the texts it says. And lvsd never accepts silently
 * what keepalived refuses: where keepalived -t fails, lvsd refuses the file or accepts it with
 * warnings for the corrections keepalived reports (corpus.json "says").
 * A second test checks every keyword of policy.ts is known to keepalived in its block.
 */
import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEPALIVED_KEYWORD_POLICY as POLICY, loadConfigDetailed } from '../../src/config/index.js';
import { keepalivedAvailable, oracleNamespace, keepalivedTest } from './keepalived-oracle.js';

const CORPUS = new URL('../../../test/fixtures/keepalived/', import.meta.url).pathname;
const available = keepalivedAvailable;

interface Manifest { readonly fails: Readonly<Record<string, { readonly says: readonly string[]; readonly lvsd: string }>> }
const manifest = JSON.parse(readFileSync(join(CORPUS, 'corpus.json'), 'utf8')) as Manifest;

function namespace(t: ExecutionContext): string {
  return oracleNamespace(t, 'kac');
}


const files = ['samples', 'written'].flatMap((d) => readdirSync(join(CORPUS, d)).filter((f) => f.endsWith('.conf')).sort().map((f) => `${d}/${f}`));

for (const rel of files) {
  (available ? test : test.skip)(`keepalived -t agrees with lvsd on ${rel}`, (t) => {
    const r = keepalivedTest(namespace(t), join(CORPUS, rel));
    const lvsd = loadConfigDetailed({ path: rel, text: readFileSync(join(CORPUS, rel), 'utf8'), readFile: (p) => readFileSync(join(CORPUS, p), 'utf8'), listDir: (d) => readdirSync(join(CORPUS, d)) });
    const fails = manifest.fails[rel];
    if (fails === undefined) {
      t.is(r.status, 0, `keepalived -t refuses a file corpus.json does not list:\n${r.output}`);
      return;
    }
    t.not(r.status, 0, `corpus.json lists a file keepalived -t accepts:\n${r.output}`);
    for (const text of fails.says) t.true(r.output.includes(text), `keepalived -t did not say "${text}":\n${r.output}`);
    t.true(!lvsd.result.ok || lvsd.warnings.length > 0, `lvsd accepts without a word a file keepalived -t refuses (${fails.lvsd})`);
  });
}

/** A config that puts one keyword in its block (named blocks get a name, the rest none). */
function placed(block: string, keyword: string): string {
  const NAMES: Readonly<Record<string, string>> = {
    vrrp_instance: 'VI_1', vrrp_sync_group: 'G', virtual_server: '10.0.0.1 80', real_server: '10.0.0.2 80', bfd_instance: 'B',
    track_file: 'TF', vrrp_track_file: 'TF2', vrrp_script: 'S', vrrp_track_process: 'P', track_group: 'TG',
  };
  const parts = block === 'top' ? [] : block.split('/');
  return `${parts.map((p) => `${p} ${NAMES[p] ?? ''} {\n`).join('')}${keyword} 1\n${'}\n'.repeat(parts.length)}`;
}

(available ? test : test.skip)('keepalived 2.2.7 knows every keyword of policy.ts in its block, and not a made-up one', (t) => {
  const ns = namespace(t);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-kw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const unknown: string[] = [];
  const cases = [...POLICY.filter((p) => p.since === undefined), { block: 'vrrp_instance', keyword: 'made_up_keyword' }];
  cases.forEach((p, n) => {
    const file = join(dir, `${n}.conf`);
    writeFileSync(file, placed(p.block, p.keyword));
    if (keepalivedTest(ns, file).output.includes(`Unknown keyword '${p.keyword}'`)) unknown.push(`${p.block} ${p.keyword}`);
  });
  t.deepEqual(unknown, ['vrrp_instance made_up_keyword']);
});
