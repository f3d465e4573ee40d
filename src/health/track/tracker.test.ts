import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeTimers } from '../timers.js';
import type { ScriptResult, ScriptRun, ScriptSpec } from '../script.js';
import type { FileAccess } from './file-watch.js';
import type { InstanceTracking } from './priority.js';
import type { ConnectorOptions, OpenConnector } from './proc-connector.js';
import { Tracker, hasTracking, type LinkSource, type TrackerConfig, type TrackerEvent } from './tracker.js';
import { file, group, instance, proc, ref, script, tracking } from './tracking.fixture.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Scripts whose runs the test ends by hand. */
class FakeScripts {
  readonly runs: Array<{ spec: ScriptSpec; finish: (code: number) => void; cancelled: boolean }> = [];
  readonly run = (spec: ScriptSpec): ScriptRun => {
    let resolve: (r: ScriptResult) => void = () => undefined;
    const result = new Promise<ScriptResult>((r) => (resolve = r));
    const entry = { spec, cancelled: false, finish: (code: number) => resolve({ outcome: { kind: 'exit', code }, latencyMs: 1, output: '', droppedBytes: 0 }) };
    this.runs.push(entry);
    return { pid: 1, result, cancel: () => { entry.cancelled = true; resolve({ outcome: { kind: 'cancelled' }, latencyMs: 1, output: '', droppedBytes: 0 }); } };
  };
  /** Ends the latest run with `code` and lets its result through. */
  async finish(code: number): Promise<void> {
    this.runs.at(-1)?.finish(code);
    await flush();
  }
}

class FakeLinks implements LinkSource {
  private readonly states = new Map<string, boolean>();
  private cb: ((ifname: string, up: boolean) => void) | undefined;
  isUp(ifname: string): boolean | undefined {
    return this.states.get(ifname);
  }
  subscribe(cb: (ifname: string, up: boolean) => void): () => void {
    this.cb = cb;
    return () => (this.cb = undefined);
  }
  set(ifname: string, up: boolean): void {
    this.states.set(ifname, up);
    this.cb?.(ifname, up);
  }
}

function setup(config: TrackerConfig, o: { connect?: OpenConnector; procRoot?: string; fileAccess?: FileAccess } = {}) {
  const timers = new FakeTimers();
  const scripts = new FakeScripts();
  const links = new FakeLinks();
  links.set('eth0', true);
  const tracker = new Tracker({ config, timers, clock: timers.clock, links, runScript: scripts.run, processPollMs: 1000, ...o });
  const priorities: InstanceTracking[] = [];
  const events: TrackerEvent[] = [];
  tracker.on('priority', (p) => priorities.push(p));
  tracker.on('event', (e) => events.push(e));
  return { timers, scripts, links, tracker, priorities, events };
}

const last = (ps: InstanceTracking[], name = 'VI_1') => ps.filter((p) => p.instance === name).at(-1);

test('a weighted vrrp_script: priority drops after fall failures and returns after rise successes', async (t) => {
  const cfg = { vrrp: [instance('VI_1', 100, [ref('script', 'chk')])], syncGroups: [], tracking: tracking({ scripts: [script('chk', { weight: -20, rise: 2, fall: 2 })] }) };
  const f = setup(cfg);
  t.true(hasTracking(cfg));
  await f.tracker.start();
  t.deepEqual(f.priorities.map((p) => [p.priority, p.fault]), [[100, null]]);
  await f.scripts.finish(0);
  t.is(f.priorities.length, 1, 'first success: up, the negative weight does not count');
  await f.timers.advance(1000);
  await f.scripts.finish(1);
  t.is(f.priorities.length, 1, 'one failure of two');
  await f.timers.advance(1000);
  await f.scripts.finish(1);
  t.deepEqual([last(f.priorities)?.priority, last(f.priorities)?.fault], [80, null]);
  await f.timers.advance(1000);
  await f.scripts.finish(0);
  await f.timers.advance(1000);
  await f.scripts.finish(0);
  t.is(last(f.priorities)?.priority, 100);
  t.deepEqual(f.events.filter((e) => e.event === 'track.script').map((e) => e.event === 'track.script' && e.up), [true, false, true]);
  f.tracker.close();
});

test('a weight 0 script holds the instance in FAULT until it succeeds, and faults it when it fails', async (t) => {
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('script', 'chk')])], syncGroups: [], tracking: tracking({ scripts: [script('chk')] }) });
  await f.tracker.start();
  t.is(last(f.priorities)?.fault, 'waiting for the first result of script chk');
  await f.scripts.finish(0);
  t.is(last(f.priorities)?.fault, null);
  await f.timers.advance(1000);
  await f.scripts.finish(2);
  t.is(last(f.priorities)?.fault, 'script chk down');
  f.tracker.close();
});

test('the script runs every interval from the previous start, with the timeout (or the interval) given', async (t) => {
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('script', 'a'), ref('script', 'b')])], syncGroups: [],
    tracking: tracking({ scripts: [script('a', { argv: ['/bin/a'], intervalMs: 2000, timeoutMs: 500, user: 'nobody' }), script('b', { argv: ['/bin/b'], intervalMs: 3000, timeoutMs: 0 })] }) });
  const starts: string[] = [];
  const run = f.scripts.run;
  await f.tracker.start();
  t.deepEqual(f.scripts.runs.map((r) => r.spec), [{ argv: ['/bin/a'], user: 'nobody', timeoutMs: 500 }, { argv: ['/bin/b'], user: undefined, timeoutMs: 3000 }]);
  for (let ms = 0; ms <= 6000; ms += 1000) {
    if (ms > 0) await f.timers.advance(1000);
    const fresh = f.scripts.runs.slice(starts.length);
    for (const r of fresh) starts.push(`${r.spec.argv[0]}@${ms}`);
    for (const r of fresh) r.finish(0);
    await flush();
  }
  t.is(run, f.scripts.run);
  t.deepEqual(starts.sort(), ['/bin/a@0', '/bin/a@2000', '/bin/a@4000', '/bin/a@6000', '/bin/b@0', '/bin/b@3000', '/bin/b@6000']);
  f.tracker.close();
});

test('a run still going when the next is due is skipped, not doubled', async (t) => {
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('script', 'chk')])], syncGroups: [], tracking: tracking({ scripts: [script('chk', { weight: 5 })] }) });
  await f.tracker.start();
  await f.timers.advance(1000);
  t.is(f.scripts.runs.length, 1);
  t.deepEqual(f.events.filter((e) => e.event === 'track.script.skip'), [{ event: 'track.script.skip', name: 'chk' }]);
  t.is(f.tracker.snapshot().scripts[0]?.skipped, 1);
  f.tracker.close();
  t.true(f.scripts.runs[0]?.cancelled, 'close cancels the running script');
  t.is(f.timers.size, 0, 'close leaves no timer');
});

test('track_interface with a weight moves the priority; weight 0 faults; reverse swaps', async (t) => {
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('interface', 'eth1', { weight: -30 }), ref('interface', 'eth2'), ref('interface', 'eth3', { weight: 10, reverse: true })])], syncGroups: [] });
  f.links.set('eth1', true);
  f.links.set('eth2', true);
  await f.tracker.start();
  t.deepEqual([last(f.priorities)?.priority, last(f.priorities)?.fault], [100, null], 'eth3 unknown counts as down');
  f.links.set('eth1', false);
  t.is(last(f.priorities)?.priority, 70);
  f.links.set('eth3', true);
  t.is(last(f.priorities)?.priority, 60);
  f.links.set('eth2', false);
  t.is(last(f.priorities)?.fault, 'interface eth2 down');
  f.tracker.close();
});

test('track_file: a value written to the file changes the priority after it settles', async (t) => {
  const files = new Map<string, string>([['/run/lvsd/prio', '5\n']]);
  const watchers: Array<(name: string | null) => void> = [];
  const onEvent = (name: string): void => watchers.forEach((w) => w(name));
  const fileAccess: FileAccess = {
    readHead: (p) => files.get(p), dirExists: () => true, realDir: (d) => d,
    writeInit: (p, v) => void files.set(p, `${v}\n`),
    watch: (_dir, cb) => { watchers.push(cb); return { close: () => undefined }; },
  };
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('file', 'tf', { weight: 2 })]), instance('VI_2', 100, [ref('file', 'init')])], syncGroups: [],
    tracking: tracking({ files: [file('tf', '/run/lvsd/prio'), file('init', '/run/lvsd/init', { init: 0, weight: 0 })] }) }, { fileAccess });
  await f.tracker.start();
  t.is(last(f.priorities)?.priority, 110);
  t.is(files.get('/run/lvsd/init'), '0\n', 'init creates the missing file');
  files.set('/run/lvsd/prio', '-100\n');
  onEvent('prio');
  await f.timers.advance(10);
  t.deepEqual([last(f.priorities)?.priority, last(f.priorities)?.fault], [1, null], '100 - 200, at least 1');
  files.set('/run/lvsd/prio', '-127\n');
  onEvent('prio');
  onEvent('prio');
  t.deepEqual([last(f.priorities)?.priority, last(f.priorities)?.fault], [1, null], 'not read before it settles');
  await f.timers.advance(10);
  t.is(last(f.priorities)?.fault, 'track_file tf has value -127', '-127 × 2 reaches -254: FAULT');
  files.delete('/run/lvsd/prio');
  onEvent('prio');
  await f.timers.advance(10);
  t.deepEqual([last(f.priorities)?.priority, last(f.priorities)?.fault], [100, null], 'a deleted file reads as 0');
  files.set('/run/lvsd/init', '1');
  onEvent('init');
  await f.timers.advance(10);
  t.is(last(f.priorities, 'VI_2')?.fault, 'track_file init has value 1');
  f.tracker.close();
});

function fakeProc(t: import('ava').ExecutionContext): { root: string; add: (pid: number, comm: string) => void; remove: (pid: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'lvsd-fproc-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    add: (pid, comm) => {
      mkdirSync(join(root, String(pid)), { recursive: true });
      writeFileSync(join(root, String(pid), 'stat'), `${pid} (${comm}) S 1`);
    },
    remove: (pid) => rmSync(join(root, String(pid)), { recursive: true, force: true }),
  };
}

test('track_process through connector events: an exit loses the quorum after terminate_delay', async (t) => {
  const p = fakeProc(t);
  p.add(100, 'haproxy');
  let events: ConnectorOptions | undefined;
  const connect: OpenConnector = async (o) => { events = o; return { ok: true, value: { close: () => undefined } }; };
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('process', 'hap')])], syncGroups: [],
    tracking: tracking({ processes: [proc('hap', 'haproxy', { weight: -50, terminateDelayMs: 2000 })] }) }, { connect, procRoot: p.root });
  await f.tracker.start();
  t.is(last(f.priorities)?.priority, 100);
  t.is(f.tracker.snapshot().processMode, 'events');
  p.remove(100);
  events?.onEvent({ kind: 'exit', pid: 100, exitCode: 0, exitSignal: 17 });
  await f.timers.advance(1999);
  t.is(last(f.priorities)?.priority, 100);
  await f.timers.advance(1);
  t.is(last(f.priorities)?.priority, 50);
  p.add(101, 'haproxy');
  events?.onEvent({ kind: 'exec', pid: 101 });
  t.is(last(f.priorities)?.priority, 100);
  t.deepEqual(f.tracker.snapshot().processes, [{ name: 'hap', up: true, count: 1 }]);
  f.tracker.close();
});

test('where the connector is refused, /proc is polled and that is said once', async (t) => {
  const p = fakeProc(t);
  p.add(100, 'haproxy');
  const connect: OpenConnector = async () => ({ ok: false, error: { code: 'ECONNREFUSED', message: 'set process event listen: Connection refused (ECONNREFUSED)' } });
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('process', 'hap')])], syncGroups: [], tracking: tracking({ processes: [proc('hap', 'haproxy')] }) }, { connect, procRoot: p.root });
  await f.tracker.start();
  t.is(last(f.priorities)?.fault, null);
  p.remove(100);
  await f.timers.advance(1000);
  t.is(last(f.priorities)?.fault, 'process hap down');
  await f.timers.advance(5000);
  t.is(f.events.filter((e) => e.event === 'track.process.polling').length, 1);
  t.is(f.tracker.snapshot().processMode, 'polling');
  f.tracker.close();
});

test('sync group tracks reach every member', async (t) => {
  const g = group('G', ['VI_1', 'VI_2'], { tracks: [ref('interface', 'eth1')] });
  const f = setup({ vrrp: [instance('VI_1', 100, []), instance('VI_2', 90, [])], syncGroups: [g] });
  f.links.set('eth1', true);
  await f.tracker.start();
  f.links.set('eth1', false);
  t.is(last(f.priorities, 'VI_1')?.fault, 'interface eth1 down');
  t.is(last(f.priorities, 'VI_2')?.fault, 'interface eth1 down');
  f.tracker.close();
});

test('update keeps unchanged scripts running and re-evaluates with new weights', async (t) => {
  const defs = tracking({ scripts: [script('chk', { weight: -20 })] });
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('script', 'chk')])], syncGroups: [], tracking: defs });
  await f.tracker.start();
  await f.scripts.finish(1);
  t.is(last(f.priorities)?.priority, 80);
  await f.tracker.update({ vrrp: [instance('VI_1', 100, [ref('script', 'chk', { weight: -40 })])], syncGroups: [], tracking: defs });
  t.is(f.scripts.runs.length, 1, 'not restarted');
  t.is(last(f.priorities)?.priority, 60);
  await f.tracker.update({ vrrp: [instance('VI_1', 100, [])], syncGroups: [], tracking: defs });
  t.is(last(f.priorities)?.priority, 100);
  t.true(f.scripts.runs[0]?.cancelled === false && f.tracker.snapshot().scripts.length === 0, 'an unused script is stopped');
  f.tracker.close();
});

test('unknown references are reported as events', async (t) => {
  const f = setup({ vrrp: [instance('VI_1', 100, [ref('script', 'nope')])], syncGroups: [] });
  await f.tracker.start();
  t.deepEqual(f.events, [{ event: 'track.dropped', instance: 'VI_1', kind: 'script', name: 'nope', why: 'no vrrp_script "nope"' }]);
  f.tracker.close();
});
