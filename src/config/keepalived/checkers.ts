/**
 * The checker blocks of a keepalived.conf real_server (keepalived 2.2.7 keepalived/check/
 * check_api.c install_checkers_keyword): TCP_CHECK, HTTP_GET, SSL_GET (check-http.ts),
 * MISC_CHECK, SMTP_CHECK (with its deprecated `host` blocks), DNS_CHECK, UDP_CHECK,
 * PING_CHECK, FILE_CHECK. BFD_CHECK is refused. Each block becomes a CheckDraft; timing
 * inheritance and defaults are applied in check-build.ts.
 */
import type { Loc } from '../../model/index.js';
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import { keepalivedRules } from './repeats.js';
import type { Stmt } from '../tree.js';
import { bad, int, oneOf } from '../values.js';
import { connectionKeywords, fwmarkKeyword, newCheck, newTarget, SCHEDULE_KEYWORDS, type CheckDraft, type CheckType, type TargetDraft } from './check-common.js';
import { endHttp, HTTP_KEYWORDS } from './check-http.js';
import { commandOnly } from './script.js';

/**
 * keepalived read_hex_str (lib/parser.c): hex digits in pairs, spaces between bytes; a lone
 * digit is one byte. Its loop takes a last byte of ff for its own "invalid digit" marker, so
 * keepalived 2.2.7 rejects any string ending in ff; undefined here too ("ff" is the caller's cue).
 */
export function hexBytes(text: string, wildcards: boolean): string | undefined {
  let out = '';
  const digit = wildcards ? /[0-9a-fA-FxX]/ : /[0-9a-fA-F]/;
  for (let i = 0; i < text.length;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    const a = text[i++] ?? '';
    if (!digit.test(a)) return undefined;
    const b = i < text.length && text[i] !== ' ' && text[i] !== '\t' ? text[i++] ?? '' : undefined;
    if (b !== undefined && !digit.test(b)) return undefined;
    out += (b === undefined ? `0${a}` : `${a}${b}`).toLowerCase();
  }
  return out === '' || out.endsWith('ff') ? undefined : out;
}

function hexArgs(s: Stmt, wildcards: boolean, sink: Sink): string | undefined {
  const v = hexBytes(s.args.map((w) => w.text).join(' '), wildcards);
  const last = s.args[s.args.length - 1];
  const ff = v === undefined && last !== undefined && /ff$/i.test(last.text) && hexBytes(s.args.map((w) => w.text).join(' ').slice(0, -2) + '00', wildcards) !== undefined;
  const at = ff ? last : s.args[0];
  if (v === undefined && at) bad(sink, at, ff ? `hex bytes not ending in ff for "${s.keyword.text}" (keepalived 2.2.7 takes a last byte ff for an invalid digit and rejects the string)` : `hex bytes for "${s.keyword.text}" (e.g. 0a 1b2c${wildcards ? ', x for any nibble' : ''})`);
  return v;
}

const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const; // check_dns.c DNS_TYPE

/** check_dns.c dns_name_handler: no empty label ("a..b", ".a"). */
function dnsName(s: Stmt, c: CheckDraft, sink: Sink): void {
  const w = s.args[0];
  if (w === undefined) return;
  if (/\.\./.test(w.text) || (w.text.startsWith('.') && w.text !== '.')) bad(sink, w, 'a DNS name without empty labels');
  else c.dnsName = w.text === '' ? '.' : w.text;
}

const COMMON: readonly Keyword<CheckDraft>[] = [...SCHEDULE_KEYWORDS, ...connectionKeywords<CheckDraft>((c) => c.target)];

/** The keywords of an SMTP_CHECK `host { }` block whose connection keywords fill `t`. */
export function smtpHostKeywords(t: TargetDraft): Keyword<CheckDraft>[] {
  return [...SCHEDULE_KEYWORDS, ...connectionKeywords<CheckDraft>(() => t)];
}

/** SMTP_CHECK `host { }`: another target; scheduling keywords there set the whole checker, as in keepalived. */
function smtpHost(s: Stmt, c: CheckDraft, sink: Sink): void {
  const t = newTarget(s.keyword.at);
  const table = smtpHostKeywords(t);
  interpret(s.block?.body ?? [], table, c, { where: 'host of SMTP_CHECK', sink, ...keepalivedRules('virtual_server/real_server/SMTP_CHECK/host') });
  c.hosts.push(t);
  sink.warnings.push({ at: s.keyword.at, message: 'the SMTP_CHECK host block is deprecated (keepalived 2.2.7 logs so): it still adds a target probed with this checker\'s settings; prefer one SMTP_CHECK per target' });
}

export const CHECKER_TABLES: Readonly<Record<CheckType, readonly Keyword<CheckDraft>[]>> = {
  TCP_CHECK: [...COMMON, fwmarkKeyword<CheckDraft>((c) => c.target)],
  HTTP_GET: [...HTTP_KEYWORDS, fwmarkKeyword<CheckDraft>((c) => c.target)],
  SSL_GET: HTTP_KEYWORDS,
  PING_CHECK: COMMON,
  MISC_CHECK: [
    ...SCHEDULE_KEYWORDS,
    { names: ['misc_path'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: (s, c, sink) => { const argv = commandOnly(s, sink); if (argv) c.argv = argv; } },
    kw('misc_timeout', 1, (s, c, sink) => {
      // check_misc.c: whole seconds; 0 means "the virtual server's delay_loop"
      const v = s.args[0] && int(sink, s.args[0], { what: 'a misc_timeout in whole seconds', min: 0, max: Math.floor((2 ** 32 - 1) / 1e6) });
      if (v !== undefined) c.miscTimeoutS = v;
    }),
    kw('misc_dynamic', 0, (_s, c) => { c.dynamic = true; }),
    { names: ['user'], minArgs: 1, maxArgs: 2, block: 'none', apply: (s, c) => { c.user = s.args[0]?.text; c.group = s.args[1]?.text; } },
  ],
  SMTP_CHECK: [
    ...COMMON,
    kw('helo_name', 1, (s, c) => { c.helo = s.args[0]?.text; }),
    { names: ['host'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true, apply: smtpHost },
  ],
  DNS_CHECK: [
    ...COMMON,
    kw('type', 1, (s, c, sink) => { const v = s.args[0] && oneOf(sink, s.args[0], { what: 'a DNS_CHECK type', values: DNS_TYPES, fold: true }); if (v) c.dnsType = v; }),
    kw('name', 1, dnsName),
  ],
  UDP_CHECK: [
    ...COMMON,
    { names: ['payload'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: (s, c, sink) => { const v = hexArgs(s, false, sink); if (v) c.payloadHex = v; } },
    {
      names: ['require_reply'], minArgs: 0, maxArgs: Infinity, block: 'none',
      apply: (s, c, sink) => {
        c.requireReply = true;
        const v = s.args.length > 0 ? hexArgs(s, true, sink) : undefined;
        if (v) c.replyHex = v;
      },
    },
    kw('min_reply_length', 1, (s, c, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a min_reply_length in bytes', min: 0, max: 65535 }); if (v !== undefined) c.minReply = v; }),
    kw('max_reply_length', 1, (s, c, sink) => { const v = s.args[0] && int(sink, s.args[0], { what: 'a max_reply_length in bytes', min: 0, max: 65535 }); if (v !== undefined) c.maxReply = v; }),
  ],
  FILE_CHECK: [
    kw('track_file', 1, (s, c) => { c.track = s.args[0]; }),
    {
      names: ['weight'], minArgs: 1, maxArgs: 2, block: 'none',
      apply: (s, c, sink) => {
        const [w, opt] = s.args;
        const v = w && int(sink, w, { what: 'a FILE_CHECK weight', min: -65535, max: 65535 }); // IPVS_WEIGHT_LIMIT
        const rev = opt && oneOf(sink, opt, { what: 'a weight option', values: ['reverse', 'noreverse'] as const });
        if (v !== undefined && (opt === undefined || rev)) c.fileWeight = { weight: v, reverse: rev === 'reverse' };
      },
    },
  ],
};

/** End-of-block checks keepalived makes (it drops the checker and reports; lvsd refuses). */
function endCheck(c: CheckDraft, seen: ReadonlySet<string>, sink: Sink): void {
  const need = (ok: boolean, what: string): void => { if (!ok) error(sink, c.at, `expected ${what} in ${c.type}, got none (keepalived 2.2.7 drops the checker)`); };
  if (c.type === 'HTTP_GET' || c.type === 'SSL_GET') endHttp(c, sink);
  if (c.type === 'MISC_CHECK') need(seen.has('misc_path'), '"misc_path"');
  if (c.type === 'FILE_CHECK') need(c.track !== undefined, '"track_file NAME"');
  if (c.type === 'UDP_CHECK' && c.minReply !== undefined && c.maxReply !== undefined && c.minReply > c.maxReply) {
    error(sink, c.at, `expected min_reply_length ≤ max_reply_length in UDP_CHECK, got ${c.minReply} > ${c.maxReply} (the check could never pass)`);
  }
}

const CHECK_TYPES: readonly CheckType[] = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK'];

/** The checker keywords of a real_server, given where each parsed checker goes. */
export function checkerKeywords<R>(add: (r: R, c: CheckDraft, at: Loc) => void): Keyword<R>[] {
  return [
    ...CHECK_TYPES.map((type): Keyword<R> => ({
      names: [type], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
      apply: (s, r, sink) => {
        const c = newCheck(type, s.keyword.at);
        const seen = new Set<string>();
        interpret(s.block?.body ?? [], CHECKER_TABLES[type], c, { where: type, sink, seen, ...keepalivedRules(`virtual_server/real_server/${type}`) });
        endCheck(c, seen, sink);
        add(r, c, s.keyword.at);
      },
    })),
  ];
}
