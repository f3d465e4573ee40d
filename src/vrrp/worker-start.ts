/**
 * Starting the VRRP worker thread. A worker boots a Node environment of its own and loads its
 * modules, about 1.5 s under the lab's emulation. `lvsd -n` starts it before the main thread
 * loads the director (cli/lvsd.ts), so the two loads overlap; the engine then takes that worker
 * and sends it the instances (its first message, `InitMessage`). A director without VRRP
 * instances ends it. cli/lvsd.ts reaches it through vrrp/index.ts: the engine and errors.ts
 * come along, the director's modules do not.
 */
import { Worker } from 'node:worker_threads';

let early: { worker: Worker; exited: boolean; ignore: () => void; onExit: () => void } | undefined;

function spawnWorker(): Worker {
  return new Worker(new URL('./worker-entry.js', import.meta.url));
}

/** Starts the worker now, unreferenced (it keeps nothing alive until taken); returns it. */
export function prestartVrrpWorker(): Worker {
  if (early) return early.worker;
  const worker = spawnWorker();
  worker.unref();
  // Until the engine takes it, a worker that fails is replaced by a new one at takeVrrpWorker,
  // which reports the failure where the engine listens.
  const slot = { worker, exited: false, ignore: () => undefined, onExit: () => (slot.exited = true) };
  worker.on('error', slot.ignore);
  worker.once('exit', slot.onExit);
  early = slot;
  return worker;
}

/** The early worker when it is still alive, else a new one; referenced again. */
export function takeVrrpWorker(): Worker {
  const slot = early;
  early = undefined;
  if (!slot || slot.exited) return spawnWorker();
  slot.worker.off('error', slot.ignore).off('exit', slot.onExit);
  slot.worker.ref();
  return slot.worker;
}

/** Ends an early worker nobody took (no VRRP instance in the configuration). */
export function dropVrrpWorker(): void {
  const slot = early;
  early = undefined;
  if (slot && !slot.exited) void slot.worker.terminate();
}
