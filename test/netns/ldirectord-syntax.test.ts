/**
 * lvsd reads every ldirectord.cf of the corpus (src/config/testdata/ldirectord) as the real
 * ldirectord 4.12 (Debian package) does:
 *  - what ldirectord accepts, lvsd accepts (warnings allowed: a reading that differs from the
 *    file's look is kept and warned), unless the file says `# lvsd-refuses:` (then lvsd refuses);
 *  - what ldirectord rejects, lvsd rejects with --strict (an error, or a warning for the layouts
 *    where ldirectord is merely fragile and lvsd reads on);
 *  - for files both accept, the meaning is the same: virtual services, real servers, fallback,
 *    checks and timing, and the daemon settings, projected alike from ldirectord's own parsed
 *    data (ldirectord-oracle.ts) and lvsd's model; `# lvsd-differs: FIELD: why` lists a field a
 *    file documents as intentionally different.
 * Names resolve through the corpus' hosts and services files on both sides.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic } from '../../src/model/index.js';
import { loadConfigDetailed, nameServiceFromFiles, type LoadReport } from '../../src/config/index.js';
import { documentedDifferences, dumpingScript, projectLdirectord, projectLvsd, readText, runIn, withoutFields } from './ldirectord-oracle.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CORPUS = join(ROOT, 'src/config/testdata/ldirectord');
const LDIRECTORD = '/usr/sbin/ldirectord';
const available = process.getuid?.() === 0 && spawnSync(LDIRECTORD, ['-v']).status === 0 && spawnSync('ip', ['-V']).status === 0;

const ns = `lvsd-lds-${process.pid}-1`;
const work = mkdtempSync(join(tmpdir(), 'lvsd-ldirectord-'));
const etc = `/etc/netns/${ns}`;
const dumper = join(work, 'ldirectord-dump');

test.before(() => {
  if (!available) return;
  mkdirSync(etc, { recursive: true });
  copyFileSync(join(CORPUS, 'hosts'), join(etc, 'hosts'));
  copyFileSync(join(CORPUS, 'services'), join(etc, 'services'));
  writeFileSync(join(etc, 'resolv.conf'), '');
  execFileSync('ip', ['netns', 'add', ns]);
  const script = dumpingScript(readText(LDIRECTORD));
  if (script !== undefined) writeFileSync(dumper, script, { mode: 0o755 });
});

test.after.always(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(etc, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const names = nameServiceFromFiles({ hosts: readText(join(CORPUS, 'hosts')), services: readText(join(CORPUS, 'services')) });

function lvsd(file: string): LoadReport {
  return loadConfigDetailed({ path: file, text: readText(file), readFile: readText, names, hostname: hostname() });
}

function shown(r: LoadReport): string {
  return [...(r.result.ok ? [] : r.result.error), ...r.warnings].map(formatDiagnostic).join('\n');
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.cf')).sort();

for (const name of files) {
  const title = `ldirectord 4.12 and lvsd agree on ${name}`;
  if (!available) {
    test.skip(title, () => undefined);
    continue;
  }
  test.serial(title, (t) => {
    const file = join(CORPUS, name);
    const text = readText(file);
    // cwd is an empty directory: with -d ldirectord would run ./ipvsadm if one were there.
    const ld = runIn(ns, [LDIRECTORD, '-d', file, 'status'], { cwd: work });
    t.true(ld.status === 2 || ld.status === 3, `ldirectord exited ${String(ld.status)}: ${ld.stderr}`);
    const ours = lvsd(file);
    if (ld.status === 2) {
      t.false(ours.result.ok && ours.warnings.length === 0, `ldirectord rejects it, lvsd --strict would accept it:\n${ld.stderr}`);
      return;
    }
    if (text.includes('# lvsd-refuses:')) {
      t.false(ours.result.ok, 'the file is marked lvsd-refuses, lvsd accepts it');
      return;
    }
    t.true(ours.result.ok, `ldirectord accepts it, lvsd refuses it:\n${shown(ours)}`);
    if (!ours.result.ok) return;
    t.true(existsSync(dumper), `${LDIRECTORD} no longer has the line the dump hooks onto`);
    const dump = runIn(ns, ['perl', dumper, '-d', file, 'start'], { cwd: work, env: { LVSD_DUMP: '1' } });
    t.is(dump.status, 0, dump.stderr);
    const differs = documentedDifferences(text);
    const theirs = withoutFields(projectLdirectord(JSON.parse(dump.stdout) as Record<string, unknown>), differs);
    t.deepEqual(withoutFields(projectLvsd(ours.result.value), differs), theirs);
  });
}

(available ? test.serial : test.skip)('the oracle can fail: ldirectord rejects a file lvsd reads only leniently, and a known error', (t) => {
  const blank = runIn(ns, [LDIRECTORD, '-d', join(CORPUS, 'fragile-blank-line.cf'), 'status'], { cwd: work });
  t.is(blank.status, 2);
  t.regex(blank.stderr, /Unknown command/);
  const unknown = runIn(ns, [LDIRECTORD, '-d', join(CORPUS, 'error-unknown-global.cf'), 'status'], { cwd: work });
  t.is(unknown.status, 2);
});
