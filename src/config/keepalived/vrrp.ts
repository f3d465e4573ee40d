/**
 * keepalived.conf VRRP keywords → drafts: global_defs, vrrp_instance, vrrp_sync_group.
 * Semantics from keepalived.conf(5) of 2.2.7 (/usr/share/man/man5/keepalived.conf.5.gz).
 * Drafts hold only what was written; build.ts applies model/defaults.ts.
 */
import { formatLoc, type IpvsConnTimeouts, type Loc, type Vip, type VirtualRoute, type VirtualRule, type VrrpVersion } from '../../model/index.js';
import { type GarpDraft, type InstanceDraft, newInstanceDraft, newSyncGroupDraft, type SyncGroupDraft, vipFromWords } from '../instance.js';
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import { correctedValue } from './corrected-value.js';
import { garpKeywords, packetGap } from './garp.js';
import { keepalivedRules } from './repeats.js';
import type { Word } from '../lex.js';
import { blockWords, type Stmt } from '../tree.js';
import { bad, bool, decimalSecondsUs, int, ip, ipWithPrefix, oneOf } from '../values.js';
import { parseLvsTimeouts } from './lvs-timeouts.js';
import { fifoKeywords, type FifoDrafts } from './notify-fifo.js';
import { notifyKeywords, notifyScript } from './notify-scripts.js';
import { routesBlock, rulesBlock } from './routes.js';
import { parseLvsSyncDaemon, type SyncDraft } from './sync.js';
import { trackKeywords, type RefDraft } from './track-refs.js';
import type { Registry } from './tracking.js';

export interface GlobalDraft extends FifoDrafts {
  routerId?: string;
  vrrpVersion?: VrrpVersion;
  garp: GarpDraft;
  sync?: SyncDraft;
  scriptUser?: { user: string; group?: string };
  scriptSecurity?: boolean;
  /** vrrp_skip_check_adv_addr: the default of every instance's skip_check_adv_addr. */
  skipCheckAdvAddr?: boolean;
  /** default_interface: keepalived's interface for static addresses and routes without `dev`. */
  defaultInterface?: string;
  /** lvs_timeouts tcp / tcpfin / udp, in seconds. */
  lvsTimeouts?: IpvsConnTimeouts;
  /** vrrp_lower_prio_no_advert / vrrp_higher_prio_send_advert: the instances' defaults. */
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  /** vrrp_notify_priority_changes: the default of the sync groups' and instances' notify_priority_changes. */
  notifyPriorityChanges?: boolean;
}

/** keepalived's own keywords on top of what every instance draft holds. */
export interface KeepalivedInstance extends InstanceDraft {
  advert?: { us: number; at: Loc };
  version?: { v: VrrpVersion; at: Loc };
  nopreempt: boolean;
  /** Where these keywords were written (corrections.ts warns there). */
  placed: { nopreempt?: Loc; preemptDelay?: Loc; unicastSrc?: Loc };
  /** track_interface / track_script / track_file / track_process entries, in order. */
  refs: RefDraft[];
  readonly registry: Registry;
  v3AsV2: boolean;
  /** Deprecated `lvs_sync_daemon_interface IF` (config/keepalived/sync.ts). */
  syncIface?: Word;
  /** lower_prio_no_advert / higher_prio_send_advert as written (else the global ones). */
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  /** notify_priority_changes as written (else its sync group's, else the global one). */
  notifyPriorityChanges?: boolean;
  /** skip_check_adv_addr as written (else the global vrrp_skip_check_adv_addr). */
  skipCheckAdvAddr?: boolean;
  /** virtual_ipaddress_excluded, virtual_routes and virtual_rules entries. */
  excluded: Vip[];
  routes: VirtualRoute[];
  rules: VirtualRule[];
  /** use_vmac [NAME] and vmac_xmit_base as written. */
  vmac?: { name?: Word; at: Loc };
  vmacXmitBase?: Loc;
  /** The word that set the advert source (mcast_src_ip / unicast_src_ip), for a repeat's warning. */
  srcWord?: Word;
}

/** keepalived's sync group: its own tracking on top of the shared draft. */
export interface KeepalivedSyncGroup extends SyncGroupDraft {
  refs: RefDraft[];
  readonly registry: Registry;
  /** sync_group_tracking_weight (or the deprecated global_tracking): members keep weighted tracking. */
  trackingWeight: boolean;
  /** notify_priority_changes: its members' default. */
  notifyPriorityChanges?: boolean;
}

/** `KEYWORD [on|off|true|false|yes|no]`, on when the value is omitted (keepalived check_true_false). */
function onOff<A>(name: string, set: (a: A, v: boolean) => void): Keyword<A> {
  return {
    names: [name], minArgs: 0, maxArgs: 1, block: 'none',
    apply: (s, a, sink) => { const v = s.args[0] ? bool(sink, s.args[0], name) : true; if (v !== undefined) set(a, v); },
  };
}

/** vrrp_version_handler: anything but 2 or 3 is ignored, reported. */
const version = (w: Word, sink: Sink): VrrpVersion | undefined => {
  const v = correctedValue(sink, 'it is ignored', (l) => oneOf(l, w, { what: 'a VRRP version', values: ['2', '3'] }));
  return v === undefined ? undefined : v === '2' ? 2 : 3;
};

export const GLOBAL_KEYWORDS: readonly Keyword<GlobalDraft>[] = [
  kw('router_id', 1, (s, g) => { g.routerId = s.args[0]?.text; }),
  kw('vrrp_version', 1, (s, g, sink) => { const v = s.args[0] && version(s.args[0], sink); if (v) g.vrrpVersion = v; }),
  ...garpKeywords<GlobalDraft>('vrrp_'),
  kw('vrrp_garp_interval', 1, packetGap),
  kw('vrrp_gna_interval', 1, packetGap),
  // lib/notify.c set_default_script_user: `script_user USER [GROUP]`, the group defaulting to the user's
  { names: ['script_user'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, g) => { const [u, gr] = s.args; if (u) g.scriptUser = { user: u.text, ...(gr ? { group: gr.text } : {}) }; } },
  kw('enable_script_security', 0, (_s, g) => { g.scriptSecurity = true; }),
  kw('vrrp_skip_check_adv_addr', 0, (_s, g) => { g.skipCheckAdvAddr = true; }),
  ...fifoKeywords<GlobalDraft>(notifyScript),
  onOff<GlobalDraft>('vrrp_notify_priority_changes', (g, v) => { g.notifyPriorityChanges = v; }),
  onOff<GlobalDraft>('vrrp_lower_prio_no_advert', (g, v) => { g.lowerPrioNoAdvert = v; }),
  onOff<GlobalDraft>('vrrp_higher_prio_send_advert', (g, v) => { g.higherPrioSendAdvert = v; }),
  kw('default_interface', 1, (s, g) => { g.defaultInterface = s.args[0]?.text; }),
  { names: ['lvs_timeouts'], minArgs: 2, maxArgs: 6, block: 'none', apply: (s, g, sink) => { const t = parseLvsTimeouts(s, sink); if (t) g.lvsTimeouts = t; } },
  {
    names: ['lvs_sync_daemon'], minArgs: 1, maxArgs: Infinity, block: 'none',
    apply: (s, g, sink) => {
      if (g.sync) error(sink, s.keyword.at, `expected "lvs_sync_daemon" once, got it again (first at ${formatLoc(g.sync.at)})`);
      const d = g.sync ? undefined : parseLvsSyncDaemon(s, sink);
      if (d) g.sync = d;
    },
  },
];

const PRIORITY_INVALID = 100;

/** vrrp_state_handler: an unknown state is BACKUP, reported; `master` in lower case is refused (keepalived misreads it as BACKUP). */
function stateOf(w: Word, i: KeepalivedInstance, sink: Sink): 'MASTER' | 'BACKUP' | undefined {
  if (w.text !== 'MASTER' && w.text.toUpperCase() === 'MASTER') {
    error(sink, w.at, `expected a state (MASTER, BACKUP), got "${w.text}": keepalived 2.2.7 reads it as BACKUP (states are in capitals); write MASTER, or BACKUP if that is what ${i.name} should start as`);
    return undefined;
  }
  return correctedValue(sink, `${i.name} starts as BACKUP`, (l) => oneOf(l, w, { what: 'a state', values: ['MASTER', 'BACKUP'] as const })) ?? 'BACKUP';
}

const VIP_EXPECTED = { address: 'a virtual IP address', option: 'a virtual_ipaddress option "dev IF" or "label LABEL" (other ip-address options are not supported)' };

function vipEntry(s: Stmt, into: Vip[], owner: string, sink: Sink): void {
  const vip = vipFromWords(s.keyword, s.args, { expected: VIP_EXPECTED, at: s.keyword.at, sink });
  const first = vip && into.find((v) => v.address === vip.address);
  if (vip && first) {
    sink.warnings.push({ at: s.keyword.at, message: `${vip.address} is already a virtual IP of ${owner} (first at ${formatLoc(first.at)}): keepalived 2.2.7 keeps both entries, so its adverts carry the address twice and it adds the address once per entry (the kernel keeps the first on one device); lvsd does the same, so that its peers agree on the address count; write each address once on every router` });
  }
  if (vip) into.push(vip);
}

/**
 * One unicast_peer line. keepalived 2.2.7 (utils.c inet_stosockaddr) cuts a peer at its first
 * '/' or '-': `10.0.0.2/24` is the peer 10.0.0.2, so a prefix is accepted and dropped here too.
 * A range (`10.0.0.2-5`) would silently mean its first address only, so it stays an error.
 */
function peerEntry(s: Stmt, inst: InstanceDraft, sink: Sink): void {
  const range = /^([^/:-]+)-/.exec(s.keyword.text);
  if (range) return error(sink, s.keyword.at, `expected one address per unicast_peer line, got the range "${s.keyword.text}" (keepalived 2.2.7 would use ${range[1] ?? ''} alone); write one line per peer`);
  const a = ipWithPrefix(sink, s.keyword, 'a unicast_peer');
  if (s.args[0]) bad(sink, s.args[0], 'one address per unicast_peer line (min_ttl/max_ttl are not supported)');
  else if (a) inst.peers.push({ family: a.family, address: a.address });
}

/**
 * mcast_src_ip / unicast_src_ip: one source address for adverts (vrrp_parser.c vrrp_srcip_handler:
 * the last one wins). keepalived 2.2.7 (utils.c inet_stosockaddr) cuts the address at its first
 * '/': a prefix is dropped here too, with a warning.
 */
function sourceAddress(s: Stmt, i: KeepalivedInstance, sink: Sink): void {
  const w = s.args[0];
  const a = w && (w.text.includes('/') ? ipWithPrefix(sink, w, `a ${s.keyword.text}`) : ip(sink, w, `a ${s.keyword.text}`));
  if (w === undefined || a === undefined) return;
  if (w.text.includes('/')) {
    sink.warnings.push({ at: w.at, message: `${s.keyword.text} takes an address: the prefix of "${w.text}" is dropped and ${a.address} is used, as keepalived 2.2.7 does; write ${a.address}` });
  }
  if (i.srcWord && i.unicastSrc && i.unicastSrc.address !== a.address) {
    sink.warnings.push({ at: w.at, message: `${s.keyword.text} ${a.address} replaces the source address ${i.unicastSrc.address} (at ${formatLoc(i.srcWord.at)}): mcast_src_ip and unicast_src_ip set the same one, and the last wins, as in keepalived` });
  }
  i.unicastSrc = { address: a.address, family: a.family };
  i.srcWord = w;
  if (s.keyword.text === 'unicast_src_ip') i.placed.unicastSrc = s.keyword.at; // corrections.ts: without peers it is multicast
}

/**
 * skip_check_adv_addr [on|off|true|false|yes|no]. keepalived 2.2.7 (vrrp_parser.c) sets the
 * flag for any valid word, "off" included: lvsd does the same and says so.
 */
function skipCheck(s: Stmt, i: KeepalivedInstance, sink: Sink): void {
  const w = s.args[0];
  const v = w === undefined ? true : bool(sink, w, 'skip_check_adv_addr');
  if (v === undefined) return;
  if (w && !v) sink.warnings.push({ at: w.at, message: `skip_check_adv_addr ${w.text} still skips the check: keepalived 2.2.7 sets it for any on/off value; remove the line to keep checking` });
  i.skipCheckAdvAddr = true;
}

export const AUTH_PASS_MAX = 8;

/** keepalived 2.2.7 vrrp_auth_pass_handler keeps the first 8 bytes (auth_data) and reports the rest. */
function authPass(w: Word, sink: Sink): string {
  if (w.text.length <= AUTH_PASS_MAX) return w.text;
  const kept = w.text.slice(0, AUTH_PASS_MAX);
  sink.warnings.push({ at: w.at, message: `auth_pass is longer than ${AUTH_PASS_MAX} characters: truncated to "${kept}", as keepalived 2.2.7 does (and reports); the peers compare only those` });
  return kept;
}

export const AUTH_KEYWORDS: readonly Keyword<KeepalivedInstance>[] = [
  kw('auth_type', 1, (s, _i, sink) => {
    const w = s.args[0];
    if (w?.text === 'AH') error(sink, w.at, "keepalived's auth_type AH is not supported by lvsd: it has no IPsec AH authentication (RFC 3768 removed it); use auth_type PASS on every router, or no authentication block");
    else if (w) oneOf(sink, w, { what: 'an auth_type (PASS or AH)', values: ['PASS'] });
  }),
  kw('auth_pass', 1, (s, i, sink) => { i.authPass = s.args[0] && authPass(s.args[0], sink); }),
];

export const INSTANCE_KEYWORDS: readonly Keyword<KeepalivedInstance>[] = [
  kw('state', 1, (s, i, sink) => { const w = s.args[0]; const v = w && stateOf(w, i, sink); if (v) i.state = v; }),
  kw('interface', 1, (s, i) => { i.interface = s.args[0]?.text; }),
  kw('virtual_router_id', 1, (s, i, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a virtual_router_id', min: 1, max: 255 }); if (v) i.vrid = v; }),
  kw('priority', 1, (s, i, sink) => {
    const w = s.args[0];
    // vrrp_prio_handler: "Priority not valid! ... Using default 100" (so state MASTER no longer makes it 255).
    if (w) i.priority = correctedValue(sink, `${i.name} has priority ${PRIORITY_INVALID}`, (l) => int(l, w, { what: 'a priority', min: 1, max: 255 })) ?? PRIORITY_INVALID;
  }),
  kw('advert_int', 1, (s, i, sink) => {
    const w = s.args[0];
    const us = w && correctedValue(sink, 'it is ignored', (l) => decimalSecondsUs(l, w, { what: 'an advert_int', minUs: 10_000, maxUs: 255e6 }));
    if (w && us !== undefined) i.advert = { us, at: w.at };
  }),
  kw('version', 1, (s, i, sink) => { const w = s.args[0]; const v = w && version(w, sink); if (w && v) i.version = { v, at: w.at }; }),
  kw('nopreempt', 0, (s, i) => { i.nopreempt = true; i.placed.nopreempt = s.keyword.at; }),
  kw('preempt', 0, () => undefined), // legacy keyword: preemption is the default
  kw('preempt_delay', 1, (s, i, sink) => {
    const w = s.args[0];
    // vrrp_preempt_delay_handler: an invalid delay is 0 (no delay), reported.
    const us = w && (correctedValue(sink, `${i.name} has no preempt delay`, (l) => decimalSecondsUs(l, w, { what: 'a preempt_delay', minUs: 0, maxUs: 1000e6 })) ?? 0);
    if (us !== undefined) { i.preemptDelayMs = us / 1000; i.placed.preemptDelay = s.keyword.at; }
  }),
  kw('unicast_src_ip', 1, sourceAddress),
  kw('mcast_src_ip', 1, sourceAddress),
  { names: ['skip_check_adv_addr'], minArgs: 0, maxArgs: 1, block: 'none', apply: skipCheck },
  { names: ['unicast_peer'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, i, sink) => s.block?.body.forEach((e) => peerEntry(e, i, sink)) },
  { names: ['virtual_ipaddress'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, i, sink) => s.block?.body.forEach((e) => vipEntry(e, i.vips, i.name, sink)) },
  { names: ['virtual_routes'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, i, sink) => { i.routes.push(...routesBlock({ keyword: s.keyword, body: s.block?.body ?? [], sink })); } },
  { names: ['virtual_rules'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, i, sink) => { i.rules.push(...rulesBlock({ keyword: s.keyword, body: s.block?.body ?? [], sink })); } },
  { names: ['virtual_ipaddress_excluded'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, i, sink) => s.block?.body.forEach((e) => vipEntry(e, i.excluded, i.name, sink)) },
  {
    names: ['authentication'], minArgs: 0, maxArgs: 0, block: 'required',
    apply: (s, i, sink) => interpret(s.block?.body ?? [], AUTH_KEYWORDS, i, { where: `authentication of vrrp_instance ${i.name}`, sink, ...keepalivedRules('vrrp_instance/authentication') }),
  },
  ...trackKeywords<KeepalivedInstance>((i) => i.refs, (i) => i.registry),
  ...notifyKeywords<KeepalivedInstance>(),
  ...garpKeywords<KeepalivedInstance>(''),
  onOff<KeepalivedInstance>('notify_priority_changes', (i, v) => { i.notifyPriorityChanges = v; }),
  onOff<KeepalivedInstance>('lower_prio_no_advert', (i, v) => { i.lowerPrioNoAdvert = v; }),
  onOff<KeepalivedInstance>('higher_prio_send_advert', (i, v) => { i.higherPrioSendAdvert = v; }),
  { names: ['use_vmac'], minArgs: 0, maxArgs: 1, block: 'none', apply: (s, i) => { i.vmac = { at: s.keyword.at, ...(s.args[0] ? { name: s.args[0] } : {}) }; } },
  kw('vmac_xmit_base', 0, (s, i) => { i.vmacXmitBase = s.keyword.at; }),
  kw('v3_checksum_as_v2', 0, (_s, i) => { i.v3AsV2 = true; }),
  kw('lvs_sync_daemon_interface', 1, (s, i) => { i.syncIface = s.args[0]; }),
];

export const SYNC_GROUP_KEYWORDS: readonly Keyword<KeepalivedSyncGroup>[] = [
  { names: ['group'], minArgs: 0, maxArgs: 0, block: 'required', apply: (s, g) => { g.members.push(...(s.block ? blockWords(s.block) : [])); } },
  ...notifyKeywords<KeepalivedSyncGroup>(),
  ...trackKeywords<KeepalivedSyncGroup>((g) => g.refs, (g) => g.registry),
  onOff<KeepalivedSyncGroup>('notify_priority_changes', (g, v) => { g.notifyPriorityChanges = v; }),
  kw('sync_group_tracking_weight', 0, (_s, g) => { g.trackingWeight = true; }),
  kw('global_tracking', 0, (s, g, sink) => {
    sink.warnings.push({ at: s.keyword.at, message: 'global_tracking is deprecated: it means sync_group_tracking_weight, as in keepalived 2.2.7 (which reports it); write sync_group_tracking_weight, or track_* on the sync group' });
    g.trackingWeight = true;
  }),
];

export function newInstance(name: string, at: Loc, registry: Registry): KeepalivedInstance {
  return { ...newInstanceDraft(name, at), nopreempt: false, placed: {}, v3AsV2: false, refs: [], registry, excluded: [], routes: [], rules: [] };
}

export function newSyncGroup(name: string, at: Loc, registry: Registry): KeepalivedSyncGroup {
  return { ...newSyncGroupDraft(name, at), refs: [], registry, trackingWeight: false };
}
