/**
 * HTTP_GET / SSL_GET keywords (keepalived 2.2.7 keepalived/check/check_http.c
 * install_http_ssl_check_keyword): nb_get_retry (deprecated), virtualhost, http_protocol,
 * enable_sni, fast_recovery and `url { path digest status_code virtualhost regex
 * regex_no_match regex_options regex_min_offset regex_max_offset regex_stack }`.
 * keepalived matches `regex` with PCRE2; lvsd with JavaScript RegExp, so a pattern is
 * compiled here and refused when JavaScript cannot compile it.
 */
import { error, interpret, kw, type Keyword, type Sink } from '../keywords.js';
import { keepalivedRules } from './repeats.js';
import type { Stmt } from '../tree.js';
import { bad, int, oneOf } from '../values.js';
import { connectionKeywords, optionalBool, SCHEDULE_KEYWORDS, type CheckDraft, type UrlDraft } from './check-common.js';
import { quotedEscaped, rawStatement } from './script.js';

/** `status_code 200 201-204 ...`: HTTP_STATUS_CODE_MIN..MAX (check_http.h: 100..599). */
function statusCodes(s: Stmt, u: UrlDraft, sink: Sink): void {
  for (const w of s.args) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(w.text);
    const lo = Number(m?.[1]);
    const hi = Number(m?.[2] ?? m?.[1]);
    if (!m || lo < 100 || hi > 599 || lo > hi) bad(sink, w, 'an HTTP status code or range between 100 and 599 (200, 200-299)');
    else u.status.push([lo, hi]);
  }
}

/** keepalived regex_options (PCRE2 flags) that JavaScript has. */
const REGEX_FLAGS: Readonly<Record<string, string>> = { caseless: 'i', multiline: 'm', dotall: 's' };
const PCRE2_ONLY = [
  'allow_empty_class', 'alt_bsux', 'auto_callout', 'dollar_endonly', 'dupnames', 'extended', 'firstline', 'match_unset_backref',
  'never_ucp', 'never_utf', 'no_auto_capture', 'no_auto_possess', 'no_dotstar_anchor', 'no_start_optimize', 'ucp', 'ungreedy', 'utf',
  'never_backslash_c', 'alt_circumflex', 'alt_verbnames', 'use_offset_limit',
];

function regexOptions(s: Stmt, u: UrlDraft, sink: Sink): void {
  for (const w of s.args) {
    const flag = REGEX_FLAGS[w.text];
    if (flag !== undefined) { if (!u.regexFlags.includes(flag)) u.regexFlags += flag; continue; }
    if (PCRE2_ONLY.includes(w.text)) error(sink, w.at, `keepalived's regex_options ${w.text} (a PCRE2 option) is not supported by lvsd, which matches with JavaScript RegExp (caseless, multiline and dotall are)`);
    else bad(sink, w, `a regex_options word (${[...Object.keys(REGEX_FLAGS), ...PCRE2_ONLY].join(', ')})`);
  }
}

/**
 * `regex "..."`: keepalived re-reads the line with its escape-processing tokenizer and wants
 * exactly one word after the keyword, so `\d` in the file reaches PCRE2 as `d`.
 */
function regex(s: Stmt, u: UrlDraft, sink: Sink): void {
  const at = s.args[0]?.at ?? s.keyword.at;
  const raw = rawStatement(s);
  const split = quotedEscaped(raw);
  const words = split.ok ? split.words : [];
  const pattern = words[1];
  if (!split.ok || words.length !== 2 || pattern === undefined) {
    error(sink, at, `expected one regular expression after "regex" (quote it when it has spaces), got ${split.ok ? words.length - 1 : 'an unreadable line'}`);
    return;
  }
  if (raw.slice(s.keyword.text.length).includes('\\')) {
    sink.warnings.push({ at, message: `keepalived 2.2.7 reads backslash escapes of the config line before the regular expression sees it, so the pattern is ${JSON.stringify(pattern)}; write \\\\ for a backslash in the pattern` });
  }
  u.regex = pattern;
  u.regexAt = at;
}

/**
 * regex_min_offset / regex_max_offset N (check_http.c regex_offset_handler: a decimal byte
 * offset of the body where the match may start, both inclusive; src/health/checks/body-regex.ts).
 */
function regexOffset(field: 'regexMinOffset' | 'regexMaxOffset') {
  return (s: Stmt, u: UrlDraft, sink: Sink): void => {
    const w = s.args[0];
    const v = w && int(sink, w, { what: 'a byte offset in the body', min: 0, max: Number.MAX_SAFE_INTEGER });
    if (v !== undefined) u[field] = { value: v, at: s.keyword.at };
  };
}

function checkRegex(u: UrlDraft, sink: Sink): void {
  if (u.regex === undefined) {
    if (u.regexNoMatch !== undefined || u.regexFlags !== '' || u.regexMinOffset !== undefined || u.regexMaxOffset !== undefined) {
      sink.warnings.push({
        at: u.regexNoMatch ?? u.regexMinOffset?.at ?? u.regexMaxOffset?.at ?? u.at,
        message: 'regex_no_match, regex_options and regex offsets without a regex in this url have no effect (keepalived 2.2.7 ignores them too)',
      });
    }
    u.regexFlags = '';
    delete u.regexNoMatch;
    delete u.regexMinOffset;
    delete u.regexMaxOffset;
    return;
  }
  // check_http.c url_end_handler: "regex min offset %zu > regex_max_offset %zu - ignoring" (both).
  if (u.regexMinOffset !== undefined && u.regexMaxOffset !== undefined && u.regexMinOffset.value > u.regexMaxOffset.value) {
    sink.warnings.push({
      at: u.regexMinOffset.at,
      message: `regex_min_offset ${u.regexMinOffset.value} is beyond regex_max_offset ${u.regexMaxOffset.value}: both are ignored (the regex may match anywhere), as keepalived 2.2.7 does (and logs)`,
    });
    delete u.regexMinOffset;
    delete u.regexMaxOffset;
  }
  try {
    new RegExp(u.regex, u.regexFlags);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    error(sink, u.regexAt ?? u.at, `expected a regular expression JavaScript can compile (lvsd uses JavaScript RegExp where keepalived uses PCRE2), got ${JSON.stringify(u.regex)}: ${e.message}`);
  }
}

export const URL_KEYWORDS: readonly Keyword<UrlDraft>[] = [
  kw('path', 1, (s, u) => { u.path = s.args[0]?.text; }),
  kw('digest', 1, (s, u, sink) => {
    const w = s.args[0];
    if (w && /^[0-9a-fA-F]{32}$/.test(w.text)) u.digest = w.text.toLowerCase();
    else if (w) bad(sink, w, 'an MD5 digest of 32 hex digits');
  }),
  { names: ['status_code'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true, apply: (s, u, sink) => statusCodes(s, u, sink) },
  kw('virtualhost', 1, (s, u) => { u.virtualhost = s.args[0]?.text; }),
  { names: ['regex'], minArgs: 1, maxArgs: Infinity, block: 'none', apply: (s, u, sink) => regex(s, u, sink) },
  kw('regex_no_match', 0, (s, u) => { u.regexNoMatch = s.keyword.at; }),
  { names: ['regex_options'], minArgs: 1, maxArgs: Infinity, block: 'none', repeat: true, apply: (s, u, sink) => regexOptions(s, u, sink) },
  kw('regex_min_offset', 1, regexOffset('regexMinOffset')),
  kw('regex_max_offset', 1, regexOffset('regexMaxOffset')),
];

function url(s: Stmt, c: CheckDraft, sink: Sink): void {
  const u: UrlDraft = { at: s.keyword.at, status: [], regexFlags: '' };
  interpret(s.block?.body ?? [], URL_KEYWORDS, u, { where: `url of ${c.type}`, sink, ...keepalivedRules(`virtual_server/real_server/${c.type}/url`) });
  if (u.path === undefined) error(sink, u.at, `expected "path" in this url of ${c.type} (keepalived 2.2.7 drops a url without one), got none`);
  checkRegex(u, sink);
  c.urls.push(u);
}

export const HTTP_KEYWORDS: readonly Keyword<CheckDraft>[] = [
  ...SCHEDULE_KEYWORDS,
  ...connectionKeywords<CheckDraft>((c) => c.target),
  kw('nb_get_retry', 1, (s, c, sink) => {
    const v = s.args[0] && int(sink, s.args[0], { what: 'an nb_get_retry count', min: 0, max: 2 ** 32 - 1 });
    sink.warnings.push({ at: s.keyword.at, message: 'nb_get_retry is deprecated: it means "retry", as in keepalived 2.2.7 (which reports it); write retry' });
    if (v !== undefined) c.timing.retry = v;
  }),
  kw('virtualhost', 1, (s, c) => { c.virtualhost = s.args[0]?.text; }),
  kw('http_protocol', 1, (s, c, sink) => {
    const v = s.args[0] && oneOf(sink, s.args[0], { what: 'an http_protocol', values: ['1.0', '1.0C', '1.0c', '1.1'] as const });
    if (v) c.httpVersion = v === '1.0c' ? '1.0C' : v;
  }),
  { names: ['enable_sni'], minArgs: 0, maxArgs: 1, block: 'none', apply: (s, c, sink) => { const v = optionalBool(sink, s); if (v !== undefined) c.sni = { on: v, at: s.keyword.at }; } },
  { names: ['fast_recovery'], minArgs: 0, maxArgs: 1, block: 'none', apply: (s, c, sink) => { const v = optionalBool(sink, s); if (v !== undefined) c.fastRecovery = v; } },
  { names: ['url'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true, apply: url },
];

/** End of an HTTP_GET / SSL_GET block (check_http.c http_get_check_end). */
export function endHttp(c: CheckDraft, sink: Sink): void {
  if (c.urls.length === 0) error(sink, c.at, `expected at least one url { path ... } in ${c.type} (keepalived 2.2.7 drops the checker without one), got none`);
  if (c.type === 'HTTP_GET' && c.sni?.on === true) {
    sink.warnings.push({ at: c.sni.at, message: 'enable_sni has no effect on HTTP_GET (no TLS); keepalived 2.2.7 ignores it there too' });
  }
}
