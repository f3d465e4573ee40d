/**
 * keepalived.conf's keywords given again in one block, as keepalived 2.2.7 reads them: its
 * handlers set a field, so the last one wins (`router_id x` then `@main router_id y`), except
 * where a handler keeps the first and reports the rest (vrrp_parser.c, check_parser.c:
 * "notify_master script already specified - ignoring", "Group list already specified",
 * "vrrp_version ... conflicts with configured ... version; ignoring", "state previously set as
 * MASTER - ignoring BACKUP"). Blocks that add entries (virtual_ipaddress, unicast_peer,
 * track_*) add again: they are applied again without a word.
 */
import { formatLoc } from '../../model/index.js';
import type { Fallback, Repeated, Scope } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { policyFallback } from './fallback.js';

/** Each occurrence adds to a list (alloc_value_block), or fills its own sub-block. */
const ADDS = new Set([
  'virtual_ipaddress', 'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'unicast_peer',
  'track_interface', 'track_script', 'track_file', 'track_process', 'track_bfd', 'authentication',
]);

/** The handler keeps the first one and reports the others (keepalived -t fails on them). */
const FIRST_KEPT = new Set([
  'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify', 'notify_master_rx_lower_pri',
  'notify_up', 'notify_down', 'quorum_up', 'quorum_down', 'group', 'lvs_sync_daemon_interface', 'lvs_sync_daemon',
]);

function warn(s: Stmt, first: Stmt, scope: Scope, what: string): void {
  scope.sink.warnings.push({ at: s.keyword.at, message: `"${s.keyword.text}" given again in ${scope.where} (first at ${formatLoc(first.at)}); ${what}` });
}

export const keepalivedRepeats: Repeated = (s, earlier, scope) => {
  const first = earlier[0];
  const name = s.keyword.text;
  if (first === undefined || ADDS.has(name)) return true;
  if (FIRST_KEPT.has(name)) {
    warn(s, first, scope, 'the first one is kept, as keepalived 2.2.7 does (and reports)');
    return false;
  }
  // vrrp_version_handler: a different version than the one set is ignored; the same one changes nothing.
  if (name === 'version') {
    if (s.args[0]?.text !== first.args[0]?.text) warn(s, first, scope, 'the first one is kept, as keepalived 2.2.7 does (and reports the conflict)');
    return false;
  }
  // vrrp_state_handler: once MASTER, a later BACKUP is ignored; any other state replaces.
  if (name === 'state' && s.args[0]?.text === 'BACKUP' && earlier.some((e) => e.args[0]?.text === 'MASTER')) {
    warn(s, first, scope, 'state BACKUP after state MASTER is ignored, as keepalived 2.2.7 does (and reports)');
    return false;
  }
  warn(s, first, scope, s.args.length === 0 && s.block === undefined ? 'once is enough, as in keepalived' : 'the last one wins, as in keepalived');
  return true;
};

/** How the parser reads one block of keepalived.conf: policy.ts for other keywords, keepalived's rules for repeats. */
export function keepalivedRules(block: string): { fallback: Fallback; repeated: Repeated } {
  return { fallback: policyFallback(block), repeated: keepalivedRepeats };
}
