/**
 * Table-driven golden tests, one table per front-end (as Seesaw's engine/config/testdata):
 * testdata/<format>/NAME.conf (ldirectord: NAME.cf) beside NAME.model.json (the expected model,
 * locations included) or NAME.errors.txt (the expected `FILE:LINE:COL: message` lines, sorted). An optional
 * NAME.warnings.txt lists the expected warnings of a valid file; without it there must be none.
 * Files under inc/ are include targets, not cases. ldirectord.cf resolves names through
 * testdata/ldirectord/hosts and services (the netns oracle test gives the same files to the real
 * ldirectord). Heartbeat directories are testdata/heartbeat/NAME/ (ha.cf, haresources, authkeys,
 * ldirectord configs) beside NAME.model.json / NAME.errors.txt / NAME.warnings.txt, read as
 * node "lb1" unless NAME/lvsd-test.json says otherwise (nodeName, authkeysMode, localAddresses).
 * UPDATE_GOLDEN=1 rewrites the expectations (review the diff before committing).
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigFormat, formatDiagnostic } from '../model/index.js';
import { readHaDir } from './heartbeat/read-dir.js';
import { loadConfigDetailed, nameServiceFromFiles, type LoadReport } from './index.js';

const TESTDATA = new URL('../../../src/config/testdata/', import.meta.url).pathname;
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const NAMES = nameServiceFromFiles({
  hosts: readFileSync(join(TESTDATA, 'ldirectord/hosts'), 'utf8'),
  services: readFileSync(join(TESTDATA, 'ldirectord/services'), 'utf8'),
});

function load(rel: string) {
  const abs = (p: string): string => join(TESTDATA, p);
  return loadConfigDetailed({
    path: rel,
    text: readFileSync(abs(rel), 'utf8'),
    readFile: (p) => readFileSync(abs(p), 'utf8'),
    listDir: (d) => readdirSync(abs(d)),
    names: NAMES,
    hostname: 'lb1',
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function expectation(file: string, actual: string): string | undefined {
  if (UPDATE && actual !== '') writeFileSync(file, actual);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const EXTENSION = { keepalived: '.conf', native: '.conf', ldirectord: '.cf' } as const;

function check(t: ExecutionContext, o: { base: string; name: string; format: ConfigFormat; report: LoadReport }): void {
  const r = o.report;
  const warnings = r.warnings.map(formatDiagnostic).join('\n');
  if (r.result.ok) {
    t.is(r.result.value.format, o.format);
    const model = expectation(`${o.base}.model.json`, `${JSON.stringify(r.result.value, null, 2)}\n`);
    t.truthy(model, `${o.name}: loaded fine, but there is no ${o.name}.model.json`);
    t.deepEqual(JSON.parse(JSON.stringify(r.result.value)), JSON.parse(model ?? 'null'));
    t.deepEqual(lines(warnings), lines(expectation(`${o.base}.warnings.txt`, warnings === '' ? '' : `${warnings}\n`) ?? ''));
  } else {
    const got = r.result.error.map(formatDiagnostic).join('\n');
    const want = expectation(`${o.base}.errors.txt`, `${got}\n`);
    t.truthy(want, `${o.name}: failed to load, but there is no ${o.name}.errors.txt:\n${got}`);
    t.deepEqual(lines(got), lines(want ?? ''));
  }
}

for (const format of ['keepalived', 'native', 'ldirectord'] as const) {
  const dir = join(TESTDATA, format);
  const ext = EXTENSION[format];
  const cases = readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();
  for (const name of cases) {
    test(`${format} golden: ${name}`, (t) => {
      check(t, { base: join(dir, name), name, format, report: load(`${format}/${name}${ext}`) });
    });
  }
}

interface HaTestDeps { nodeName?: string; authkeysMode?: number; localAddresses?: string[] }

const HEARTBEAT = join(TESTDATA, 'heartbeat');
for (const name of readdirSync(HEARTBEAT, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
  test(`heartbeat golden: ${name}`, (t) => {
    const extra = join(HEARTBEAT, name, 'lvsd-test.json');
    const deps = (existsSync(extra) ? JSON.parse(readFileSync(extra, 'utf8')) : {}) as HaTestDeps;
    const report = readHaDir(`heartbeat/${name}`, {
      readFile: (p) => readFileSync(join(TESTDATA, p), 'utf8'),
      nodeName: deps.nodeName ?? 'lb1',
      names: NAMES,
      authkeysMode: deps.authkeysMode ?? 0o600,
      ...(deps.localAddresses ? { localAddresses: deps.localAddresses } : {}),
    });
    check(t, { base: join(HEARTBEAT, name), name, format: 'heartbeat', report });
  });
}

const CONF = new URL('../../../conf/', import.meta.url).pathname;

for (const example of readdirSync(CONF).filter((f) => f.endsWith('.example')).sort()) {
  test(`conf/${example} loads without errors or warnings`, (t) => {
    const r = loadConfigDetailed({ path: join(CONF, example), text: readFileSync(join(CONF, example), 'utf8'), readFile: (p) => readFileSync(p, 'utf8') });
    t.deepEqual(r.result.ok ? [] : r.result.error.map(formatDiagnostic), []);
    t.deepEqual(r.warnings.map(formatDiagnostic), []);
  });
}
