/**
 * keepalived's static_ipaddress / static_routes / static_rules at run time, as keepalived 2.2.7
 * does (vrrp_daemon.c): on start, addresses, then routes, then rules are added whatever the
 * VRRP state; on stop, rules, routes, then addresses are removed (stop_vrrp, also with
 * --dont-release-vrrp); on reload, the entries the new file no longer has are removed
 * (clear_diff_static_*) and the new file's are added. Failures are logged, one event each,
 * and never stop the rest (keepalived logs netlink errors and goes on).
 * The kernel side arrives as two small interfaces (net/vip.ts, net/routes.ts), opened on first need.
 */
import type { StaticAddress, StaticNet, VirtualRoute, VirtualRule } from '../model/index.js';
import type { Logger } from './logger.js';

export interface StaticKernel {
  addAddress(a: StaticAddress): Promise<'added' | 'present'>;
  removeAddress(a: StaticAddress): Promise<'removed' | 'absent'>;
  addRoute(r: VirtualRoute): Promise<'added' | 'present'>;
  removeRoute(r: VirtualRoute): Promise<'removed' | 'absent'>;
  addRule(r: VirtualRule): Promise<'added' | 'present'>;
  removeRule(r: VirtualRule): Promise<'removed' | 'absent'>;
  /** What the log names the entry by (`ip` syntax). */
  describe(e: StaticEntry): string;
  close(): void;
}

export type StaticEntry =
  | { readonly kind: 'address'; readonly entry: StaticAddress }
  | { readonly kind: 'route'; readonly entry: VirtualRoute }
  | { readonly kind: 'rule'; readonly entry: VirtualRule };

/** The entries in keepalived's adding order: addresses, routes, rules. */
export function staticEntries(s: StaticNet | undefined): StaticEntry[] {
  if (s === undefined) return [];
  return [
    ...s.addresses.map((entry): StaticEntry => ({ kind: 'address', entry })),
    ...s.routes.map((entry): StaticEntry => ({ kind: 'route', entry })),
    ...s.rules.map((entry): StaticEntry => ({ kind: 'rule', entry })),
  ];
}

/** Identity of an entry: everything but where it was written. */
export function staticKey(e: StaticEntry): string {
  return JSON.stringify({ ...e, entry: { ...e.entry, at: undefined } });
}

export class StaticNetManager {
  private current: StaticEntry[] = [];
  private kernel: StaticKernel | undefined;

  constructor(private readonly o: { readonly log: Logger; readonly open: () => Promise<StaticKernel> }) {}

  /** Start and reload: remove what `next` no longer has (reverse order), then add all of `next`. */
  async configure(next: StaticNet | undefined): Promise<void> {
    const entries = staticEntries(next);
    const keep = new Set(entries.map(staticKey));
    const gone = this.current.filter((e) => !keep.has(staticKey(e)));
    this.current = entries;
    if (gone.length === 0 && entries.length === 0) return;
    const k = await this.open();
    if (k === undefined) return;
    for (const e of gone.reverse()) await this.remove(k, e);
    for (const e of entries) await this.add(k, e);
  }

  /** Stop: remove every entry, rules first, then routes, then addresses. */
  async clear(): Promise<void> {
    const entries = this.current;
    this.current = [];
    const k = entries.length > 0 ? await this.open() : undefined;
    if (k !== undefined) for (const e of [...entries].reverse()) await this.remove(k, e);
    this.kernel?.close();
    this.kernel = undefined;
  }

  private async open(): Promise<StaticKernel | undefined> {
    if (this.kernel) return this.kernel;
    try {
      this.kernel = await this.o.open();
      return this.kernel;
    } catch (err) {
      this.o.log.error({ event: 'static.error', op: 'open', err }, 'cannot open rtnetlink for static addresses, routes and rules');
      return undefined;
    }
  }

  private async add(k: StaticKernel, e: StaticEntry): Promise<void> {
    const target = k.describe(e);
    try {
      const result = e.kind === 'address' ? await k.addAddress(e.entry) : e.kind === 'route' ? await k.addRoute(e.entry) : await k.addRule(e.entry);
      this.o.log.info({ event: 'static.add', kind: e.kind, target, result }, `static ${e.kind} ${result}`);
    } catch (err) {
      this.o.log.error({ event: 'static.error', op: 'add', kind: e.kind, target, err }, `cannot add static ${e.kind}`);
    }
  }

  private async remove(k: StaticKernel, e: StaticEntry): Promise<void> {
    const target = k.describe(e);
    try {
      const result = e.kind === 'address' ? await k.removeAddress(e.entry) : e.kind === 'route' ? await k.removeRoute(e.entry) : await k.removeRule(e.entry);
      this.o.log.info({ event: 'static.remove', kind: e.kind, target, result }, `static ${e.kind} ${result}`);
    } catch (err) {
      this.o.log.error({ event: 'static.error', op: 'remove', kind: e.kind, target, err }, `cannot remove static ${e.kind}`);
    }
  }
}
