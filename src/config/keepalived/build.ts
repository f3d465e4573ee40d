/**
 * keepalived drafts → the model, applying keepalived's defaults (model/defaults.ts) where a
 * value was not written, and keepalived's own normalisations (each noted where applied).
 */
import { defaultsFor, type FormatDefaults, type GarpSettings, type RealServer, type RealServerHealth, type ServiceKey, type SorryServer, type VirtualService, type VrrpVersion } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import { buildVsHealth, realWeight } from './lvs-build.js';
import { newRealHealth } from './lvs-health.js';
import { granularity, type RealDraft, type VsDraft, type VsgDraft } from './lvs.js';
import { draftFamily, type InstanceChoices } from '../instance.js';
import type { GlobalDraft, KeepalivedInstance } from './vrrp.js';

const D: FormatDefaults = defaultsFor('keepalived');

/**
 * keepalived rounds advert_int (vrrp.c, vrrp_complete_instance): VRRPv2 to whole seconds
 * (at least 1), VRRPv3 to centiseconds (at least 1), logging an error; we warn and do the same.
 */
function advertCs(i: KeepalivedInstance, version: VrrpVersion, sink: Sink): number {
  if (i.advert === undefined) return D.advertIntervalCs;
  const { us, at } = i.advert;
  const unit = version === 2 ? 1e6 : 1e4;
  const rounded = Math.max(1, Math.round(us / unit));
  if (rounded * unit !== us) {
    const got = `${us / 1e6} s`;
    const to = version === 2 ? `${rounded} s` : `${rounded / 100} s`;
    sink.warnings.push({ at, message: `advert_int ${got} is not a whole number of ${version === 2 ? 'seconds (VRRPv2)' : 'centiseconds (VRRPv3)'}: rounded to ${to} as keepalived does` });
  }
  return version === 2 ? rounded * 100 : rounded;
}

/** keepalived's meaning of an instance's version, advert interval, preemption, GARP settings and checksum. */
export function keepalivedChoices(i: KeepalivedInstance, o: { globals: GlobalDraft; sink: Sink }): InstanceChoices {
  // keepalived.conf(5) "version": the global default applies, "but IPv6 instances will always use version 3".
  const version = i.version?.v ?? (draftFamily(i) === 6 ? 3 : o.globals.vrrpVersion ?? D.vrrpVersion);
  return {
    version,
    advertIntervalCs: advertCs(i, version, o.sink),
    preempt: !i.nopreempt,
    garp: garpSettings(i, o.globals),
    v3Checksum: i.v3AsV2 ? 'rfc9568' : D.v3Checksum,
    // keepalived.conf(5): skip_check_adv_addr "defaults to vrrp_skip_check_adv_addr"
    ...(i.skipCheckAdvAddr ?? o.globals.skipCheckAdvAddr ? { skipCheckAdvAddr: true as const } : {}),
    ...(i.lowerPrioNoAdvert ?? o.globals.lowerPrioNoAdvert ? { lowerPrioNoAdvert: true as const } : {}),
    ...(i.higherPrioSendAdvert ?? o.globals.higherPrioSendAdvert ? { higherPrioSendAdvert: true as const } : {}),
  };
}

/**
 * GARP settings: the instance's, else global_defs', else keepalived's defaults. The
 * lower-priority ones default to the global vrrp_garp_lower_prio_*, else to the global
 * vrrp_garp_master_repeat / vrrp_garp_master_delay (vrrp.c vrrp_complete_init), not to the
 * instance's garp_master_*.
 */
function garpSettings(i: KeepalivedInstance, g: GlobalDraft): GarpSettings {
  const lowerPrioRepeat = i.garp.lowerPrioRepeat ?? g.garp.lowerPrioRepeat ?? g.garp.masterRepeat ?? D.garp.masterRepeat;
  const lowerPrioDelayMs = i.garp.lowerPrioDelayMs ?? g.garp.lowerPrioDelayMs ?? g.garp.masterDelayMs ?? D.garp.masterDelayMs;
  return { ...D.garp, ...g.garp, ...i.garp, lowerPrioRepeat, lowerPrioDelayMs };
}

/**
 * keepalived 2.2.7 `-t` reports a virtual_server without protocol, lb_algo or lb_kind as a
 * config error and then defaults to UDP (later versions: TCP), wlc and NAT. The protocol
 * default differs between versions, so it must be written; the other two default as
 * keepalived does, with a warning.
 */
function checkUnwritten(vs: VsDraft, sink: Sink): void {
  if (vs.protocol === undefined && vs.head.kind !== 'fwmark') error(sink, vs.at, 'expected "protocol TCP|UDP|SCTP" in virtual_server (keepalived 2.2.7 defaults to UDP, later versions to TCP), got none');
  if (vs.scheduler === undefined) sink.warnings.push({ at: vs.at, message: `virtual_server has no lb_algo: using ${D.scheduler}, as keepalived does (keepalived -t reports it)` });
  if (vs.forward === undefined && vs.reals.some((r) => r.forward === undefined)) {
    sink.warnings.push({ at: vs.at, message: 'virtual_server has no lb_kind: using NAT, as keepalived does (keepalived -t reports it)' });
  }
}

export function buildServices(vs: VsDraft, o: { groups: ReadonlyMap<string, VsgDraft>; sink: Sink }): VirtualService[] {
  checkUnwritten(vs, o.sink);
  const protocol = vs.protocol ?? 'tcp';
  const keys: ServiceKey[] = [];
  const head = vs.head;
  if (head.kind === 'addr') keys.push({ kind: 'addr', family: head.ip.family, protocol, address: head.ip.address, port: head.port ?? 0 });
  if (head.kind === 'fwmark') keys.push({ kind: 'fwmark', family: fwmarkFamily(vs), fwmark: head.mark });
  if (head.kind === 'group') {
    const g = o.groups.get(head.name);
    if (g === undefined) error(o.sink, head.at, `expected a virtual_server_group named "${head.name}", got none defined`);
    for (const e of g?.entries ?? []) {
      if (e.kind === 'fwmark') keys.push({ kind: 'fwmark', family: e.family ?? fwmarkFamily(vs), fwmark: e.mark });
      else keys.push(...e.ips.map((a): ServiceKey => ({ kind: 'addr', family: a.family, protocol, address: a.address, port: e.port ?? 0 })));
    }
  }
  if (vs.granularity !== undefined && vs.persistence === undefined) error(o.sink, vs.granularity.at, 'expected persistence_timeout with persistence_granularity, got none');
  const health = buildVsHealth(vs, { hasFwmark: keys.some((k) => k.kind === 'fwmark'), sink: o.sink });
  return keys.flatMap((key) => {
    const netmask = vs.granularity ? granularity(vs.granularity, key.family, o.sink) : key.family === 4 ? D.persistenceNetmask4 : D.persistenceNetmask6;
    if (netmask === undefined) return [];
    const service: VirtualService = {
      at: vs.at,
      key,
      scheduler: vs.scheduler ?? D.scheduler,
      schedFlags: vs.schedFlags,
      ...(vs.persistence ? { persistence: { timeoutS: vs.persistence.timeoutS ?? D.persistenceTimeoutS, netmask } } : {}),
      onePacket: vs.onePacket,
      ...(vs.pe !== undefined ? { pe: vs.pe } : {}),
      reals: vs.reals.map((r, n) => buildReal(r, { vs, key, health: health.reals[n], sink: o.sink })),
      ...(health.service ? { health: health.service } : {}),
    };
    const sorry = buildSorry(vs, key, { reals: service.reals, sink: o.sink });
    if (sorry) return [{ ...service, sorry }];
    return [service];
  });
}

/** keepalived.conf(5) ip_family: defaults to the real servers' family, else IPv4. */
function fwmarkFamily(vs: VsDraft): 4 | 6 {
  return vs.family ?? vs.reals[0]?.ip.family ?? 4;
}

function buildReal(r: RealDraft, o: { vs: VsDraft; key: ServiceKey; health?: RealServerHealth | undefined; sink: Sink; what?: string }): RealServer {
  const fwd = r.forward ?? o.vs.forward ?? { method: D.forward };
  const what = o.what ?? 'real_server';
  // DR and TUN cannot change the destination port: IPVS keeps the service port (ip_vs_ctl.c,
  // ip_vs_add_dest ignores the port for these), so the model states the port actually used.
  const servicePort = o.key.kind === 'addr' ? o.key.port : 0;
  const keepsServicePort = o.key.kind === 'addr' && fwd.method !== 'masq';
  if (keepsServicePort && r.port !== undefined && r.port !== servicePort) {
    o.sink.warnings.push({ at: r.at, message: `${what} port ${r.port} differs from the service port ${servicePort}: ${fwd.method === 'route' ? 'DR' : 'TUN'} forwarding uses the service port` });
  }
  return {
    at: r.at,
    family: r.ip.family,
    address: r.ip.address,
    port: keepsServicePort ? servicePort : r.port ?? servicePort,
    forward: fwd.method,
    weight: realWeight(r, o.vs),
    upperThreshold: r.upper ?? 0,
    lowerThreshold: r.lower ?? 0,
    ...(fwd.tunnel ? { tunnel: fwd.tunnel } : {}),
    ...(o.health ? { health: o.health } : {}),
  };
}

/**
 * sorry_server IP [PORT]: weight 1, forwarding from sorry_server_lvs_method, else the
 * virtual_server's (check_data.c alloc_ssvr). Its family must be the service's unless it is
 * tunnelled (check_parser.c vs_end_handler). When it is also one of the real servers, it takes
 * that server's inhibit_on_failure (validate_check_config), with a warning.
 */
function buildSorry(vs: VsDraft, key: ServiceKey, o: { reals: readonly RealServer[]; sink: Sink }): SorryServer | undefined {
  const d = vs.health.sorry;
  if (d === undefined) return undefined;
  const draft: RealDraft = { at: d.at, ip: d.ip, ...(d.port !== undefined ? { port: d.port } : {}), weight: 1, health: newRealHealth(), registry: vs.registry };
  if (vs.sorryForward) draft.forward = vs.sorryForward;
  const server = buildReal(draft, { vs, key, sink: o.sink, what: 'sorry_server' });
  if (server.family !== key.family && server.forward !== 'tunnel') {
    error(o.sink, d.at, `expected a sorry_server of the service's family IPv${key.family} (only tunnel forwarding may mix families), got IPv${server.family}`);
    return undefined;
  }
  const same = o.reals.find((r) => r.address === server.address && r.port === server.port);
  const rsInhibit = same?.health?.inhibitOnFailure ?? (same ? vs.health.inhibit : undefined);
  if (rsInhibit !== undefined && rsInhibit !== d.inhibit) {
    o.sink.warnings.push({ at: d.at, message: `sorry_server ${server.address}:${server.port} is also a real_server, whose inhibit_on_failure is ${rsInhibit ? 'on' : 'off'}: sorry_server_inhibit is ${rsInhibit ? 'set' : 'cleared'} to match, as keepalived 2.2.7 does (and reports)` });
  }
  return { server, inhibit: rsInhibit ?? d.inhibit };
}
