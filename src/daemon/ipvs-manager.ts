/**
 * Keeps the kernel's IPVS table in line with the config: desired (from the model) vs a
 * dump → the reconciler's minimal ordered ops → the backend. Adopts an existing table on
 * start (no flush: counters and connections are kept). Touches only the services it owns
 * (those of the current and the previous config) unless `own-whole-table` is set.
 * An op the kernel refuses is logged and the others still apply.
 * The backend is opened through the injected `openBackend` (daemon/wiring.ts passes the
 * netlink/ipvsadm opener, tests an in-memory kernel), on first use: a VRRP-only director never
 * opens an IPVS socket.
 * The services to program are the config's, or the ones the health layer derived from them
 * (daemon/health-runner.ts: real servers removed or at weight 0, sorry servers); the
 * reconcile is the same either way, so a weight change is one edit-dest.
 *
 * Two passes: `apply` dumps the whole table and reconciles everything (start, reload); a
 * health change uses `applyChanged`, which plans only the destination ops of the services that
 * changed, against lvsd's own record of their destinations: what the last pass left in the
 * kernel when every op of it was accepted (keepalived, too, edits without reading back). A
 * service without a record (a refused op, never recorded) has its destinations read (one
 * GET_DEST, `IpvsBackend.dests`). Skipping the read takes a netlink round trip off every
 * detection (issue 8); an edit made by hand behind lvsd's back is repaired by the next whole
 * pass (reload) instead. A health change never changes a service's own settings, so those are
 * not compared there. It falls back to the whole pass when the backend cannot list one
 * service (ipvsadm), when a service was never programmed, or when the kernel answers ESRCH
 * (the service vanished behind lvsd's back: a 6.1 kernel dumps the destinations of an absent
 * service as none).
 */
import type { Clock, WallClock } from '../clock.js';
import type { Config, IpvsConnTimeouts, VirtualService } from '../model/index.js';
import {
  desiredTable, type IpvsBackend, type IpvsOp, type IpvsOpOutcome, type IpvsServiceWithDests, reconcile, type ServiceId, serviceKey,
} from '../ipvs/index.js';
import { KernelError } from '../errors.js';
import type { Logger } from './logger.js';

export interface IpvsManagerDeps {
  readonly log: Logger;
  /** Opens the backend the config asks for ('auto', 'netlink', 'ipvsadm'); called once, on first need. */
  readonly openBackend: (choice: Config['ipvs']['backend']) => Promise<IpvsBackend>;
  /** Durations (monotonic) and the time of the last apply (wall). */
  readonly time: Clock & WallClock;
}

/** What one reconcile did: operations sent and, of those, refused. */
export interface ApplyReport {
  readonly ops: number;
  readonly failed: number;
}

export interface IpvsCounters {
  backend: string | null;
  applies: number;
  opsApplied: number;
  opsFailed: number;
  lastApply: { at: string; ops: number; failed: number; ms: number } | null;
}

export class IpvsManager {
  private backend: IpvsBackend | undefined;
  private owned = new Set<string>();
  /** By serviceKey: the destinations the kernel has, as the last pass that touched the service left them with every op accepted. */
  private known = new Map<string, IpvsServiceWithDests>();
  /** The lvs_timeouts last set ("tcp/tcpfin/udp"), so a reconcile does not set them again. */
  private timeoutsSet: string | undefined;
  private readonly counters: IpvsCounters = { backend: null, applies: 0, opsApplied: 0, opsFailed: 0, lastApply: null };

  private readonly log: Logger;

  constructor(private readonly deps: IpvsManagerDeps) {
    this.log = deps.log;
  }

  stats(): IpvsCounters {
    return structuredClone(this.counters);
  }

  /**
   * Reconcile the kernel with `services` (default: the config's) under `config`'s IPVS
   * settings: the operations sent and how many the kernel refused
   * (each refusal is logged as `ipvs.op`; the others still apply). Rejects only when the
   * backend cannot be opened or dumped.
   */
  async apply(config: Config, services: readonly VirtualService[] = config.services): Promise<ApplyReport> {
    const timeouts = config.ipvs.timeouts;
    if (services.length === 0 && this.owned.size === 0 && !config.ipvs.ownWholeTable && timeouts === undefined) return { ops: 0, failed: 0 };
    const backend = await this.open(config);
    if (timeouts !== undefined) await this.setTimeouts(backend, timeouts);
    const t0 = this.deps.time.nowUs();
    const desired = desiredTable(services);
    for (const s of desired) this.owned.add(serviceKey(s.service));
    const actual = await backend.dump();
    const owned = this.owned;
    const ops = reconcile(desired, actual, { ownWholeTable: config.ipvs.ownWholeTable, owned: (id: ServiceId) => owned.has(serviceKey(id)) });
    const failed = await this.run(backend, ops);
    // What is no longer desired is no longer ours once deleted.
    this.owned = new Set(desired.map((s) => serviceKey(s.service)));
    this.known = failed.count === 0 ? new Map(desired.map((s) => [serviceKey(s.service), s])) : new Map();
    return this.report(backend, ops, failed.count, t0, 'all');
  }

  /**
   * A health change: reconcile only the destinations of `changed` (a subset of `all`, the
   * services the health layer derived), or the whole table (`apply(config, all)`) when a
   * service cannot be read alone (see the header).
   */
  async applyChanged(config: Config, all: readonly VirtualService[], changed: readonly VirtualService[]): Promise<ApplyReport> {
    if (changed.length === 0) return { ops: 0, failed: 0 };
    const backend = await this.open(config);
    const t0 = this.deps.time.nowUs();
    const desired = desiredTable(changed);
    const actual = backend.dests !== undefined ? await this.readDests(backend.dests.bind(backend), desired) : undefined;
    if (actual === undefined) return this.apply(config, all);
    const ops = reconcile(desired, actual);
    const failed = await this.run(backend, ops);
    for (const want of desired) {
      if (failed.count === 0) this.known.set(serviceKey(want.service), want);
      else this.known.delete(serviceKey(want.service));
    }
    if (failed.vanished) {
      this.log.warn({ event: 'ipvs.vanished' }, 'a virtual service vanished from the kernel table: reconciling all of it');
      return this.apply(config, all);
    }
    return this.report(backend, ops, failed.count, t0, 'changed');
  }

  /** The kernel's destinations of each desired service (settings as desired; recorded, else read), or undefined: read the whole table. */
  private async readDests(dests: NonNullable<IpvsBackend['dests']>, desired: readonly IpvsServiceWithDests[]): Promise<IpvsServiceWithDests[] | undefined> {
    const out: IpvsServiceWithDests[] = [];
    for (const want of desired) {
      const key = serviceKey(want.service);
      if (!this.owned.has(key)) return undefined;
      const known = this.known.get(key);
      if (known !== undefined) {
        out.push({ service: want.service, dests: known.dests });
        continue;
      }
      try {
        out.push({ service: want.service, dests: await dests(want.service) });
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        return undefined;
      }
    }
    return out;
  }

  private report(backend: IpvsBackend, ops: readonly IpvsOp[], failed: number, t0: number, scope: 'all' | 'changed'): ApplyReport {
    const ms = (this.deps.time.nowUs() - t0) / 1000;
    this.counters.applies++;
    this.counters.lastApply = { at: new Date(this.deps.time.nowMs()).toISOString(), ops: ops.length, failed, ms };
    this.log.info({ event: 'ipvs.apply', backend: backend.kind, scope, ops: ops.length, failed, ms, byKind: countByKind(ops) }, 'ipvs table reconciled');
    return { ops: ops.length, failed };
  }

  /**
   * Applies `ops` in order, batched when the backend can (netlink: many requests per
   * datagram, one errno per refused op); a refused op is logged and the rest still apply.
   * Returns how many were refused, and whether a refusal was ESRCH (no such service).
   */
  private async run(backend: IpvsBackend, ops: readonly IpvsOp[]): Promise<{ count: number; vanished: boolean }> {
    const outcomes = backend.applyBatch ? await backend.applyBatch(ops) : await applyEach(backend, ops);
    let failed = 0;
    let vanished = false;
    for (const o of outcomes) {
      if (o.error === undefined) {
        this.counters.opsApplied++;
        continue;
      }
      failed++;
      vanished ||= o.error.code === 'ESRCH';
      this.counters.opsFailed++;
      this.log.error({ event: 'ipvs.op', op: o.op.op, err: o.error }, 'ipvs operation refused');
    }
    return { count: failed, vanished };
  }

  /**
   * keepalived lvs_timeouts: sets the kernel's connection timeouts when they first appear in a
   * config or change on reload (not on every reconcile, so `ipvsadm --set` by hand between
   * reloads is left alone). 0 leaves a timeout as the kernel has it (ip_vs_set_timeout). A
   * refusal is logged; the table is still reconciled.
   */
  private async setTimeouts(backend: IpvsBackend, t: IpvsConnTimeouts): Promise<void> {
    const want = { tcp: t.tcpS ?? 0, tcpFin: t.tcpFinS ?? 0, udp: t.udpS ?? 0 };
    const key = `${want.tcp}/${want.tcpFin}/${want.udp}`;
    if (key === this.timeoutsSet) return;
    try {
      await backend.setTimeouts(want);
      this.timeoutsSet = key;
      this.log.info({ event: 'ipvs.timeouts', tcpS: want.tcp, tcpFinS: want.tcpFin, udpS: want.udp }, 'ipvs connection timeouts set');
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      this.log.error({ event: 'ipvs.timeouts', err: e }, 'ipvs connection timeouts refused');
    }
  }

  /** clean-stop: remove the services this config owns. */
  async clean(config: Config): Promise<void> {
    if (!this.backend) return;
    for (const s of desiredTable(config.services)) {
      try {
        await this.backend.apply({ op: 'del-service', service: s.service });
      } catch (e) {
        this.log.warn({ event: 'ipvs.op', op: 'del-service', err: e }, 'ipvs operation refused');
      }
    }
  }

  close(): void {
    this.backend?.close();
    this.backend = undefined;
  }

  private async open(config: Config): Promise<IpvsBackend> {
    if (this.backend) return this.backend;
    const backend = await this.deps.openBackend(config.ipvs.backend);
    this.backend = backend;
    this.counters.backend = backend.kind;
    this.log.info({ event: 'ipvs.backend', backend: backend.kind }, 'ipvs backend opened');
    return backend;
  }
}

async function applyEach(backend: IpvsBackend, ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]> {
  const out: IpvsOpOutcome[] = [];
  for (const op of ops) {
    try {
      await backend.apply(op);
      out.push({ op });
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      out.push({ op, error: e });
    }
  }
  return out;
}

function countByKind(ops: readonly IpvsOp[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const o of ops) m[o.op] = (m[o.op] ?? 0) + 1;
  return m;
}
