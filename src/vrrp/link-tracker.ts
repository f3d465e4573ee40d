/**
 * FAULT on link loss (keepalived semantics): an instance is in fault while its own
 * interface or any `track_interface` is down (not IFF_UP && IFF_RUNNING), and leaves
 * fault when all of them are up again.
 */
import type { VrrpInstance } from '../model/index.js';
import { type LinkWatcher, openLinkWatcher } from '../net/index.js';

interface Watch {
  readonly ifnames: readonly string[];
  readonly fault: (why: string) => void;
  readonly clear: () => void;
  faulted: boolean;
}

export class LinkTracker {
  private readonly watches = new Map<string, Watch>();
  private watcher: LinkWatcher | undefined;

  static async open(onError?: (e: Error) => void): Promise<LinkTracker> {
    const t = new LinkTracker();
    t.watcher = await openLinkWatcher({ onChange: () => t.evaluateAll(), onError });
    return t;
  }

  watch(cfg: VrrpInstance, cb: { fault: (why: string) => void; clear: () => void }): void {
    const w: Watch = { ifnames: [cfg.interface, ...cfg.trackInterfaces], fault: cb.fault, clear: cb.clear, faulted: false };
    this.watches.set(cfg.name, w);
    this.evaluate(w);
  }

  unwatch(name: string): void {
    this.watches.delete(name);
  }

  close(): void {
    this.watcher?.close();
    this.watches.clear();
  }

  private evaluateAll(): void {
    for (const w of this.watches.values()) this.evaluate(w);
  }

  private evaluate(w: Watch): void {
    const down = w.ifnames.filter((n) => this.watcher?.state(n)?.up !== true);
    if (down.length > 0 && !w.faulted) {
      w.faulted = true;
      w.fault(`link down: ${down.join(', ')}`);
    } else if (down.length === 0 && w.faulted) {
      w.faulted = false;
      w.clear();
    }
  }
}
