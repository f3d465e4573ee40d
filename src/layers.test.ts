/**
 * The folders of src/ form a one-way stack (docs/design.md "Layers"). This test reads the
 * import graph of every src/**\/*.ts file from the sources, not from dist/, and fails when
 *   - a folder imports a folder it may not (against the stack, or sideways),
 *   - a file imports another folder's file other than that folder's index.ts,
 *   - the folders or the files import each other in a cycle,
 *   - a relative import names a file that does not exist, or a folder is not in the table.
 * Every static import, `export … from`, `import type` and `import('…')` counts.
 * Tests (*.test.ts) follow the index rule, but may import any folder (a test may wire real
 * parts together, as the director does) and the shared fixtures in test/fixtures/; nothing
 * imports a test, so their imports are left out of the folder graph.
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** '.' is the files directly in src/ (errors.ts, clock.ts, serial-queue.ts): everyone may import them directly. */
const ROOT = '.';

/**
 * Which folders each folder may import, bottom of the stack first. health and sync have a
 * slot before they exist, so their first file already meets the rule.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  model: [],
  [ROOT]: ['model'],
  native: [ROOT, 'model'],
  config: [ROOT, 'model'],
  ipvs: [ROOT, 'model'],
  health: [ROOT, 'model'],
  net: [ROOT, 'model', 'native'],
  sync: [ROOT, 'model', 'ipvs'],
  vrrp: [ROOT, 'model', 'native', 'net'],
  control: [ROOT, 'model', 'health', 'vrrp', 'sync'],
  daemon: [ROOT, 'model', 'native', 'config', 'ipvs', 'health', 'net', 'sync', 'vrrp', 'control'],
  cli: [ROOT, 'model', 'native', 'config', 'ipvs', 'health', 'net', 'sync', 'vrrp', 'control', 'daemon'],
};

/** Folders that nobody imports, so they need no index.ts: cli's faces are cli/lvsd.ts and cli/lvsctl.ts (bin/). */
const NO_INDEX = new Set(['cli']);

interface Edge {
  readonly from: string; // src-relative, posix
  readonly to: string;
  readonly spec: string;
}

/** src/ of this checkout, from dist/src/layers.test.js. */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const rel = (abs: string): string => relative(SRC, abs).split(sep).join(posix.sep);
const isTest = (file: string): boolean => file.endsWith('.test.ts');

/** The folder a src-relative file belongs to: its first path segment, or ROOT. */
function folderOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? ROOT : file.slice(0, i);
}

/** Relative imports of every file, resolved to src-relative .ts paths (the .js of ESM specifiers mapped back). */
function importGraph(files: readonly string[]): { edges: Edge[]; unresolved: string[] } {
  const known = new Set(files.map(rel));
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  for (const abs of files) {
    const from = rel(abs);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(abs, 'utf8'), true, true).importedFiles) {
      if (!spec.startsWith('.')) continue;
      const to = posix.normalize(posix.join(posix.dirname(from), spec.replace(/\.js$/, '.ts')));
      if (known.has(to)) edges.push({ from, to, spec });
      else if (!(isTest(from) && to.startsWith('../test/fixtures/'))) unresolved.push(`${from} imports "${spec}", which is not a file of src/`);
    }
  }
  return { edges, unresolved };
}

/** Each edge that runs against the stack or around an index.ts, as a sentence. */
function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const [a, b] = [folderOf(e.from), folderOf(e.to)];
    if (a === b) continue;
    const may = MAY_IMPORT[a];
    if (may === undefined) out.push(`${e.from}: folder "${a}" is not in the layer table (src/layers.test.ts, docs/design.md)`);
    else if (!may.includes(b) && !isTest(e.from)) out.push(`${e.from} imports ${e.to}: ${a} may not import ${b} (${a} may import: ${may.join(', ') || 'nothing'})`);
    else if (b !== ROOT && e.to !== `${b}/index.ts`) out.push(`${e.from} imports ${e.to}: import ${b}/index.ts instead (other folders' files are private)`);
  }
  return out;
}

/** The groups of nodes that reach each other (strongly connected components of more than one node, or a self-loop). */
function cycles(nodes: readonly string[], next: (n: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) visit(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      scc.push(w);
    }
    if (scc.length > 1 || next(v).includes(v)) found.push(scc.reverse());
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}

/** The graph of `key(file)` nodes; edges inside one node (a folder's own imports) are left out. */
function adjacency(edges: readonly Edge[], key: (file: string) => string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = [key(e.from), key(e.to)];
    if (a === b && e.from !== e.to) continue;
    const list = m.get(a) ?? [];
    if (!list.includes(b)) list.push(b);
    m.set(a, list);
  }
  return m;
}

const files = sourceFiles(SRC);
const { edges, unresolved } = importGraph(files);

test('the import graph was read: every relative import names a file of src/', (t) => {
  t.true(files.length > 100, `only ${files.length} files under ${SRC}`);
  t.true(edges.length > 200, `only ${edges.length} imports found`);
  t.deepEqual(unresolved, []);
});

test('the layer table is itself a one-way stack (no folder may import one that may import it)', (t) => {
  const folders = Object.keys(MAY_IMPORT);
  t.deepEqual(cycles(folders, (f) => MAY_IMPORT[f] ?? []), []);
  for (const f of folders) for (const g of MAY_IMPORT[f] ?? []) t.true(g in MAY_IMPORT, `${f} may import ${g}, which has no row`);
});

test('every folder of src/ has a row in the table and, unless nobody imports it, an index.ts', (t) => {
  const present = [...new Set(files.map((f) => folderOf(rel(f))))];
  t.deepEqual(present.filter((f) => !(f in MAY_IMPORT)), []);
  const missing = present.filter((f) => f !== ROOT && !NO_INDEX.has(f) && !files.some((x) => rel(x) === `${f}/index.ts`));
  t.deepEqual(missing, []);
});

test('imports run down the stack, and across folders only to a folder\'s index.ts', (t) => {
  t.deepEqual(violations(edges), []);
});

test('no cycle between folders', (t) => {
  const g = adjacency(edges.filter((e) => !isTest(e.from)), folderOf);
  t.deepEqual(cycles([...g.keys()], (f) => g.get(f) ?? []), []);
});

test('no cycle between files (type-only imports included)', (t) => {
  const g = adjacency(edges, (f) => f);
  t.deepEqual(cycles([...g.keys()], (f) => g.get(f) ?? []), []);
});

test('the checks catch what they are for (a bad import, a bypassed index, a cycle)', (t) => {
  const bad: Edge[] = [
    { from: 'net/announce-io.ts', to: 'vrrp/index.ts', spec: '../vrrp/index.js' },
    { from: 'vrrp/owner.ts', to: 'net/vip.ts', spec: '../net/vip.js' },
    { from: 'model/validate.ts', to: 'errors.ts', spec: '../errors.js' },
    { from: 'newfolder/x.ts', to: 'model/index.ts', spec: '../model/index.js' },
  ];
  t.is(violations(bad).length, 4);
  t.deepEqual(violations([{ from: 'vrrp/owner.ts', to: 'net/index.ts', spec: '../net/index.js' }]), []);
  t.deepEqual(violations([{ from: 'model/x.test.ts', to: 'config/index.ts', spec: '../config/index.js' }]), [], 'a test may import upwards');
  t.is(violations([{ from: 'model/x.test.ts', to: 'config/load.ts', spec: '../config/load.js' }]).length, 1, 'but only through index.ts');
  const loop: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['d'], e: [] };
  t.deepEqual(cycles(Object.keys(loop), (n) => loop[n] ?? []), [['a', 'b', 'c'], ['d']]);
});
