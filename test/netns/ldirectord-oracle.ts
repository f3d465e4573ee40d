/**
 * The real ldirectord (Debian's 4.12 package) as an oracle for src/config/ldirectord: whether
 * it accepts a file (`ldirectord -d FILE status`: exit 2 = configuration error, 3 = parsed and
 * not running), and what it made of it: a copy of /usr/sbin/ldirectord with one line added
 * after its own ld_init()/ld_setup() prints the parsed virtual services and globals as JSON
 * and exits before touching IPVS. Both sides are projected onto the same plain shape here,
 * so a test compares meaning, not representation. Runs in a network namespace whose
 * /etc/hosts, /etc/services and an empty resolv.conf come from the corpus (ip netns exec binds
 * /etc/netns/NAME/*), so names resolve alike and no DNS query leaves the host.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseIp } from '../../src/model/index.js';
import type { Config, HealthCheck, RealServer, VirtualService } from '../../src/model/types.js';
import { shellWords } from '../../src/config/ldirectord/shell-words.js';

const HOOK_AFTER = '\nld_init();\nld_setup();\n';
const DUMP = 'if ($ENV{LVSD_DUMP}) { require JSON::PP; print JSON::PP->new->canonical->allow_unknown->encode({ virtual => \\@VIRTUAL, '
  + 'checkinterval => $CHECKINTERVAL, quiescent => $QUIESCENT, fallback => $FALLBACK, fallback6 => $FALLBACK6, fallbackcommand => $FALLBACKCOMMAND, '
  + 'autoreload => $AUTOCHECK, callback => $CALLBACK, logfile => $LDIRLOG, fork => $FORKING, supervised => $SUPERVISED, readdquiescent => $READDQUIESCENT, '
  + 'emailalert => $EMAILALERT, emailalertfreq => $EMAILALERTFREQ, emailalertfrom => $EMAILALERTFROM, emailalertstatus => $EMAILALERTSTATUS, '
  + 'cleanstop => $CLEANSTOP, smtp => $SMTP, maintenancedir => $MAINTDIR, execute => [sort keys %LD_INSTANCE] }); exit 0; }\n';

/** The dumping copy's text, or undefined when the installed script no longer has the anchor. */
export function dumpingScript(original: string): string | undefined {
  return original.includes(HOOK_AFTER) ? original.replace(HOOK_AFTER, `${HOOK_AFTER}${DUMP}`) : undefined;
}

export function runIn(ns: string, argv: readonly string[], o: { cwd: string; env?: Record<string, string> }): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { cwd: o.cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...o.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------- the projection

export interface Projected {
  readonly services: Record<string, unknown>[];
  readonly globals: Record<string, unknown>;
}

type Ld = Record<string, unknown>;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number => Number(v);

function host(v: unknown): string {
  const bare = str(v).replace(/^\[(.*)\]$/, '$1');
  return parseIp(bare)?.address ?? bare;
}

/** ldirectord's ld_service_to_port, copied from ldirectord.in so the oracle side stands on its own. */
const LD_SERVICE_PORT: Readonly<Record<string, number>> = {
  ftp: 21, smtp: 25, dns: 53, http: 80, pop: 110, nntp: 119, imap: 143, ldap: 389, https: 443, submission: 587,
  ldaps: 636, imaps: 993, pops: 995, oracle: 1521, radius: 1812, http_proxy: 3128, mysql: 3306, sip: 5060, pgsql: 5432,
};
const FORWARD: Readonly<Record<string, string>> = { gate: 'route', masq: 'masq', ipip: 'tunnel' };
const STATES = ['starting', 'running', 'stopping', 'reloading'];

/** The port the kernel uses: ipvsadm forces gate/ipip destinations to the service port (fwmark: as given). */
function kernelPort(v: Ld, forward: string, port: number): number {
  return v['protocol'] === 'fwm' || forward === 'masq' ? port : num(v['port']);
}

function ldFallback(v: Ld, g: Ld): string | null {
  const own = v['fallback'] as Ld | undefined;
  const family = v['addressfamily'] === 10 ? 'fallback6' : 'fallback';
  // A global fallback does not serve fwmark services (ldirectord would add an empty one): lvsd leaves it out.
  const global = v['protocol'] === 'fwm' ? undefined : ((g[family] as Ld | undefined)?.[str(v['protocol'])] as Ld | undefined);
  const f = own ?? global;
  if (f === undefined) return null;
  const forward = FORWARD[str(f['forward'])] ?? '?';
  const port = f['port'] === undefined ? num(v['port']) : num(f['port']);
  return `${host(f['server'])}:${kernelPort(v, str(f['forward']), port)} ${forward}`;
}

function ldCheck(v: Ld, r: Ld, g: Ld): string[] {
  const interval = (g['fork'] === 'yes' && v['checkinterval'] !== undefined ? num(v['checkinterval']) : num(g['checkinterval'])) * 1000;
  const common = `fall=${num(v['failurecount'])} every=${interval}`;
  const checkTimeout = num(v['checktimeout']) * 1000;
  const rport = num(r['port']);
  const port = v['checkport'] !== undefined ? num(v['checkport']) : rport > 0 ? rport : LD_SERVICE_PORT[str(v['service'])] ?? num(v['port']);
  const type = str(v['checktype']);
  const ping = `ping ${checkTimeout} tries=${num(v['checkcount'])} ${common}`;
  if (type === 'on' || (type === 'negotiate' && v['service'] === 'none')) return [];
  if (type === 'off') return [`off ${common}`];
  if (type === 'ping' || (type === 'connect' && v['protocol'] === 'udp')) return [ping];
  if (type === 'connect') return [`tcp ${checkTimeout} port=${port} ${common}`];
  if (type === 'external') return [`external ${JSON.stringify([str(v['checkcommand'])])} ${checkTimeout} rport=${rport} ${common}`];
  const between = type === 'combined' ? num(v['num_connects']) : 0;
  const url = ['http', 'https', 'http_proxy'].includes(str(v['service'])) ? str(r['url']) : '';
  const fields = [v['service'], r['request'], r['receive'], url, v['httpmethod'], v['virtualhost'] ?? '-', v['login'], v['passwd'], v['database'], v['secret'], v['protocol'] === 'udp' ? 'udp' : 'tcp'];
  return [`negotiate ${JSON.stringify(fields.map(str))} between=${between} ${num(v['negotiatetimeout']) * 1000}/${checkTimeout} port=${port} ${common}`];
}

function words(text: unknown): string[] | null {
  if (text === undefined || text === null) return null;
  const w = shellWords(str(text), 'x');
  return w.ok ? [...w.value] : null;
}

function ldService(v: Ld, g: Ld): Record<string, unknown> {
  const key = v['protocol'] === 'fwm' ? `fwm${v['addressfamily'] === 10 ? '6' : ''}:${str(v['fwm'])}` : `${str(v['protocol'])}:${host(v['server'])}:${num(v['port'])}`;
  const seen = new Set<string>();
  const reals = ((v['real'] ?? []) as Ld[]).filter((r) => {
    const id = `${host(r['server'])}:${kernelPort(v, str(r['forward']), num(r['port']))}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  const status = num(v['emailalertstatus'] ?? g['emailalertstatus']);
  const persistent = v['persistent'] === undefined ? null : `${num(v['persistent'])}/${str(v['netmask'] ?? (v['addressfamily'] === 10 ? 128 : '255.255.255.255'))}`;
  return {
    key, scheduler: v['scheduler'], persistence: persistent, ops: v['protocol'] === 'udp' && v['ops'] === 'yes',
    schedFlags: v['schedflags'] === undefined ? [] : str(v['schedflags']).split(','), fallback: ldFallback(v, g),
    reals: reals.map((r) => `${host(r['server'])}:${kernelPort(v, str(r['forward']), num(r['port']))} ${FORWARD[str(r['forward'])] ?? '?'} w=${num(r['weight'])} l=${num(r['l-threshold'] ?? 0)} u=${num(r['u-threshold'] ?? 0)} quiescent=${str(v['quiescent'] ?? g['quiescent'])}`),
    checks: reals.map((r) => ldCheck(v, r, g)),
    settings: {
      fallbackCommand: words(v['fallbackcommand'] ?? g['fallbackcommand']),
      cleanStop: (v['cleanstop'] ?? g['cleanstop']) === 'yes',
      emailAlert: str(v['emailalert'] ?? g['emailalert']).replace(/^"([^"]*)"$/, '$1').split(',').map((s) => s.trim()).filter((s) => s !== ''),
      emailAlertFreqS: num(v['emailalertfreq'] ?? g['emailalertfreq']),
      emailAlertStatus: STATES.filter((_, i) => (status & (1 << i)) !== 0),
      smtp: v['smtp'] ?? g['smtp'] ?? null, serviceName: v['servicename'] ?? null, comment: v['comment'] ?? null, monitorFile: v['monitorfile'] ?? null,
    },
  };
}

export function projectLdirectord(dump: Ld): Projected {
  const log = str(dump['logfile']);
  return {
    services: ((dump['virtual'] ?? []) as Ld[]).map((v) => ldService(v, dump)),
    globals: {
      autoreload: dump['autoreload'] === 'yes', callback: str(dump['callback']) === '' ? null : [str(dump['callback'])],
      log: log.startsWith('/') ? `file ${log}` : `syslog ${log}`, fork: dump['fork'] === 'yes', supervised: dump['supervised'] === 'yes',
      readdQuiescent: dump['readdquiescent'] === 'yes', maintenanceDir: dump['maintenancedir'] ?? null, emailAlertFrom: dump['emailalertfrom'] ?? null,
      execute: [...new Set((dump['execute'] ?? []) as string[])].sort(),
    },
  };
}

function ourCheck(c: HealthCheck, r: RealServer): string {
  const common = `fall=${c.timing.fall} every=${c.timing.intervalMs}`;
  const p = c.probe;
  switch (p.kind) {
    case 'tcp': return `tcp ${c.timing.timeoutMs} port=${c.target.port ?? r.port} ${common}`;
    case 'ping': return `ping ${c.timing.timeoutMs} tries=${c.timing.retries + 1} ${common}`;
    case 'off': return `off ${common}`;
    case 'external': return `external ${JSON.stringify(p.argv)} ${c.timing.timeoutMs} rport=${c.target.port ?? r.port} ${common}`;
    case 'negotiate': {
      const fields = [p.service, p.request, p.receive, p.url ?? '', p.method, p.virtualhost ?? '-', p.login, p.passwd, p.database, p.secret, p.transport];
      return `negotiate ${JSON.stringify(fields)} between=${p.connectBetween} ${c.timing.timeoutMs}/${p.connectTimeoutMs} port=${c.target.port ?? r.port} ${common}`;
    }
    default: return `unexpected ${p.kind}`;
  }
}

function ourService(s: VirtualService): Record<string, unknown> {
  const k = s.key;
  const key = k.kind === 'fwmark' ? `fwm${k.family === 6 ? '6' : ''}:${k.fwmark}` : `${k.protocol}:${k.address}:${k.port}`;
  const ld = s.ldirectord;
  return {
    key, scheduler: s.scheduler, persistence: s.persistence ? `${s.persistence.timeoutS}/${String(s.persistence.netmask)}` : null, ops: s.onePacket,
    schedFlags: s.schedFlags, fallback: s.sorry ? `${s.sorry.server.address}:${s.sorry.server.port} ${s.sorry.server.forward}` : null,
    reals: s.reals.map((r) => `${r.address}:${r.port} ${r.forward} w=${r.weight} l=${r.lowerThreshold} u=${r.upperThreshold} quiescent=${r.health?.inhibitOnFailure ? 'yes' : 'no'}`),
    checks: s.reals.map((r) => (r.health?.checks ?? []).map((c) => ourCheck(c, r))),
    settings: {
      fallbackCommand: ld?.fallbackCommand ?? null, cleanStop: ld?.cleanStop, emailAlert: ld?.emailAlert, emailAlertFreqS: ld?.emailAlertFreqS,
      emailAlertStatus: ld?.emailAlertStatus, smtp: ld?.smtp ?? null, serviceName: ld?.serviceName ?? null, comment: ld?.comment ?? null, monitorFile: ld?.monitorFile ?? null,
    },
  };
}

export function projectLvsd(c: Config): Projected {
  const g = c.ldirectord;
  return {
    services: c.services.map(ourService),
    globals: {
      autoreload: g?.autoreload, callback: g?.callback ?? null, log: g?.log.kind === 'file' ? `file ${g.log.path}` : `syslog ${g?.log.facility ?? ''}`,
      fork: g?.fork, supervised: g?.supervised, readdQuiescent: g?.readdQuiescent, maintenanceDir: g?.maintenanceDir ?? null,
      emailAlertFrom: g?.emailAlertFrom ?? null, execute: [...new Set(g?.execute ?? [])].sort(),
    },
  };
}

/** `# lvsd-differs: FIELD[, FIELD]: why` lines: the fields a file documents as intentionally different. */
export function documentedDifferences(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# lvsd-differs: ([a-z, ]+):/gm)) for (const f of (m[1] ?? '').split(',')) out.add(f.trim());
  return out;
}

export function withoutFields(p: Projected, fields: ReadonlySet<string>): Projected {
  return { globals: p.globals, services: p.services.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !fields.has(k)))) };
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
