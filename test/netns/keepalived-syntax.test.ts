/**
 * We never claim keepalived syntax that keepalived rejects: every valid keepalived test
 * config (a golden NAME.model.json without warnings) and conf/keepalived.conf.example must
 * pass `keepalived -t -f FILE` (2.2.7). `-t` parses the config for every role and exits 0
 * only without config errors; it checks that interfaces exist, so it runs in a namespace
 * that has eth0..eth3. A file marked `# lvsd-only: REASON` uses a keyword newer than 2.2.7. An error file must fail it, so the oracle is known to be able to fail.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const KEEPALIVED_DATA = join(ROOT, 'src/config/testdata/keepalived');
const available = process.getuid?.() === 0 && spawnSync('keepalived', ['--version']).status === 0;
let counter = 0;

function namespaceWithInterfaces(t: ExecutionContext): string {
  const ns = `lvsd-kat-${process.pid}-${++counter}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => { spawnSync('ip', ['netns', 'del', ns]); });
  execFileSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  execFileSync('ip', ['-n', ns, 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth3']);
  return ns;
}

function keepalivedTest(ns: string, file: string): { status: number | null; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-f', file], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stderr: `${r.stdout}${r.stderr}` };
}

const valid = readdirSync(KEEPALIVED_DATA)
  .filter((f) => f.endsWith('.model.json'))
  .map((f) => f.slice(0, -'.model.json'.length))
  .filter((n) => !existsSync(join(KEEPALIVED_DATA, `${n}.warnings.txt`)))
  .map((n) => join(KEEPALIVED_DATA, `${n}.conf`))
  .filter((f) => !readFileSync(f, 'utf8').includes('# lvsd-only:'));

for (const file of [...valid, join(ROOT, 'conf/keepalived.conf.example')]) {
  const title = `keepalived 2.2.7 -t accepts ${file.slice(ROOT.length)}`;
  if (!available) { test.skip(title, () => undefined); continue; }
  test(title, (t) => {
    const r = keepalivedTest(namespaceWithInterfaces(t), file);
    t.is(r.status, 0, r.stderr);
  });
}

const control = join(KEEPALIVED_DATA, 'unknown-keyword.conf');
(available ? test : test.skip)('keepalived -t rejects a file our loader rejects (the oracle can fail)', (t) => {
  const r = keepalivedTest(namespaceWithInterfaces(t), control);
  t.not(r.status, 0);
  t.regex(r.stderr, /Unknown keyword 'priorty'/);
});
