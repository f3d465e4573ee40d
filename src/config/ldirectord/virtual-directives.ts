/**
 * Directives inside a `virtual=` / `virtual6=` block, read as ldirectord 4.12 reads them
 * (read_config's block loop). Real servers and the block's fallback are only collected here:
 * like ldirectord, we resolve them after the whole block is read, when the protocol is known.
 */
import { readFallback } from './address.js';
import type { Directive } from './blocks.js';
import type { CheckType, VirtualDraft } from './drafts.js';
import { command, misplaced, set, SHARED, type Apply, type Ctx } from './global-directives.js';
import { LDIRECTORD_DIRECTIVES as D, type NegotiateService } from '../../model/index.js';
import { errorAt, firstWord, maybeQuoted, no, ok, quoted, take, yesNo, type Read } from './values.js';

/** service= values (ldirectord 4.12); anything else is refused. */
export const SERVICES: readonly NegotiateService[] = ['dns', 'ftp', 'http', 'https', 'http_proxy', 'imap', 'imaps', 'ldap', 'ldaps', 'mysql', 'nntp', 'none', 'oracle', 'pgsql', 'pop', 'pops', 'radius', 'simpletcp', 'sip', 'smtp', 'submission'];

const CHECK_TYPES = ['connect', 'negotiate', 'ping', 'off', 'on', 'external', 'external-perl'] as const;

/** `$1 =~ /(\d+)/` first (any digits: "combined"), else the first `[\w-]+` word from the list. */
function checkType(v: string): Read<CheckType> {
  const n = /(\d+)/.exec(v);
  if (n) {
    const value = Number(n[1]);
    const note = v.replace(/\s*#.*$/, '').trim() === n[1] ? undefined : `checktype=${v} is read as checktype=${value} (ldirectord takes any digits in the value as the number of connect checks between negotiations)`;
    return ok({ combined: value }, note);
  }
  const w = /([\w-]+)/.exec(v)?.[1];
  const t = CHECK_TYPES.find((c) => c === w);
  if (t === undefined) return no(`expected checktype connect, negotiate, ping, on, off, external, external-perl or a number, got "${v}" (lower case only)`);
  return ok(t, v.trim() === t ? undefined : `checktype=${v} is read as "${t}"`);
}

function scheduler(v: string): Read<string> {
  const m = /([a-z]+)/.exec(v);
  if (!m) return no(`expected a scheduler name in lower-case letters, got "${v}"`);
  return ok(m[1] ?? '', v.trim() === m[1] ? undefined : `scheduler=${v} is read as "${m[1] ?? ''}" (ldirectord takes the first run of lower-case letters)`);
}

function checkPort(v: string): Read<number> {
  const m = /(\d+)/.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!(n > 0 && n < 65536)) return no(`expected a checkport between 1 and 65535, got "${v}"`);
  return ok(n, v.trim() === m?.[1] ? undefined : `checkport=${v} is read as ${n}`);
}

function netmask(family: 4 | 6): (v: string) => Read<string> {
  return (v) => {
    if (family === 6) return /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 128 ? ok(v) : no(`expected a prefix length between 1 and 128 for netmask of an IPv6 service, got "${v}"`);
    return /^\d+\.\d+\.\d+\.\d+$/.test(v) ? ok(v) : no(`expected a dotted-quad netmask, got "${v}"`);
  };
}

/** `\"(.*)\"` then `(\w+)`: a quoted word. */
function load(v: string): Read<string> {
  const q = quoted('load')(v);
  return q.ok && !/\w/.test(q.value) ? no(`expected a word in double quotes for load, got ${v}`) : q;
}

/** `(\d+)`: the first digits (0 accepted). */
function persistent(v: string): Read<number> {
  const m = /(\d+)/.exec(v);
  if (!m) return no(`expected a persistence timeout in seconds, got "${v}"`);
  return ok(Number(m[1]), v.trim() === m[1] ? undefined : `persistent=${v} is read as ${m[1] ?? ''}`);
}

/** `(\S+)`: the first word, passed to ipvsadm -b. */
function schedFlags(v: string): Read<string> {
  const m = /(\S+)/.exec(v);
  return m ? ok(m[1] ?? '') : no('expected scheduler flags for schedflags, got none');
}

/** `(\w+)` upper-cased: GET or HEAD in any case. */
function httpMethod(v: string): Read<'GET' | 'HEAD'> {
  const w = firstWord('httpmethod', v);
  if (!w.ok) return w;
  const m = w.value.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? ok(m, w.note) : no(`expected httpmethod GET or HEAD, got "${v}"`);
}

/** `\"?([^\"]*)\"?`: quotes optional; an unquoted value keeps its trailing spaces. */
function virtualhost(v: string): Read<string> {
  const h = /^"?([^"]*)"?/.exec(v)?.[1] ?? '';
  return ok(h, /\s$/.test(h) ? `virtualhost "${h}" keeps its trailing spaces, as ldirectord keeps them` : undefined);
}

function protocol(d: Directive, a: VirtualDraft, ctx: Ctx): void {
  const w = take(ctx.report, d, (v) => firstWord('protocol', v));
  if (w === undefined) return;
  if (a.protocol === 'fwm') {
    if (w !== 'fwm') errorAt(ctx.report, d.valueAt, `expected protocol=fwm for a firewall-mark service, got "${w}"`);
  } else if (w === 'tcp' || w === 'udp') {
    a.protocol = w;
    a.protocolAt = d.at;
  } else errorAt(ctx.report, d.valueAt, `expected protocol tcp or udp for an address:port service, got "${w}"`);
}

/** service=: also sets ldirectord's ftp and sip login defaults when still empty at this point. */
function service(d: Directive, a: VirtualDraft, ctx: Ctx, hostname: string): void {
  a.serviceWritten = true;
  const w = take(ctx.report, d, (v) => firstWord('service', v));
  if (w === undefined) return;
  const known = SERVICES.find((s) => s === w);
  if (known === undefined) {
    errorAt(ctx.report, d.valueAt, `expected a service (${SERVICES.join(', ')}), got "${w}" (lower case only)`);
    return;
  }
  a.service = known;
  const agent = `${D.agentUser}@${hostname}`;
  if (w === 'ftp' && a.login === '') a.login = D.ftpLogin;
  else if (w === 'sip' && a.login === '') a.login = agent;
  if (w === 'ftp' && a.passwd === '') a.passwd = agent;
}

function family(d: Directive, a: VirtualDraft, ctx: Ctx, base: 'real' | 'fallback'): boolean {
  const six = d.name.endsWith('6');
  if (six === (a.family === 6)) return true;
  errorAt(ctx.report, d.at, `expected "${base}${a.family === 6 ? '6' : ''}" in a ${a.family === 6 ? 'virtual6' : 'virtual'} block, got "${d.name}"`);
  return false;
}

function fallback(d: Directive, a: VirtualDraft, ctx: Ctx): void {
  if (!family(d, a, ctx, 'fallback')) return;
  const f = take(ctx.report, d, readFallback);
  // parse_fallback: a block fallback without a port takes the virtual's port as written (fwmark: 0).
  const port = f?.port ?? (a.head.kind === 'addr' ? a.head.port : '0');
  if (f !== undefined) a.fallback = { directive: d, host: f.host, port, forward: f.forward };
}

function table(hostname: string): Readonly<Record<string, Apply<VirtualDraft>>> {
  return {
    ...SHARED,
    real: (d, a, ctx) => { if (family(d, a, ctx, 'real')) a.reals.push(d); },
    real6: (d, a, ctx) => { if (family(d, a, ctx, 'real')) a.reals.push(d); },
    request: set(quoted('request'), (a, v) => { a.request = v.startsWith('/') ? v : `/${v}`; }),
    receive: set(quoted('receive'), (a, v) => { a.receive = v; }),
    checktype: (d, a, ctx) => {
      const t = take(ctx.report, d, checkType);
      if (t === 'external-perl') errorAt(ctx.report, d.valueAt, 'checktype=external-perl is not supported by lvsd: ldirectord compiles that check into its own Perl interpreter; use checktype=external, which runs the same program with the same arguments');
      else if (t !== undefined) { a.checkType = t; a.checkTypeAt = d.at; }
    },
    checkcommand: set(maybeQuoted('checkcommand'), (a, v) => { a.checkCommand = v; }),
    checkport: set(checkPort, (a, v) => { a.checkPort = v; }),
    login: set(quoted('login'), (a, v) => { a.login = v; }),
    passwd: set(quoted('passwd'), (a, v) => { a.passwd = v; }),
    database: set(quoted('database'), (a, v) => { a.database = v; }),
    secret: set(quoted('secret'), (a, v) => { a.secret = v; }),
    // Accepted and never used by ldirectord (an undocumented leftover): the same here.
    load: set(load, () => undefined),
    scheduler: set(scheduler, (a, v) => { a.scheduler = v; }),
    persistent: set(persistent, (a, v) => { a.persistentS = v; }),
    schedflags: set(schedFlags, (a, v) => { a.schedFlags = v; }),
    netmask: (d, a, ctx) => { const v = take(ctx.report, d, netmask(a.family)); if (v !== undefined) a.netmask = { value: v, at: d.valueAt }; },
    protocol,
    ops: set(yesNo('ops'), (a, v, d) => { a.ops = v; a.opsAt = d.at; }),
    service: (d, a, ctx) => service(d, a, ctx, hostname),
    httpmethod: set(httpMethod, (a, v) => { a.httpMethod = v; }),
    virtualhost: set(virtualhost, (a, v) => { a.virtualhost = v; }),
    fallback,
    fallback6: fallback,
    fallbackcommand: set(command('fallbackcommand', maybeQuoted('fallbackcommand')), (a, v) => { a.fallbackCommand = v; }),
    monitorfile: set(maybeQuoted('monitorfile'), (a, v) => { a.monitorFile = v; }),
    servicename: (d, a) => { a.serviceName = d.value; },
    comment: (d, a) => { a.comment = d.value; },
  };
}

export function applyVirtual(d: Directive, acc: VirtualDraft, ctx: Ctx & { readonly hostname: string }): void {
  const t = table(ctx.hostname);
  const apply = Object.hasOwn(t, d.name) ? t[d.name] : undefined;
  if (apply === undefined) errorAt(ctx.report, d.at, misplaced(d, 'block', acc.at.line));
  else if (d.bare) errorAt(ctx.report, d.at, `expected "${d.name}=VALUE", got no "=" (ldirectord: Unknown command)`);
  else apply(d, acc, ctx);
}
