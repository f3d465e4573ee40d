/**
 * keepalived's top-level static_ipaddress / static_routes / static_rules (vrrp_parser.c
 * static_*_handler, vrrp_data.c alloc_saddress / alloc_sroute / alloc_srule): the syntax of
 * virtual_ipaddress / virtual_routes / virtual_rules, installed when keepalived starts whatever
 * the VRRP state and removed when it stops (vrrp_daemon.c start_vrrp, stop_vrrp). lvsd does the
 * same (daemon/static-net.ts). Blocks add up, as keepalived's lists do.
 */
import type { StaticNet, VirtualRoute, VirtualRule } from '../../model/index.js';
import { error, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';
import { bad, int, ipWithPrefix } from '../values.js';
import { routesBlock, rulesBlock, SCOPES } from './routes.js';

/** keepalived's interface for a static address without `dev` when default_interface is not set (vrrp_ipaddress.h DFLT_INT). */
export const DEFAULT_STATIC_DEV = 'eth0';

interface AddressDraft {
  readonly at: Word['at'];
  readonly address: string;
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly dev?: string;
  readonly label?: string;
  readonly scope: number;
  readonly noTrack: boolean;
}

export interface StaticDrafts {
  readonly addresses: AddressDraft[];
  readonly routes: VirtualRoute[];
  readonly rules: VirtualRule[];
}

export const newStaticDrafts = (): StaticDrafts => ({ addresses: [], routes: [], rules: [] });

/** Options alloc_ipaddress knows that lvsd does not set on an address. */
const UNSUPPORTED = new Set(['broadcast', 'brd', 'peer', 'home', '-nodad', 'nodad', 'noprefixroute', 'autojoin', 'preferred_lft', 'track_group', 'mngtmpaddr']);

function scopeOf(w: Word, sink: Sink): number | undefined {
  const named = SCOPES[w.text];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(w.text)) return bad(sink, w, `an address scope (${Object.keys(SCOPES).join(', ')} or a number)`);
  return int(sink, w, { what: 'an address scope', min: 0, max: 255 });
}

/** One static_ipaddress line: ADDRESS[/PREFIX] [dev IF] [label L] [scope S] [no_track]. */
export function parseStaticAddress(s: Stmt, sink: Sink): AddressDraft | undefined {
  const a = ipWithPrefix(sink, s.keyword, 'a static address');
  const o: { dev?: string; label?: string; scope?: number; noTrack?: boolean } = {};
  for (let i = 0; i < s.args.length; i++) {
    const w = s.args[i];
    if (w === undefined) break;
    if (w.text === 'no_track') { o.noTrack = true; continue; }
    if (UNSUPPORTED.has(w.text)) {
      error(sink, w.at, `keepalived's address option "${w.text}" is not supported by lvsd (a static address takes dev, label, scope and no_track)`);
      return undefined;
    }
    if (w.text !== 'dev' && w.text !== 'label' && w.text !== 'scope') return bad(sink, w, 'a static address option (dev IF, label LABEL, scope S, no_track)');
    const v = s.args[++i];
    if (v === undefined) {
      error(sink, w.at, `expected a value after "${w.text}", got none`);
      return undefined;
    }
    if (w.text === 'scope') {
      o.scope = scopeOf(v, sink);
      if (o.scope === undefined) return undefined;
    } else o[w.text] = v.text;
  }
  if (a === undefined) return undefined;
  if (a.family === 6 && (o.scope || o.label !== undefined)) {
    // alloc_ipaddress: "Cannot specify scope|label for IPv6 addresses ... - ignoring", a config error for keepalived -t.
    error(sink, s.keyword.at, `expected no ${o.label !== undefined ? 'label' : 'scope'} on the IPv6 address ${a.address} (keepalived 2.2.7 reports it and ignores it)`);
    return undefined;
  }
  return {
    at: s.keyword.at, address: a.address, family: a.family, prefix: a.prefix, scope: o.scope ?? 0, noTrack: o.noTrack ?? false,
    ...(o.dev !== undefined ? { dev: o.dev } : {}), ...(o.label !== undefined ? { label: o.label } : {}),
  };
}

/** The three top-level keywords, for parse.ts's TOP table; `of` finds the drafts. */
export function staticKeywords<D>(of: (d: D) => StaticDrafts): Keyword<D>[] {
  const body = (s: Stmt): Stmt[] => [...(s.block?.body ?? [])];
  return [
    {
      names: ['static_ipaddress'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
      apply: (s, d, sink) => {
        const parsed = body(s).flatMap((e) => parseStaticAddress(e, sink) ?? []);
        if (parsed.some((p) => !p.noTrack)) {
          sink.warnings.push({ at: s.keyword.at, message: 'static_ipaddress addresses are added when lvsd starts and removed when it stops, but lvsd does not watch them: keepalived puts back one someone else deletes, unless marked no_track' });
        }
        of(d).addresses.push(...parsed);
      },
    },
    {
      names: ['static_routes'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
      apply: (s, d, sink) => { of(d).routes.push(...routesBlock({ keyword: s.keyword, body: body(s), sink })); },
    },
    {
      names: ['static_rules'], minArgs: 0, maxArgs: 0, block: 'required', repeat: true,
      apply: (s, d, sink) => { of(d).rules.push(...rulesBlock({ keyword: s.keyword, body: body(s), sink })); },
    },
  ];
}

/** The model's statics: addresses without `dev` go on default_interface, else eth0 (vrrp_if.c get_default_if). */
export function buildStatics(d: StaticDrafts, defaultInterface: string | undefined): StaticNet | undefined {
  if (d.addresses.length + d.routes.length + d.rules.length === 0) return undefined;
  const addresses = d.addresses.map(({ noTrack: _, dev, ...a }) => ({ ...a, dev: dev ?? defaultInterface ?? DEFAULT_STATIC_DEV }));
  return { addresses, routes: d.routes, rules: d.rules };
}
