/**
 * Desired IPVS table vs the kernel's → the minimal ordered list of operations (pure).
 *
 * Identity apart from settings (Seesaw's serviceKey / destinationKey): a service is
 * (af, fwmark) or (af, protocol, address, port); a destination is (af, address, port).
 * Transient state (stats, connection counts, the kernel-internal HASHED flag) never causes
 * an operation. Settings the kernel can change in place are changed in place:
 *  - SET_SERVICE (ip_vs_edit_service, net/netfilter/ipvs/ip_vs_ctl.c, 6.1) replaces the
 *    scheduler, flags, persistence timeout, netmask and persistence engine;
 *  - SET_DEST (__ip_vs_update_dest) replaces weight, forwarding method (conn_flags),
 *    tunnel type/port/flags and thresholds.
 * An identity change is a different key, hence a delete plus an add.
 *
 * Order: services in desired order (add, or edit), each followed by its destination ops;
 * deletions of services last. Within a service: edits, then adds, then deletions, so a
 * service never passes through an emptier state than its start or its end.
 *
 * Order-sensitive schedulers (`mh`, linux 6.1 net/netfilter/ipvs/ip_vs_mh.c): the kernel prepends a new destination
 * to the service's list (list_add_rcu in __ip_vs_update_dest) and mh fills its lookup table
 * walking that list, so two directors build the same table only with the same list order.
 * lvsd's rule: destinations are ADDED IN CANONICAL ORDER (family, address bytes, port,
 * ascending), so the kernel list (dump order, newest first) is the canonical order reversed.
 * When the kernel's order differs, the longest tail of the target list that is already in
 * place is kept; the other wanted destinations are deleted and re-added in canonical order.
 * This needs `actual` dests in the kernel's dump order (IpvsBackend.dump() must not sort them).
 */
import { canonicalAddr } from './address.js';
import {
  FWD_TUNNEL,
  SVC_F_HASHED,
  SVC_F_PERSISTENT,
  TUN_TYPE_GRE,
  TUN_TYPE_GUE,
  type DestId,
  type IpvsDest,
  type IpvsOp,
  type IpvsService,
  type IpvsServiceWithDests,
  type ServiceId,
} from './types.js';

export interface ReconcileOptions {
  /** Manage (delete when not desired) every service in the kernel table. Default false. */
  readonly ownWholeTable?: boolean;
  /**
   * Services lvsd owns although no longer desired (e.g. those it programmed from the previous
   * config), which it may delete. Services in `desired` are always managed.
   */
  readonly owned?: (id: ServiceId) => boolean;
}

/** Schedulers whose behaviour depends on the destination list order. */
export const ORDER_SENSITIVE_SCHEDULERS: ReadonlySet<string> = new Set(['mh']);

export function serviceKey(s: ServiceId): string {
  if (s.fwmark) return `${s.af}/fwm/${s.fwmark >>> 0}`;
  return `${s.af}/${s.protocol}/${canonicalAddr(s.af, s.addr) ?? s.addr}/${s.port}`;
}

export function destKey(d: DestId): string {
  return `${d.af}/${canonicalAddr(d.af, d.addr) ?? d.addr}/${d.port}`;
}

function serviceId(s: ServiceId): ServiceId {
  return { af: s.af, protocol: s.protocol, addr: s.addr, port: s.port, fwmark: s.fwmark };
}

function destId(d: DestId): DestId {
  return { af: d.af, addr: d.addr, port: d.port };
}

/** Settings equal (HASHED masked; timeout and netmask matter only to a persistent service). */
export function sameServiceSettings(want: IpvsService, have: IpvsService): boolean {
  const wf = want.flags & ~SVC_F_HASHED;
  const hf = have.flags & ~SVC_F_HASHED;
  if (want.sched !== have.sched || wf !== hf || (want.pe ?? '') !== (have.pe ?? '')) return false;
  if (!(wf & SVC_F_PERSISTENT)) return true;
  return want.timeout === have.timeout && want.netmask >>> 0 === have.netmask >>> 0;
}

/** Settings equal (tunnel fields compared only where the tunnel type gives them meaning). */
export function sameDestSettings(want: IpvsDest, have: IpvsDest): boolean {
  if ((want.fwd & 7) !== (have.fwd & 7) || want.weight !== have.weight) return false;
  if (want.uThresh !== have.uThresh || want.lThresh !== have.lThresh) return false;
  if ((want.fwd & 7) !== FWD_TUNNEL) return true;
  if (want.tunType !== have.tunType) return false;
  if (want.tunType === TUN_TYPE_GUE && want.tunPort !== have.tunPort) return false;
  return want.tunType !== TUN_TYPE_GUE && want.tunType !== TUN_TYPE_GRE ? true : want.tunFlags === have.tunFlags;
}

export function reconcile(
  desired: readonly IpvsServiceWithDests[],
  actual: readonly IpvsServiceWithDests[],
  opts: ReconcileOptions = {},
): IpvsOp[] {
  const have = new Map(actual.map((a) => [serviceKey(a.service), a]));
  const ops: IpvsOp[] = [];
  const wanted = new Set<string>();
  for (const want of desired) {
    const key = serviceKey(want.service);
    if (wanted.has(key)) continue; // a duplicate identity: the first wins, as EEXIST would decide
    wanted.add(key);
    const cur = have.get(key);
    if (cur === undefined) {
      ops.push({ op: 'add-service', service: want.service });
      for (const d of want.dests) ops.push({ op: 'add-dest', service: serviceId(want.service), dest: d });
      continue;
    }
    if (!sameServiceSettings(want.service, cur.service)) ops.push({ op: 'edit-service', service: want.service });
    ops.push(...destOps(want, cur));
  }
  for (const cur of actual) {
    const key = serviceKey(cur.service);
    if (wanted.has(key)) continue;
    if (opts.ownWholeTable || opts.owned?.(cur.service)) ops.push({ op: 'del-service', service: serviceId(cur.service) });
  }
  return ops;
}

function destOps(want: IpvsServiceWithDests, cur: IpvsServiceWithDests): IpvsOp[] {
  const svc = serviceId(want.service);
  const haveDests = new Map(cur.dests.map((d, i) => [destKey(d), { d, i }]));
  const wantKeys = new Set(want.dests.map(destKey));
  const keep = ORDER_SENSITIVE_SCHEDULERS.has(want.service.sched)
    ? keptInOrder(want.dests, haveDests)
    : new Set([...wantKeys].filter((k) => haveDests.has(k)));
  const ops: IpvsOp[] = [];
  // Wanted but out of place (order-sensitive only): delete first, re-added below.
  for (const d of cur.dests) {
    const k = destKey(d);
    if (wantKeys.has(k) && !keep.has(k)) ops.push({ op: 'del-dest', service: svc, dest: destId(d) });
  }
  for (const d of want.dests) {
    const h = haveDests.get(destKey(d));
    if (h !== undefined && keep.has(destKey(d)) && !sameDestSettings(d, h.d)) ops.push({ op: 'edit-dest', service: svc, dest: d });
  }
  for (const d of want.dests) {
    if (!keep.has(destKey(d))) ops.push({ op: 'add-dest', service: svc, dest: d });
  }
  for (const d of cur.dests) {
    if (!wantKeys.has(destKey(d))) ops.push({ op: 'del-dest', service: svc, dest: destId(d) });
  }
  return ops;
}

/**
 * The keys of the longest tail of the target list (desired order reversed = the kernel list
 * we want) whose members already exist and already stand in that relative order.
 */
function keptInOrder(wantDests: readonly IpvsDest[], haveDests: ReadonlyMap<string, { i: number }>): Set<string> {
  const keep = new Set<string>();
  let nextIndex = Number.POSITIVE_INFINITY; // kernel index of the element after this one in the list
  // target list L = reverse(want); walk L from its end = want from its start.
  for (const d of wantDests) {
    const h = haveDests.get(destKey(d));
    if (h === undefined || h.i >= nextIndex) break;
    keep.add(destKey(d));
    nextIndex = h.i;
  }
  return keep;
}

/** Operation counts by kind, for the log and `lvsctl`. */
export function countOps(ops: readonly IpvsOp[]): Record<IpvsOp['op'], number> {
  const c: Record<IpvsOp['op'], number> = {
    'add-service': 0, 'edit-service': 0, 'del-service': 0, 'add-dest': 0, 'edit-dest': 0, 'del-dest': 0,
  };
  for (const o of ops) c[o.op]++;
  return c;
}
