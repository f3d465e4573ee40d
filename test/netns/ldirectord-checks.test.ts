/**
 * ldirectord's negotiate, external and off checks against real Debian servers in a namespace:
 * an ldirectord.cf is read by lvsd's front-end, and the checks it yields run from the director's
 * namespace (test/netns/ldirectord-probe.ts, the real checker registry under each attempt's
 * deadline). Servers (test/netns/ldirectord-servers.ts): nginx (http, https, simpletcp),
 * vsftpd, postfix, dovecot (pop, pops, imap, imaps), slapd (ldap, ldaps), MariaDB, PostgreSQL,
 * dnsmasq (udp and tcp), FreeRADIUS, kamailio (sip over udp and tcp). Phases: all up (and the
 * wrong answers down, each for its own reason), every server frozen (SIGSTOP: timeouts), every
 * server killed (refused: TCP RST or ICMP port unreachable).
 */
import test, { type ExecutionContext } from 'ava';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameServiceFromFiles } from '../../src/config/index.js';
import { parseLdirectord } from '../../src/config/ldirectord/parse.js';
import type { AttemptSpec } from '../../src/health/index.js';
import { killNamespace } from './kp-peers.js';
import { tempDir } from './lvsd-harness.js';
import * as S from './ldirectord-servers.js';
import { makeLan, nsExec, type Proc } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';

const PROBE = new URL('./ldirectord-probe.js', import.meta.url).pathname;
const CREDS = [`login="${S.USER}"`, `passwd="${S.PASSWORD}"`];

/** name → the lines of its virtual block (real= first); `wrong` ones must fail. */
function blocks(ip: string, script: string): Record<string, readonly string[]> {
  return {
    http: [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'receive="^alive$"'],
    'http-plain': [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'receive="alive"'],
    'http-vhost-plain': [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'virtualhost=www.example.test', 'receive="vhost alive"'],
    'http-vhost': [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'virtualhost=www.example.test', 'receive="^vhost alive"'],
    'http-redirect': [`real=${ip}:80 gate`, 'service=http', 'request="redirect"', 'receive="alive"'],
    'http-head': [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'httpmethod=HEAD'],
    https: [`real=${ip}:443 gate`, 'service=https', 'request="alive.html"', 'virtualhost=www.example.test', 'receive="vhost alive"'],
    'http-wrong': [`real=${ip}:80 gate`, 'service=http', 'request="alive.html"', 'receive="dead"'],
    'http-busy-wrong': [`real=${ip}:80 gate`, 'service=http', 'request="busy"', 'receive="alive"'],
    simpletcp: [`real=${ip}:80 gate`, 'service=simpletcp', 'request="HEAD /alive.html HTTP/1.0\\n\\n"', 'receive="^HTTP/1.1 200 OK"'],
    'simpletcp-wrong': [`real=${ip}:80 gate`, 'service=simpletcp', 'request="HEAD /alive.html HTTP/1.0\\n\\n"', 'receive="^HTTP/1.1 404"'],
    ftp: [`real=${ip}:21 gate`, 'service=ftp', 'request="alive.txt"', 'receive="^ftp alive$"'],
    'ftp-wrong': [`real=${ip}:21 gate`, 'service=ftp', 'request="alive.txt"', 'receive="dead"'],
    smtp: [`real=${ip}:25 gate`, 'service=smtp'],
    'smtp-wrong': [`real=${ip}:143 gate`, 'service=smtp'],
    pop: [`real=${ip}:110 gate`, 'service=pop', ...CREDS],
    pops: [`real=${ip}:995 gate`, 'service=pops', ...CREDS],
    // dovecot answers a wrong password only after a delay of a few seconds.
    'pop-wrong': [`real=${ip}:110 gate`, 'service=pop', `login="${S.USER}"`, 'passwd="bad"', 'negotiatetimeout=8'],
    imap: [`real=${ip}:143 gate`, 'service=imap', ...CREDS],
    imaps: [`real=${ip}:993 gate`, 'service=imaps'],
    'imap-wrong': [`real=${ip}:143 gate`, 'service=imap', `login="${S.USER}"`, 'passwd="bad"', 'negotiatetimeout=8'],
    ldap: [`real=${ip}:389 gate`, 'service=ldap', 'request="cn=alive,dc=example,dc=test"', 'receive="^cn=alive,"'],
    ldaps: [`real=${ip}:636 gate`, 'service=ldaps', 'login="cn=admin,dc=example,dc=test"', `passwd="${S.PASSWORD}"`, 'request="dc=example,dc=test"'],
    'ldap-wrong': [`real=${ip}:389 gate`, 'service=ldap', 'request="cn=missing,dc=example,dc=test"'],
    mysql: [`real=${ip}:3306 gate`, 'service=mysql', ...CREDS, 'database="mysql"', 'request="SELECT 1"'],
    'mysql-wrong': [`real=${ip}:3306 gate`, 'service=mysql', ...CREDS, 'request="SELECT 1 FROM DUAL WHERE 1=0"'],
    pgsql: [`real=${ip}:5432 gate`, 'service=pgsql', ...CREDS, 'database="postgres"', 'request="SELECT 1"'],
    'pgsql-wrong': [`real=${ip}:5432 gate`, 'service=pgsql', `login="${S.USER}"`, 'passwd="bad"', 'database="postgres"', 'request="SELECT 1"'],
    dns: [`real=${ip}:53 gate`, 'service=dns', 'protocol=udp', 'request="up.test"', 'receive="^198\\.51\\.100\\.2$"'],
    'dns-tcp': [`real=${ip}:53 gate`, 'service=dns', 'protocol=tcp', 'request="up.test"', 'receive="^198\\.51\\.100\\.2$"'],
    'dns-ptr': [`real=${ip}:53 gate`, 'service=dns', 'protocol=udp', 'request="198.51.100.2"', 'receive="^up\\.test$"'],
    'dns-wrong': [`real=${ip}:53 gate`, 'service=dns', 'protocol=udp', 'request="down.test"', 'receive="."'],
    radius: [`real=${ip}:1812 gate`, 'service=radius', 'protocol=udp', ...CREDS, `secret="${S.PASSWORD}"`],
    'radius-wrong': [`real=${ip}:1812 gate`, 'service=radius', 'protocol=udp', `login="${S.USER}"`, 'passwd="bad"', `secret="${S.PASSWORD}"`],
    sip: [`real=${ip}:5060 gate`, 'service=sip', 'protocol=udp', 'login="alive@example.test"'],
    'sip-tcp': [`real=${ip}:5060 gate`, 'service=sip', 'protocol=tcp', 'login="alive@example.test"'],
    'sip-wrong': [`real=${ip}:5060 gate`, 'service=sip', 'protocol=udp', 'login="nobody@example.test"'],
    combined: [`real=${ip}:80 gate`, 'checktype=2', 'service=http', 'request="alive.html"', 'receive="^alive$"'],
    external: [`real=${ip}:80 gate`, 'checktype=external', `checkcommand=${script}`],
    'off-wrong': [`real=${ip}:80 gate`, 'checktype=off'],
  };
}

/** Wrong answers: the reason each fails for while its server is up. */
const WRONG: Readonly<Record<string, string>> = {
  'http-wrong': 'content', 'http-busy-wrong': 'status', 'simpletcp-wrong': 'content', 'ftp-wrong': 'content', 'smtp-wrong': 'protocol',
  'pop-wrong': 'status', 'imap-wrong': 'status', 'ldap-wrong': 'status', 'mysql-wrong': 'content', 'pgsql-wrong': 'status',
  'dns-wrong': 'content', 'radius-wrong': 'status', 'sip-wrong': 'status', 'off-wrong': 'off',
};
const UDP = new Set(['dns', 'dns-ptr', 'radius', 'sip']);
/** Checks that need no server. */
const LOCAL = new Set(['external', 'off-wrong']);

/** The ldirectord.cf, read by lvsd's front-end, → one attempt spec per block (by servicename). */
function specs(ip: string, script: string): Array<{ name: string; spec: AttemptSpec }> {
  const text = ['checktimeout=3', 'negotiatetimeout=3', ...Object.entries(blocks(ip, script)).flatMap(([name, lines], i) =>
    [`virtual=192.0.2.10:${1001 + i}`, `\tservicename=${name}`, ...lines.map((l) => `\t${l}`)])].join('\n');
  const names = nameServiceFromFiles({ hosts: '', services: readFileSync('/etc/services', 'utf8') });
  const r = parseLdirectord({ path: 'checks.cf', text: `${text}\n`, names, hostname: 'dir1' });
  if (r.config === undefined) throw new Error(`ldirectord.cf refused: ${JSON.stringify(r.errors)}`);
  return r.config.services.flatMap((vs) => {
    const rs = vs.reals[0];
    const c = rs?.health?.checks[0];
    if (rs === undefined || c === undefined) return [];
    const { address, port, ...target } = c.target;
    return [{ name: vs.ldirectord?.serviceName ?? '', spec: { probe: c.probe, address: address ?? rs.address, port: port ?? rs.port, target, timeoutMs: c.timing.timeoutMs } }];
  });
}

type Result = { name: string; ok: boolean; reason?: string; detail: string };

function runChecks(ns: string, dir: string, jobs: ReadonlyArray<{ name: string; spec: AttemptSpec }>, mode: 'checker' | 'lane' = 'checker'): Map<string, Result & { taken?: boolean; unjudged?: boolean }> {
  const file = join(dir, 'jobs.json');
  writeFileSync(file, JSON.stringify(jobs));
  const out = nsExec(ns, process.execPath, [PROBE, file, mode]);
  return new Map(out.trim().split('\n').map((l) => JSON.parse(l) as Result).map((r) => [r.name, r]));
}

/** The blocks the steady lane runs (negotiate http, GET, a plain receive string); the redirect is left to the checker. */
const LANE = new Set(['http-plain', 'http-vhost-plain', 'http-wrong', 'http-busy-wrong', 'http-redirect']);

function startServers(t: ExecutionContext, ns: string, dir: string, ip: string): Record<string, Proc> {
  const procs = {
    nginx: S.startNginx(t, ns, dir, ip), dnsmasq: S.startDnsmasq(t, ns, ip), vsftpd: S.startVsftpd(t, ns, dir, ip),
    dovecot: S.startDovecot(t, ns, dir, ip), postfix: S.startPostfix(t, ns, dir, ip), slapd: S.startSlapd(t, ns, dir, ip),
    postgres: S.startPostgres(t, ns, dir, ip), mariadb: S.startMariadb(t, ns, dir, ip), freeradius: S.startFreeradius(t, ns, dir),
    kamailio: S.startKamailio(t, ns, dir, ip),
  };
  // On failure, show what each server said last (ava prints t.log lines of failed tests).
  t.teardown(() => {
    if (t.passed) return;
    for (const [name, p] of Object.entries(procs)) t.log(name, p.child.exitCode, p.stderr.join('').slice(-600), JSON.stringify(p.lines.slice(-3)));
  });
  return procs;
}

const TCP_PORTS = [21, 25, 53, 80, 110, 143, 389, 443, 636, 993, 995, 3306, 5060, 5432];

test('ldirectord checks against real servers: up, wrong answers, frozen (timeout), killed (refused)', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const srv = lan.ns['srv'] ?? '';
  const dirNs = lan.ns['dir'] ?? '';
  const ip = lan.ip4['srv'] ?? '';
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  t.teardown(() => killNamespace(srv));
  const script = join(dir, 'check-external');
  writeFileSync(script, `#!/bin/sh\n[ "$1" = 192.0.2.10 ] && [ "$3" = ${ip} ] && [ "$4" = 80 ]\n`, { mode: 0o755 });
  startServers(t, srv, dir, ip);
  const listening = (): boolean => {
    const tcp = nsExec(srv, 'ss', ['-Hltn']);
    const udp = nsExec(srv, 'ss', ['-Hlun']);
    return TCP_PORTS.every((p) => tcp.includes(`:${p} `)) && [53, 1812, 5060].every((p) => udp.includes(`:${p} `));
  };
  await waitUntil(listening, 'every server listening', 60_000, 100).catch((e: unknown) => {
    t.log(nsExec(srv, 'ss', ['-Hltun']));
    throw e;
  });
  const jobs = specs(ip, script);
  t.is(jobs.length, Object.keys(blocks(ip, script)).length, 'one check per virtual block');

  // 1. up: every good check passes; then each wrong answer fails for its own reason (after, so
  //    failed logins cannot slow the good ones).
  const up = runChecks(dirNs, dir, jobs.filter((j) => WRONG[j.name] === undefined));
  for (const [name, r] of up) t.like(r, { ok: true }, `${name}: ${r.detail}`);
  const wrong = runChecks(dirNs, dir, jobs.filter((j) => WRONG[j.name] !== undefined));
  for (const [name, r] of wrong) t.like(r, { ok: false, reason: WRONG[name] }, `${name}: ${r.detail}`);
  t.is(up.size + wrong.size, jobs.length);
  // The steady lane's verdicts are the checker's (the redirect goes back to the checker, which follows it).
  const laned = runChecks(dirNs, dir, jobs, 'lane');
  t.deepEqual([...laned.values()].filter((r) => r.taken === true).map((r) => r.name).sort(), [...LANE].sort(), 'the lane takes exactly these');
  for (const name of LANE) {
    const r = laned.get(name);
    const want = up.get(name) ?? wrong.get(name);
    if (name === 'http-redirect') t.like(r, { unjudged: true }, 'a redirect is the checker\'s');
    else t.like(r, { ok: want?.ok, ...(want?.reason !== undefined ? { reason: want.reason, detail: want.detail } : { detail: want?.detail }) }, `${name} in the lane: ${r?.detail ?? ''}`);
  }
  const good = jobs.filter((j) => WRONG[j.name] === undefined && !LOCAL.has(j.name));

  // 2. frozen: connections are accepted by the kernel or datagrams vanish; no answer: timeouts.
  killNamespace(srv, 'SIGSTOP');
  const frozen = runChecks(dirNs, dir, good);
  for (const { name } of good) t.like(frozen.get(name), { ok: false, reason: 'timeout' }, `${name} frozen: ${frozen.get(name)?.detail ?? ''}`);

  // 3. killed: TCP connections are refused, udp datagrams get ICMP port unreachable.
  killNamespace(srv, 'SIGKILL');
  await waitUntil(() => nsExec(srv, 'ss', ['-Hltn']).trim() === '', 'no listener left', 10_000, 50);
  const down = runChecks(dirNs, dir, good);
  for (const { name } of good) t.like(down.get(name), { ok: false, reason: 'refused' }, `${name} killed${UDP.has(name) ? ' (udp)' : ''}: ${down.get(name)?.detail ?? ''}`);
});
