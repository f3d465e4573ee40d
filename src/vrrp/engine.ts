/**
 * Main-thread handle on the VRRP worker: starts it, forwards commands, turns its messages
 * into events for the director. The worker owns all VRRP timing (docs/design.md "The VRRP worker": a busy main
 * loop must not delay adverts).
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { deserializeError } from '../errors.js';
import type { VrrpInstance, VrrpSyncGroup } from '../model/index.js';
import type { FromWorker, InitMessage, InstanceSnapshot, TimerLateness, ToWorker } from './messages.js';
import { takeVrrpWorker } from './worker-start.js';

export interface VrrpSnapshot {
  readonly instances: readonly InstanceSnapshot[];
  readonly lateness: TimerLateness;
}

export class VrrpEngine extends EventEmitter<{ message: [FromWorker]; exit: [number] }> {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (s: VrrpSnapshot) => void>();
  private readonly ready: Promise<void>;

  constructor(instances: readonly VrrpInstance[], syncGroups: readonly VrrpSyncGroup[], rtPriority = 0) {
    super();
    this.worker = takeVrrpWorker();
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: FromWorker): void => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'error' && m.instance === null && m.what === 'start vrrp worker') reject(deserializeError(m.error));
      };
      this.worker.on('message', onMsg);
      this.worker.once('exit', (code) => reject(new Error(`vrrp worker exited with code ${code}`)));
    });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'snapshot') {
        this.pending.get(m.id)?.({ instances: m.instances, lateness: m.lateness });
        this.pending.delete(m.id);
        return;
      }
      this.emit('message', m);
    });
    this.worker.on('exit', (code) => this.emit('exit', code));
    this.worker.postMessage({ type: 'init', init: { instances, syncGroups, rtPriority } } satisfies InitMessage);
  }

  async start(): Promise<void> {
    await this.ready;
    this.send({ type: 'start' });
  }

  reload(instances: readonly VrrpInstance[], syncGroups: readonly VrrpSyncGroup[]): void {
    this.send({ type: 'reload', instances, syncGroups });
  }

  /** Tracking changed an instance's effective priority or FAULT; kept by the worker across restarts of the instance. */
  track(instance: string, priority: number, fault: string | null): void {
    this.send({ type: 'track', instance, priority, fault });
  }

  snapshot(timeoutMs = 2000): Promise<VrrpSnapshot> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('vrrp worker did not answer a snapshot request'));
      }, timeoutMs);
      this.pending.set(id, (s) => {
        clearTimeout(t);
        resolve(s);
      });
      this.send({ type: 'snapshot', id });
    });
  }

  /** Graceful: masters send priority 0 and release their VIPs; resolves when the worker has ended. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    const exited = new Promise<boolean>((resolve) => this.worker.once('exit', () => resolve(true)));
    this.send({ type: 'shutdown' });
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    // The worker ends itself after 'stopped'; terminate only one that did not.
    if (!(await Promise.race([exited, timer]))) await this.worker.terminate();
  }

  private send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}
