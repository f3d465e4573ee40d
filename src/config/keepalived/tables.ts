/**
 * Every keyword table of the keepalived.conf front-end, by the block it interprets, named as
 * keepalived 2.2.7 nests its keywords (scripts/keepalived-keywords.mjs): "top",
 * "global_defs", "vrrp_instance", "virtual_server/real_server/HTTP_GET/url", ... These are
 * the keywords lvsd implements; policy.ts says what happens to all the others, and
 * policy.test.ts checks that the two agree.
 */
import { AUTH_KEYWORDS, GLOBAL_KEYWORDS, INSTANCE_KEYWORDS, SYNC_GROUP_KEYWORDS } from './vrrp.js';
import { URL_KEYWORDS } from './check-http.js';
import { newTarget, type CheckType } from './check-common.js';
import { CHECKER_TABLES, smtpHostKeywords } from './checkers.js';
import { REAL_KEYWORDS, VS_KEYWORDS } from './lvs.js';
import { TOP } from './parse.js';
import { SSL_KEYWORDS } from './ssl.js';
import { FILE_KEYWORDS, PROCESS_KEYWORDS, SCRIPT_KEYWORDS } from './tracking.js';

/** A table as far as names go. */
export type NameTable = readonly { readonly names: readonly string[] }[];

const RS = 'virtual_server/real_server';

function checkers(): Record<string, NameTable> {
  const out: Record<string, NameTable> = {};
  for (const [type, table] of Object.entries(CHECKER_TABLES) as [CheckType, NameTable][]) out[`${RS}/${type}`] = table;
  out[`${RS}/HTTP_GET/url`] = URL_KEYWORDS;
  out[`${RS}/SSL_GET/url`] = URL_KEYWORDS;
  out[`${RS}/SMTP_CHECK/host`] = smtpHostKeywords(newTarget({ file: '', line: 0 }));
  return out;
}

/** The implemented keywords of each block (first name and synonyms alike). */
export function implementedTables(): Readonly<Record<string, NameTable>> {
  return {
    top: TOP,
    global_defs: GLOBAL_KEYWORDS,
    vrrp_instance: INSTANCE_KEYWORDS,
    'vrrp_instance/authentication': AUTH_KEYWORDS,
    vrrp_sync_group: SYNC_GROUP_KEYWORDS,
    vrrp_script: SCRIPT_KEYWORDS,
    track_file: FILE_KEYWORDS,
    vrrp_track_file: FILE_KEYWORDS,
    vrrp_track_process: PROCESS_KEYWORDS,
    SSL: SSL_KEYWORDS,
    virtual_server: VS_KEYWORDS,
    [RS]: REAL_KEYWORDS,
    ...checkers(),
  };
}

/** The names in one table. */
export function namesOf(table: NameTable): string[] {
  return table.flatMap((k) => k.names);
}
