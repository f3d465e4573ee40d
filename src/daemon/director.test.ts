import test from 'ava';
import { FakeClock } from '../clock.js';
import { MemoryIpvsBackend } from '../ipvs/index.js';
import type { InstanceTracking, TrackerSnapshot } from '../health/index.js';
import type { Config, VrrpSyncGroup } from '../model/index.js';
import { SyncManager } from '../sync/index.js';
import type { FromWorker } from '../vrrp/index.js';
import type { ControlHandlers } from '../control/index.js';
import { Director, type TrackingPart, type VrrpPart } from './director.js';
import { IpvsManager } from './ipvs-manager.js';
import { HealthRunner } from './health-runner.js';
import { FakeTimers } from '../health/index.js';
import { createLogger } from './logger.js';
import type { NotifyJob } from './notify.js';
import { readConfig, type ReadConfigResult } from './read-config.js';

const PATH = '/etc/lvsd/lvsd.conf';
const BASE = `director { clean-stop yes }
vrrp VI_1 { interface eth0 ; vrid 1 ; vip 192.0.2.10 ; notify-master /bin/echo master }
sync-group G { members VI_1 ; notify-fault /bin/echo group-fault }
service tcp 192.0.2.10:80 { real 10.0.0.1 ; real 10.0.0.2 }
service tcp 192.0.2.10:443 { real 10.0.0.1 }
`;

class FakeVrrp implements VrrpPart {
  readonly reloads: Array<{ instances: readonly string[]; groups: readonly VrrpSyncGroup[] }> = [];
  started = false;
  stopped = false;
  constructor(readonly config: Config, readonly send: (m: FromWorker) => void) {}
  readonly tracked: string[] = [];
  async start(): Promise<void> { this.started = true; }
  track(instance: string, priority: number, fault: string | null): void {
    this.tracked.push(`${instance} ${priority} ${fault ?? '-'}${this.started ? '' : ' (before start)'}`);
  }
  reload(instances: Config['vrrp'], groups: readonly VrrpSyncGroup[]): void { this.reloads.push({ instances: instances.map((i) => i.name), groups }); }
  async snapshot() { return { instances: [], lateness: { samples: 3, maxUs: 40, p99Us: 40 } }; }
  async shutdown(): Promise<void> { this.stopped = true; }
}

/** A tracker that reports what the test sets: the TrackingPart the wiring builds from src/health/track. */
class FakeTracking implements TrackingPart {
  readonly now = new Map<string, InstanceTracking>();
  onPriority: (p: InstanceTracking) => void = () => undefined;
  closed = false;
  async update(): Promise<void> {}
  current(name: string): InstanceTracking | undefined { return this.now.get(name); }
  snapshot(): TrackerSnapshot { return { instances: [...this.now.values()], scripts: [], files: [], processes: [], processMode: 'none' }; }
  close(): void { this.closed = true; }
  set(p: InstanceTracking): void { this.now.set(p.instance, p); this.onPriority(p); }
}

function harness(o: { schedulers?: readonly string[]; text?: string; tracking?: FakeTracking } = {}) {
  const files = new Map([[PATH, o.text ?? BASE]]);
  const clock = new FakeClock();
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', stream: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) } });
  const backend = new MemoryIpvsBackend(o.schedulers ? { schedulers: o.schedulers } : {});
  const jobs: NotifyJob[] = [];
  const engines: FakeVrrp[] = [];
  let handlers: ControlHandlers = {};
  let listening = false;
  // The native format has no tracking keywords yet: the test adds a tracked script to VI_1 in the model.
  const withTracks = (r: ReadConfigResult): ReadConfigResult => (!r.ok || !o.tracking ? r
    : { ...r, config: { ...r.config, vrrp: r.config.vrrp.map((i) => ({ ...i, tracks: [{ kind: 'script' as const, name: 'chk', at: i.at }] })) } });
  const read = (path: string) => withTracks(readConfig(path, { files: {
    readFile: (p) => { const text = files.get(p); if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' }); return text; },
    listDir: () => [],
  } }));
  const first = read(PATH);
  if (!first.ok) throw new Error(JSON.stringify(first.diagnostics));
  const ipvs = new IpvsManager({ log, time: clock, openBackend: async () => backend });
  const notify = { enqueue: (j: NotifyJob) => jobs.push(j), idle: async () => true };
  // The real HealthRunner: these configs have no checks, so every real server is alive.
  const health = new HealthRunner({
    log, ipvs, notify, clock, timers: new FakeTimers(clock), random: () => 0, nowMs: () => clock.nowMs(), checkers: () => new Map(), self: { uid: 0, gid: 0 },
  });
  const d = new Director(first.config, {
    log, time: clock, readConfig: read, pid: 4242, ipvs, health,
    sync: new SyncManager({ log, nowMs: () => clock.nowMs(), open: async () => backend }),
    notify,
    control: { listen: async (h) => { handlers = h; listening = true; }, close: async () => { listening = false; } },
    startTracking: async (_c, onPriority) => {
      if (!o.tracking) throw new Error('this config tracks nothing');
      o.tracking.onPriority = onPriority;
      return o.tracking;
    },
    startVrrp: (c, events) => {
      const e = new FakeVrrp(c, events.message);
      engines.push(e);
      return e;
    },
  });
  return { d, files, clock, lines, backend, jobs, engines, handlers: () => handlers, listening: () => listening };
}

const ports = async (b: MemoryIpvsBackend): Promise<string[]> =>
  (await b.dump()).map((s) => `${s.service.port}: ${s.dests.map((x) => `${x.addr} w${x.weight}`).join(', ')}`);

test('start programs IPVS, starts VRRP and serves the control socket', async (t) => {
  const h = harness();
  await h.d.start();
  t.deepEqual(await ports(h.backend), ['80: 10.0.0.2 w1, 10.0.0.1 w1', '443: 10.0.0.1 w1']);
  t.true(h.engines[0]?.started);
  t.true(h.listening());
  t.deepEqual(await h.handlers().ping?.(undefined), { pid: 4242 });
  t.like(await h.handlers().status?.(undefined), { config: PATH, format: 'native', ipvs: { backend: 'memory', opsApplied: 5 }, vrrpTimerLateness: { p99Us: 40 } });
});

test('reload: a bad file changes nothing and says why; a good one applies only the difference', async (t) => {
  const h = harness();
  await h.d.start();
  const opsBefore = h.backend.history.length;
  h.files.set(PATH, BASE.replace('real 10.0.0.1 ; real 10.0.0.2', 'real 10.0.0.1 weight 7 ; real 10.0.0.2 port http').replace('vrid 1', 'vrid 2'));
  const refused = await h.d.reload();
  const why = { at: { file: PATH, line: 4, col: 68 }, severity: 'error',
    message: 'expected a real server option (weight, forward, upper, lower, tunnel-type, tunnel-port, tunnel-csum), got "port"' };
  t.deepEqual(refused, { ok: false, diagnostics: [why] }, 'the reason as a value: file, line, column, severity, message');
  t.like(h.lines.find((l) => l.event === 'config.reload'), { ok: false, level: 50, diagnostics: [why] });
  t.is(h.backend.history.length, opsBefore, 'not one IPVS operation');
  t.deepEqual(h.engines[0]?.reloads, [], 'VRRP untouched');
  t.deepEqual(await ports(h.backend), ['80: 10.0.0.2 w1, 10.0.0.1 w1', '443: 10.0.0.1 w1']);

  h.files.set(PATH, BASE.replace('real 10.0.0.1 ; real 10.0.0.2', 'real 10.0.0.1 weight 7 ; real 10.0.0.2').replace('vrid 1', 'vrid 2'));
  const r = await h.d.reload();
  t.deepEqual(r, { ok: true, changed: ['ipvs: 1 operation(s)', 'vrrp'], diagnostics: [] });
  t.deepEqual(h.backend.history.slice(opsBefore).map((x) => x.op.op), ['edit-dest'], 'the one weight, nothing else');
  t.deepEqual(h.engines[0]?.reloads.map((x) => x.instances), [['VI_1']]);
  t.is(h.engines.length, 1, 'the running worker reloads; no second one');
});

test('drain and enable through the control handlers; a drain survives a reload, a refused reload changes nothing', async (t) => {
  const h = harness();
  await h.d.start();
  t.like(await h.handlers().drain?.({ service: '192.0.2.10:80', realServer: '10.0.0.2:80' }), { weight: 0, override: 'drain', changed: true });
  t.deepEqual(await ports(h.backend), ['80: 10.0.0.2 w0, 10.0.0.1 w1', '443: 10.0.0.1 w1']);
  h.files.set(PATH, BASE.replace('real 10.0.0.1 ; real 10.0.0.2', 'real 10.0.0.1 weight 3 ; real 10.0.0.2'));
  t.like(await h.d.reload(), { ok: true, changed: ['ipvs: 1 operation(s)'] });
  t.deepEqual(await ports(h.backend), ['80: 10.0.0.2 w0, 10.0.0.1 w3', '443: 10.0.0.1 w1'], 'still drained after the reload');
  h.files.set(PATH, 'nonsense');
  t.like(await h.d.reload(), { ok: false });
  t.like((await h.handlers().checks?.(undefined))?.[0]?.reals[1], { realServer: '10.0.0.2:80', weight: 0, configuredWeight: 1, override: 'drain' });
  await t.throwsAsync(h.handlers().drain?.({ service: '192.0.2.10:80', realServer: '10.0.0.9:80' }) ?? Promise.resolve(), { message: 'no real server 10.0.0.9:80 in TCP 192.0.2.10:80' });
  t.like(await h.handlers().enable?.({ service: '192.0.2.10:80', realServer: '10.0.0.2' }), { weight: 1, override: null });
  t.deepEqual(await ports(h.backend), ['80: 10.0.0.2 w1, 10.0.0.1 w3', '443: 10.0.0.1 w1']);
});

test('a reload whose operation the kernel refuses reports it; the others are applied', async (t) => {
  const h = harness({ schedulers: ['wlc'] });
  await h.d.start();
  h.files.set(PATH, `${BASE}service tcp 192.0.2.10:8080 { scheduler mh ; real 10.0.0.3 }\nservice tcp 192.0.2.10:8081 { real 10.0.0.3 }\n`);
  t.deepEqual(await h.d.reload(), { ok: true, changed: ['ipvs: 4 operation(s), 2 refused'], diagnostics: [] });
  t.deepEqual(h.lines.filter((l) => l.event === 'ipvs.op').map((l) => (l.err as { message: string }).message), [
    'add virtual service TCP 192.0.2.10:8080: scheduler or persistence engine not found (ENOENT)',
    'add real server 10.0.0.3:8080 to TCP 192.0.2.10:8080: no such virtual service (ESRCH)',
  ]);
  t.true((await ports(h.backend)).includes('8081: 10.0.0.3 w1'));
});

test('worker events: notify scripts for instances and sync groups, drops summarised per period', async (t) => {
  const h = harness();
  await h.d.start();
  const send = h.engines[0]?.send ?? (() => undefined);
  send({ type: 'role', atMs: 0, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master down', priority: 100, masterAddress: '198.51.100.2' });
  send({ type: 'group', atMs: 0, group: 'G', state: 'FAULT' });
  t.deepEqual(h.jobs.map((j) => j.argv.join(' ')), ['/bin/echo master', '/bin/echo group-fault']);
  t.like(h.lines.find((l) => l.event === 'vrrp.group'), { group: 'G', state: 'FAULT' });
  for (let i = 0; i < 4; i++) send({ type: 'drop', atMs: 0, instance: 'VI_1', reason: 'ttl', from: '198.51.100.9', count: 1 });
  const drops = (): unknown[] => h.lines.filter((l) => l.event === 'vrrp.drop').map((l) => l.count);
  t.deepEqual(drops(), [1], 'the first at once');
  h.clock.advanceMs(5000);
  t.deepEqual(drops(), [1, 3], 'the rest in one line after the period');
});

test('stop: every instance, then every sync group, enters STOP: notify-stop, then notify with STOP and the last priority', async (t) => {
  const text = BASE.replace('notify-master /bin/echo master', 'notify-master /bin/echo master ; notify-stop /bin/echo stop ; notify /bin/echo any')
    .replace('notify-fault /bin/echo group-fault', 'notify /bin/echo group');
  const h = harness({ text });
  await h.d.start();
  h.engines[0]?.send({ type: 'role', atMs: 0, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master down', priority: 90, masterAddress: null });
  h.jobs.length = 0;
  await h.d.stop();
  t.deepEqual(h.jobs.map((j) => j.argv.join(' ')), ['/bin/echo stop', '/bin/echo any INSTANCE VI_1 STOP 90', '/bin/echo group GROUP G STOP 0']);
});

test('stop: VRRP shut down, clean-stop removes our services, control closed', async (t) => {
  const h = harness();
  await h.d.start();
  await h.d.stop();
  t.true(h.engines[0]?.stopped);
  t.false(h.listening());
  await t.throwsAsync(h.backend.dump(), { code: 'EBADF' }, 'the backend is closed');
  t.deepEqual(h.backend.history.slice(-2).map((x) => x.op.op), ['del-service', 'del-service']);
});

test('the kernel sync daemon follows the VRRP role through the same in-memory kernel', async (t) => {
  const h = harness({ text: `${BASE}sync-daemon { interface eth0 ; follow VI_1 }\n` });
  await h.d.start();
  t.deepEqual(await h.backend.getDaemons(), [], 'nothing before the followed instance has a role');
  const send = h.engines[0]?.send ?? (() => undefined);
  send({ type: 'role', atMs: 0, instance: 'VI_1', from: 'INIT', to: 'BACKUP', reason: 'startup', priority: 100, masterAddress: null });
  await new Promise((r) => setImmediate(r)); // the round the role caused (the in-memory kernel answers at once)
  t.like(await h.backend.getDaemons(), [{ state: 'backup', mcastIfn: 'eth0', syncId: 1 }]);
  t.like(await h.handlers().sync?.(undefined), { configured: true, role: 'BACKUP' }, 'lvsctl sync is served');
  send({ type: 'role', atMs: 0, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master down', priority: 100, masterAddress: '198.51.100.2' });
  await new Promise((r) => setImmediate(r));
  t.like(await h.backend.getDaemons(), [{ state: 'master', mcastIfn: 'eth0', syncId: 1 }]);
  await h.d.stop();
  t.like(h.lines.filter((l) => l.event === 'sync.apply').at(-1), { running: [] }, 'a graceful stop stops what lvsd owns');
});

test('tracking: the worker learns tracked priorities before its instances start, then every change; closed on stop', async (t) => {
  const tracking = new FakeTracking();
  tracking.now.set('VI_1', { instance: 'VI_1', configured: 100, priority: 80, fault: null, effects: [] });
  const h = harness({ tracking });
  await h.d.start();
  t.deepEqual(h.engines[0]?.tracked, ['VI_1 80 - (before start)']);
  tracking.set({ instance: 'VI_1', configured: 100, priority: 100, fault: 'script chk down', effects: [] });
  t.deepEqual(h.engines[0]?.tracked, ['VI_1 80 - (before start)', 'VI_1 100 script chk down']);
  t.like(await h.handlers().status?.(undefined), { tracking: { instances: [{ instance: 'VI_1', fault: 'script chk down' }] } });
  await h.d.stop();
  t.true(tracking.closed);
});
