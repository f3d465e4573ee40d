/**
 * vrrp_sync_group (keepalived), the whole policy in one place:
 *  - members fail together: when one member enters FAULT on its own account the others are
 *    put in FAULT too, and they leave it when no member is in fault on its own any more; a
 *    member that starts (or restarts on reload) while another is in fault starts in FAULT;
 *  - the group has a state of its own, for its notify scripts and the `vrrp.group` log line:
 *    FAULT as soon as one member is in FAULT, otherwise the state all members agree on
 *    (none while they disagree or are still starting).
 * No I/O: the caller feeds every member's role change to `onRole` and carries out what the
 * hooks ask (the worker calls the runner's fault()/faultClear() and posts the group state).
 * A forced change comes back through `onRole` while its hook runs; it is recognised as forced
 * (so it does not cascade) by that nesting, with no flag left behind if the runner ignores it.
 *
 * Not (yet) done: keepalived also forces the other members to MASTER/BACKUP when one of
 * them changes between those two; here they follow through their own elections.
 */
import type { VrrpRole, VrrpSyncGroup } from '../model/index.js';

export type SyncAction = { readonly instance: string; readonly action: 'fault' | 'clear'; readonly reason: string };

export interface SyncGroupHooks {
  /** Put a member in FAULT or take it out of the group's fault. */
  readonly force: (a: SyncAction) => void;
  /** The group's own state changed (never reported: INIT, or members that disagree). */
  readonly groupState: (group: VrrpSyncGroup, state: VrrpRole) => void;
}

export class SyncGroups {
  private groupOf = new Map<string, VrrpSyncGroup>();
  private readonly roles = new Map<string, VrrpRole>();
  /** Members in FAULT on their own account (not because of the group). */
  private readonly ownFault = new Set<string>();
  /** Members whose forced change is being carried out right now. */
  private readonly forcing = new Set<string>();
  /** Last state reported per group name. */
  private readonly reported = new Map<string, VrrpRole>();

  constructor(groups: readonly VrrpSyncGroup[], private readonly hooks: SyncGroupHooks) {
    this.reconfigure(groups);
  }

  /** New group definitions (reload): members' roles, own faults and reported states are kept. */
  reconfigure(groups: readonly VrrpSyncGroup[]): void {
    this.groupOf = new Map();
    for (const g of groups) for (const m of g.members) this.groupOf.set(m, g);
    for (const name of [...this.reported.keys()]) if (!groups.some((g) => g.name === name)) this.reported.delete(name);
  }

  /** Whether the instance is a member of a sync group. */
  member(instance: string): boolean {
    return this.groupOf.has(instance);
  }

  /** Why a member starting now must start in FAULT: another member of its group is in FAULT on its own account. */
  startFault(instance: string): string | undefined {
    const g = this.groupOf.get(instance);
    const other = g?.members.find((m) => m !== instance && this.ownFault.has(m));
    return g && other !== undefined ? `sync group ${g.name}: ${other} in fault` : undefined;
  }

  /** A member is starting: put it in FAULT through the hook (a forced change) when startFault says so. */
  starting(instance: string): void {
    const reason = this.startFault(instance);
    if (reason !== undefined) this.apply({ instance, action: 'fault', reason });
  }

  /** A member (or any instance: others are ignored) changed role. */
  onRole(instance: string, from: VrrpRole, to: VrrpRole): void {
    this.roles.set(instance, to);
    const g = this.groupOf.get(instance);
    if (!g) return;
    this.report(g); // first, as the member's own notify: the group's state follows its change at once
    if (!this.forcing.has(instance)) for (const a of this.cascade(g, instance, from, to)) this.apply(a);
  }

  private apply(a: SyncAction): void {
    this.forcing.add(a.instance);
    try {
      this.hooks.force(a);
    } finally {
      this.forcing.delete(a.instance);
    }
  }

  /** What an unforced change of `instance` means for the other members. */
  private cascade(g: VrrpSyncGroup, instance: string, from: VrrpRole, to: VrrpRole): SyncAction[] {
    const others = g.members.filter((m) => m !== instance);
    if (to === 'FAULT') {
      const first = !g.members.some((m) => this.ownFault.has(m));
      this.ownFault.add(instance);
      if (!first) return [];
      return others.filter((m) => !this.ownFault.has(m)).map((m) => ({ instance: m, action: 'fault', reason: `sync group ${g.name}: ${instance} in fault` }));
    }
    if (from !== 'FAULT') return [];
    this.ownFault.delete(instance);
    if (g.members.some((m) => this.ownFault.has(m))) return [];
    return others.map((m) => ({ instance: m, action: 'clear', reason: `sync group ${g.name}: no member in fault` }));
  }

  private report(g: VrrpSyncGroup): void {
    const states = g.members.map((m) => this.roles.get(m) ?? 'INIT');
    const state = states.includes('FAULT') ? 'FAULT' : states.every((x) => x === states[0]) ? states[0] : undefined;
    if (state === undefined || state === 'INIT' || this.reported.get(g.name) === state) return;
    this.reported.set(g.name, state);
    this.hooks.groupState(g, state);
  }
}
