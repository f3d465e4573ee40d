/**
 * What the director tells the outside world about VRRP states, as keepalived 2.2.7 does
 * (vrrp_notify.c): for each state change of an instance or a sync group, the notify scripts
 * (notifyArgv, daemon/notify.ts, queued in order) and one line on the notify FIFOs
 * (daemon/notify-fifo.ts); STOP for everything on a graceful stop; effective-priority changes
 * on the FIFOs for instances with notify_priority_changes.
 */
import type { Config } from '../model/index.js';
import { notifyArgv, type NotifyJob } from './notify.js';
import type { FifoEvent } from './notify-fifo.js';

export interface NotifierParts {
  readonly notify: { enqueue(job: NotifyJob): void };
  readonly fifos?: { write(e: FifoEvent): void };
}

/** The states keepalived writes to its FIFOs (INIT is lvsd's own, never written). */
function isFifoState(state: string): boolean {
  return state === 'MASTER' || state === 'BACKUP' || state === 'FAULT' || state === 'STOP';
}

export class VrrpNotifier {
  /** Each instance's role and priority at its last change (keepalived passes its effective priority to notify ... STOP). */
  private readonly last = new Map<string, { role: string; priority: number }>();

  /** `config`: the configuration running now (a reload swaps it). */
  constructor(private readonly config: () => Config, private readonly parts: NotifierParts) {}

  /** An instance entered `state` (a worker 'role' message). */
  instance(name: string, state: string, priority: number): void {
    this.last.set(name, { role: state, priority });
    const cfg = this.config().vrrp.find((i) => i.name === name);
    if (!cfg) return;
    if (isFifoState(state)) this.parts.fifos?.write({ kind: 'INSTANCE', name, state, priority });
    for (const argv of notifyArgv(cfg, state, priority)) {
      this.parts.notify.enqueue({ argv, timeoutMs: cfg.notify.timeoutMs, label: `${name} ${state}` });
    }
  }

  /** A sync group entered `state` (the state comes from vrrp/sync-group.ts, the one place of that policy). */
  group(name: string, state: string): void {
    const g = this.config().syncGroups.find((x) => x.name === name);
    if (!g) return;
    if (isFifoState(state)) this.parts.fifos?.write({ kind: 'GROUP', name, state, priority: 0 });
    for (const argv of notifyArgv(g, state, 0)) this.parts.notify.enqueue({ argv, timeoutMs: g.notify.timeoutMs, label: `${g.name} ${state}` });
  }

  /**
   * keepalived notify_priority_changes (vrrp_track.c vrrp_set_effective_priority): a change of
   * the effective priority is written to the FIFOs, MASTER_PRIORITY while master, else
   * BACKUP_PRIORITY (FAULT included, as keepalived).
   */
  priority(name: string, priority: number): void {
    const last = this.last.get(name);
    if (last?.priority === priority) return;
    this.last.set(name, { role: last?.role ?? 'INIT', priority });
    if (last === undefined || this.config().vrrp.find((i) => i.name === name)?.notifyPriorityChanges !== true) return;
    this.parts.fifos?.write({ kind: 'INSTANCE', name, state: last.role === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', priority });
  }

  /**
   * keepalived vrrp_notify.c notify_shutdown: every instance, then every sync group, enters
   * STOP once its VIPs are released: notify_stop, then `notify ... STOP PRIORITY`, then the FIFOs.
   */
  stop(): void {
    const c = this.config();
    for (const i of c.vrrp) this.instance(i.name, 'STOP', this.last.get(i.name)?.priority ?? i.priority);
    for (const g of c.syncGroups) this.group(g.name, 'STOP');
  }
}
