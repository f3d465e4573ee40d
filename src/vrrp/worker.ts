/**
 * VRRP worker entry (worker_threads): the composition root of the worker thread. It opens the
 * real parts (VIP manager, shared VRRP sockets, link watcher, announcer, system time), hands
 * them to a VrrpSupervisor (supervisor.ts), and turns main-thread messages into its calls.
 * Owning the sockets, the VIPs and their announcements here means a busy main thread (checks,
 * IPVS dumps, GC) cannot delay an advert or a takeover. Talks to the main thread only through
 * messages.ts.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { systemTime, type OneShotTimer } from '../clock.js';
import { openRouteManager, openVipManager, openVmacManager, sendGarp, sendUnsolicitedNa } from '../net/index.js';
import { serializeError } from '../errors.js';
import { loadNative, toKernelError } from '../native/index.js';
import { LinkTracker } from './link-tracker.js';
import type { FromWorker, InitMessage, ToWorker, WorkerInit } from './messages.js';
import type { Announcer } from './owner.js';
import { TransportPool } from './pool.js';
import { VrrpSupervisor } from './supervisor.js';
import { LatenessRecorder } from './timers.js';
import { openVrrpTransport } from './transport.js';
import { Vmacs } from './vmacs.js';

const announcer: Announcer = {
  announce: (dev, address, family) => (family === 4 ? sendGarp(dev, address) : sendUnsolicitedNa(dev, address)),
};

/**
 * Real-time scheduling for this thread only, as keepalived's vrrp_rt_priority: a busy host
 * (the main thread's checks, other processes) must not make adverts late. Failure is
 * reported, not fatal.
 */
function raisePriority(priority: number, post: (m: FromWorker) => void): void {
  if (priority <= 0) return;
  const what = `set SCHED_RR priority ${priority} for the vrrp worker`;
  try {
    loadNative().threadRealtime(priority);
  } catch (e) {
    post({ type: 'error', atMs: systemTime.nowMs(), instance: null, what, error: serializeError(toKernelError(e, 'set SCHED_RR priority', `${priority} for the vrrp worker`)) });
  }
}

/** The runners' deadlines on libuv timers of this thread (native/timer.c): a moved deadline costs no wakeup. */
function nativeOneShot(fn: () => void): OneShotTimer {
  const native = loadNative();
  const h = native.timerOpen(fn);
  return { start: (delayMs) => native.timerStart(h, delayMs), stop: () => native.timerStop(h), close: () => native.timerClose(h) };
}

async function main(port: MessagePort, init: WorkerInit): Promise<void> {
  const post = (m: FromWorker): void => port.postMessage(m);
  const workerError = (what: string) => (e: Error): void =>
    post({ type: 'error', atMs: systemTime.nowMs(), instance: null, what, error: serializeError(e) });
  raisePriority(init.rtPriority, post);
  const vips = await openVipManager();
  const routes = await openRouteManager();
  const vmacManager = await openVmacManager();
  const vmacs = new Vmacs(vmacManager, (e, what) => workerError(what)(e instanceof Error ? e : new Error(String(e))));
  let instances = init.instances;
  const pool = new TransportPool(openVrrpTransport, (e, where) => workerError(where)(e));
  const links = await LinkTracker.open(workerError('link watcher'));
  const lateness = new LatenessRecorder();
  const supervisor = new VrrpSupervisor(init.syncGroups, { time: systemTime, post, transports: pool, links, vips, routes, announcer, lateness, oneShot: nativeOneShot });
  const shutdown = async (): Promise<void> => {
    await supervisor.shutdown();
    await vmacs.prune([]);
    vmacManager.close();
    links.close();
    pool.closeAll();
    vips.close();
    routes.close();
    post({ type: 'stopped' });
    // Let the thread end on its own once the sockets' close callbacks have run: terminating
    // it from outside while the netlink package still has a close pending aborts the process.
    port.close();
  };
  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'start':
        void vmacs.add(init.instances).then(() => supervisor.start(init.instances)).then(() => post({ type: 'started' }));
        return;
      case 'shutdown':
        void shutdown();
        return;
      case 'reload':
        instances = m.instances;
        void vmacs.add(m.instances).then(() => supervisor.reload(m.instances, m.syncGroups)).then(() => vmacs.prune(instances));
        return;
      case 'track':
        supervisor.track(m.instance, m.priority, m.fault);
        return;
      case 'snapshot':
        post({ type: 'snapshot', id: m.id, instances: supervisor.snapshot(), lateness: lateness.summary() });
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  });
  post({ type: 'ready' });
}

const port = parentPort;
if (!port) throw new Error('vrrp/worker.ts must run in a worker thread');
// The configuration comes as the first message (worker-start.ts); the port queues it until then.
const first = new Promise<WorkerInit>((resolve) => port.once('message', (m: InitMessage) => resolve(m.init)));
first.then((init) => main(port, init)).catch((e: unknown) => {
  port.postMessage({ type: 'error', atMs: systemTime.nowMs(), instance: null, what: 'start vrrp worker', error: serializeError(e) } satisfies FromWorker);
  process.exit(1);
});
