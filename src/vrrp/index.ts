/**
 * The vrrp folder's public face for the main thread: the engine that runs the VRRP worker
 * (worker.ts, loaded only inside that worker, never from here) and the messages it posts.
 * It imports model, the src/ root files, native and net (docs/design.md "Layers").
 */
export { VrrpEngine, type VrrpSnapshot } from './engine.js';
export { dropVrrpWorker, prestartVrrpWorker } from './worker-start.js';
export type { DropReason } from './codec.js';
export type { FromWorker, InstanceCounters, InstanceSnapshot, TimerLateness, ToWorker } from './messages.js';
