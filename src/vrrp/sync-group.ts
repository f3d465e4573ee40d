/**
 * vrrp_sync_group (keepalived): members fail together. When one member enters FAULT the
 * others are put in FAULT too, and they leave it when no member is in fault any more.
 * Pure bookkeeping: `onRole` returns what to do with the other members.
 *
 * Not (yet) done: keepalived also forces the other members to MASTER/BACKUP when one of
 * them changes between those two; here they follow through their own elections.
 */
import type { VrrpSyncGroup } from '../model/types.js';
import type { Role } from './messages.js';

export type SyncAction = { readonly instance: string; readonly action: 'fault' | 'clear'; readonly reason: string };

export class SyncGroups {
  private readonly groupOf = new Map<string, VrrpSyncGroup>();
  /** Members in FAULT on their own account (not because of the group). */
  private readonly ownFault = new Set<string>();

  constructor(groups: readonly VrrpSyncGroup[]) {
    for (const g of groups) for (const m of g.members) this.groupOf.set(m, g);
  }

  /** Why a member starting now must start in FAULT: another member of its group is in FAULT on its own account. */
  startFault(instance: string): string | undefined {
    const g = this.groupOf.get(instance);
    const other = g?.members.find((m) => m !== instance && this.ownFault.has(m));
    return g && other !== undefined ? `sync group ${g.name}: ${other} in fault` : undefined;
  }

  /** A member changed role; `forced` when that change was our own 'fault'/'clear' action. */
  onRole(instance: string, from: Role, to: Role, forced: boolean): SyncAction[] {
    const g = this.groupOf.get(instance);
    if (!g || forced) return [];
    const others = g.members.filter((m) => m !== instance);
    if (to === 'FAULT') {
      const first = ![...this.ownFault].some((m) => g.members.includes(m));
      this.ownFault.add(instance);
      return first ? others.filter((m) => !this.ownFault.has(m)).map((m) => ({ instance: m, action: 'fault', reason: `sync group ${g.name}: ${instance} in fault` })) : [];
    }
    if (from === 'FAULT') {
      this.ownFault.delete(instance);
      const stillFaulty = g.members.some((m) => this.ownFault.has(m));
      return stillFaulty ? [] : others.map((m) => ({ instance: m, action: 'clear', reason: `sync group ${g.name}: no member in fault` }));
    }
    return [];
  }
}
