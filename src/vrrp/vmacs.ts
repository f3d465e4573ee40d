/**
 * The virtual-MAC interfaces (keepalived use_vmac) the worker's instances need: created
 * before an instance starts on one, removed once no instance uses it (after a reload, and on
 * shutdown after the instances released their VIPs). The kernel work is VmacManager's
 * (net/vmac.ts); a failure is reported and the instance runs without its virtual MAC (its
 * socket then fails to open on the missing interface, which is reported too).
 */
import type { VrrpInstance } from '../model/index.js';
import type { VmacManager, VmacSpec } from '../net/index.js';

const specOf = (i: VrrpInstance): VmacSpec | undefined => (i.vmac ? { ifname: i.vmac.ifname, base: i.interface, vrid: i.vrid } : undefined);
const sameSpec = (a: VmacSpec, b: VmacSpec): boolean => a.ifname === b.ifname && a.base === b.base && a.vrid === b.vrid;

export class Vmacs {
  private readonly held = new Map<string, VmacSpec>();

  constructor(private readonly m: VmacManager, private readonly onError: (e: unknown, what: string) => void) {}

  /** Creates what `instances` need and is not there yet (one changed in base or VRID is recreated). */
  async add(instances: readonly VrrpInstance[]): Promise<void> {
    for (const spec of instances.flatMap((i) => specOf(i) ?? [])) {
      const cur = this.held.get(spec.ifname);
      if (cur && sameSpec(cur, spec)) continue;
      if (cur) await this.drop(cur);
      try {
        await this.m.create(spec);
        this.held.set(spec.ifname, spec);
      } catch (e) {
        this.onError(e, `create virtual MAC interface ${spec.ifname} on ${spec.base}`);
      }
    }
  }

  /** Removes every virtual MAC no instance of `instances` uses (all of them with []). */
  async prune(instances: readonly VrrpInstance[]): Promise<void> {
    const keep = new Set(instances.flatMap((i) => (i.vmac ? [i.vmac.ifname] : [])));
    for (const spec of [...this.held.values()]) if (!keep.has(spec.ifname)) await this.drop(spec);
  }

  private async drop(spec: VmacSpec): Promise<void> {
    this.held.delete(spec.ifname);
    try {
      await this.m.remove(spec);
    } catch (e) {
      this.onError(e, `remove virtual MAC interface ${spec.ifname}`);
    }
  }
}
