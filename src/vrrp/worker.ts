/**
 * VRRP worker entry (worker_threads). Owns the VRRP sockets, one InstanceRunner per
 * instance, the VIPs and their announcements, so a busy main thread (checks, IPVS dumps,
 * GC) cannot delay an advert or a takeover. Talks to the main thread only through
 * messages.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { monotonicClock } from '../clock.js';
import type { VrrpInstance } from '../model/types.js';
import type { FromWorker, ToWorker, WorkerInit } from './messages.js';
import { InstanceRunner } from './runner.js';
import { LatenessRecorder } from './timers.js';
import { Owner } from './owner.js';
import { TransportPool } from './pool.js';
import { openVipManager, type VipManager } from '../net/vip.js';
import { LinkTracker } from './link-tracker.js';
import { SyncGroups } from './sync-group.js';
import { FaultGate } from './fault-gate.js';
import { loadNative } from '../native/index.js';

const port = parentPort;
if (!port) throw new Error('vrrp/worker.ts must run in a worker thread');

const post = (m: FromWorker): void => port.postMessage(m);
const lateness = new LatenessRecorder();
const runners = new Map<string, InstanceRunner>();
let vips: VipManager;
let pool: TransportPool;
let links: LinkTracker;
let groups = new SyncGroups((workerData as WorkerInit).syncGroups);
/** Instances whose current fault/clear came from their sync group (not to be cascaded again). */
const forced = new Set<string>();
/** Per instance: link, tracking and sync group faults combined into the machine's one flag. */
const gates = new Map<string, FaultGate>();
/** The last 'track' message per instance (the tracker is the authority on effective priority). */
const tracked = new Map<string, { readonly priority: number; readonly fault: string | null }>();

function applyTrack(name: string): void {
  const t = tracked.get(name);
  const r = runners.get(name);
  if (!t || !r) return;
  r.setPriority(t.priority);
  gates.get(name)?.set('track', t.fault);
}

function onRole(m: FromWorker): void {
  post(m);
  if (m.type !== 'role') return;
  const wasForced = forced.delete(m.instance);
  for (const a of groups.onRole(m.instance, m.from, m.to, wasForced)) {
    const g = gates.get(a.instance);
    if (!g) continue;
    forced.add(a.instance); // before set(): the role change it causes comes back through onRole at once
    if (!g.set('sync', a.action === 'fault' ? a.reason : null)) forced.delete(a.instance);
  }
}

function startInstance(cfg: VrrpInstance): void {
  const transport = pool.acquire(cfg, (p) => runners.get(cfg.name)?.onPacket(p));
  const owner = new Owner(cfg, { vips, post, ifname: cfg.interface, onAnnounced: () => {
    const r = runners.get(cfg.name);
    if (r) r.counters.garpsSent++;
  } });
  const runner = new InstanceRunner(cfg, {
    clock: monotonicClock,
    localAddress: cfg.unicastSrc ?? transport.localAddress,
    send: (buf, dst) => transport.send(buf, dst),
    drain: () => pool.drain(cfg),
    becomeOwner: () => owner.take(),
    prepareOwner: () => owner.prepare(),
    release: () => owner.release(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
    post: onRole,
    lateness,
  });
  runners.set(cfg.name, runner);
  const gate = new FaultGate(runner);
  gates.set(cfg.name, gate);
  applyTrack(cfg.name);
  const groupFault = groups.startFault(cfg.name);
  if (groupFault !== undefined) {
    forced.add(cfg.name);
    if (!gate.set('sync', groupFault)) forced.delete(cfg.name);
  }
  runner.start();
  links.watch(cfg, { fault: (why) => gate.set('link', why), clear: () => gate.set('link', null) });
}

async function stopInstance(name: string): Promise<void> {
  const r = runners.get(name);
  if (!r) return;
  await r.shutdown();
  r.close();
  runners.delete(name);
  gates.delete(name);
  links.unwatch(name);
  pool.release(r.cfg);
}

/** Instances compared without their source locations. */
function sameConfig(a: VrrpInstance, b: VrrpInstance): boolean {
  const strip = (x: VrrpInstance): string => JSON.stringify(x, (k, v: unknown) => (k === 'at' ? undefined : v));
  return strip(a) === strip(b);
}

async function reload(next: readonly VrrpInstance[]): Promise<void> {
  const byName = new Map(next.map((i) => [i.name, i]));
  const added: string[] = [], removed: string[] = [], changed: string[] = [];
  for (const name of [...runners.keys()]) {
    if (!byName.has(name)) {
      removed.push(name);
      await stopInstance(name);
    }
  }
  for (const cfg of next) {
    const cur = runners.get(cfg.name);
    if (!cur) {
      added.push(cfg.name);
      startInstance(cfg);
    } else if (!sameConfig(cur.cfg, cfg)) {
      changed.push(cfg.name);
      if (sameConfig({ ...cur.cfg, priority: cfg.priority }, cfg)) {
        cur.setPriority(tracked.get(cfg.name)?.priority ?? cfg.priority);
        (cur as { cfg: VrrpInstance }).cfg = cfg;
      } else {
        await stopInstance(cfg.name);
        startInstance(cfg);
      }
    }
  }
  post({ type: 'reloaded', added, removed, changed });
}

async function shutdown(): Promise<void> {
  await Promise.all([...runners.keys()].map((n) => stopInstance(n)));
  links.close();
  pool.closeAll();
  vips.close();
  post({ type: 'stopped' });
  // Let the thread end on its own once the sockets' close callbacks have run: terminating
  // it from outside while the netlink package still has a close pending aborts the process.
  port!.close();
}

/**
 * Real-time scheduling for this thread only, as keepalived's vrrp_rt_priority: a busy host
 * (the main thread's checks, other processes) must not make adverts late. Failure is
 * reported, not fatal.
 */
function raisePriority(priority: number): void {
  if (priority <= 0) return;
  try {
    loadNative().threadRealtime(priority);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    post({ type: 'error', atMs: Date.now(), instance: null, what: `set SCHED_RR priority ${priority} for the vrrp worker`, code: err.code ?? 'EPERM', message: err.message });
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  raisePriority(init.rtPriority);
  vips = await openVipManager();
  pool = new TransportPool((e, where) =>
    post({ type: 'error', atMs: Date.now(), instance: null, what: where, code: (e as NodeJS.ErrnoException).code ?? 'EIO', message: e.message }));
  links = await LinkTracker.open((e) =>
    post({ type: 'error', atMs: Date.now(), instance: null, what: 'link watcher', code: (e as NodeJS.ErrnoException).code ?? 'EIO', message: e.message }));
  port!.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'start':
        for (const cfg of init.instances) startInstance(cfg);
        post({ type: 'started' });
        return;
      case 'shutdown':
        void shutdown();
        return;
      case 'reload':
        groups = new SyncGroups(m.syncGroups);
        void reload(m.instances);
        return;
      case 'track':
        tracked.set(m.instance, { priority: m.priority, fault: m.fault });
        applyTrack(m.instance);
        return;
      case 'snapshot':
        post({ type: 'snapshot', id: m.id, instances: [...runners.values()].map((r) => r.snapshot()), lateness: lateness.summary() });
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  });
  post({ type: 'ready' });
}

main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  post({ type: 'error', atMs: Date.now(), instance: null, what: 'start vrrp worker', code: err.code ?? 'EFAULT', message: String(err.message ?? e) });
  process.exit(1);
});
