/**
 * keepalived-only parts of an instance, added to what buildInstance (config/instance.ts) made:
 * virtual_ipaddress_excluded, virtual_routes / virtual_rules, notify_priority_changes and
 * use_vmac / vmac_xmit_base, each with keepalived 2.2.7's defaults and corrections.
 */
import type { VrrpInstance } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import type { GlobalDraft, KeepalivedInstance, KeepalivedSyncGroup } from './vrrp.js';

/**
 * keepalived-only instance fields: virtual_ipaddress_excluded, and notify_priority_changes
 * resolved as keepalived 2.2.7 does (vrrp.c vrrp_complete_instance: the instance's, else its
 * sync group's, else the global vrrp_notify_priority_changes).
 */
export function withExtras(built: VrrpInstance, i: KeepalivedInstance, o: { globals: GlobalDraft; group: KeepalivedSyncGroup | undefined; sink: Sink }): VrrpInstance {
  const priorityChanges = i.notifyPriorityChanges ?? o.group?.notifyPriorityChanges ?? o.globals.notifyPriorityChanges ?? false;
  return {
    ...built,
    ...(i.excluded.length > 0 ? { excludedVips: i.excluded } : {}),
    ...(i.routes.length > 0 ? { routes: i.routes } : {}),
    ...(i.rules.length > 0 ? { rules: i.rules } : {}),
    ...(priorityChanges ? { notifyPriorityChanges: true as const } : {}),
    ...vmacOf(built, i, o.sink),
  };
}

/**
 * use_vmac [NAME] (default vrrp.VRID, keepalived vrrp_parser.c vrrp_vmac_handler) and
 * vmac_xmit_base, which keepalived ignores without use_vmac (vrrp.c, with a config error).
 */
function vmacOf(built: VrrpInstance, i: KeepalivedInstance, sink: Sink): Pick<VrrpInstance, 'vmac'> {
  if (i.vmac === undefined) {
    if (i.vmacXmitBase) error(sink, i.vmacXmitBase, 'expected use_vmac with vmac_xmit_base (keepalived 2.2.7: "vmac_xmit_base is only valid with a vmac"), got none');
    return {};
  }
  if (built.family === 6) {
    error(sink, i.vmac.at, "keepalived's use_vmac is not supported by lvsd for IPv6 instances (the virtual MAC's link-local address is not managed)");
    return {};
  }
  let xmitBase = i.vmacXmitBase !== undefined;
  if (!xmitBase && built.unicastPeers.length > 0) {
    sink.warnings.push({ at: i.vmac.at, message: 'use_vmac with unicast peers sends from the base interface: vmac_xmit_base is set, as keepalived 2.2.7 does (and reports)' });
    xmitBase = true;
  }
  return { vmac: { ifname: i.vmac.name?.text ?? `vrrp.${built.vrid}`, xmitBase } };
}
