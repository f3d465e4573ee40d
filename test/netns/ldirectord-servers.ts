/**
 * Real Debian servers for the ldirectord negotiate checks (test/netns/ldirectord-checks.test.ts),
 * each started in the test namespace with a temporary config and data directory under `dir`,
 * never as a system service, in the foreground, and killed at teardown (startIn). Accounts:
 * user `check`, password `s3cret` everywhere (RADIUS shared secret too).
 */
import { chownSync, chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { selfSigned } from '../fixtures/bad-servers.js';
import { nsExec, sh, startIn, type Proc } from './topology.js';

export const USER = 'check';
export const PASSWORD = 's3cret';

/** Creates `dir/name` (mode 755) and returns its path. */
function sub(dir: string, name: string, mode = 0o755): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  chmodSync(p, mode);
  return p;
}

function uidOf(name: string): number {
  return Number(sh('id', ['-u', name]).trim());
}

/** A key and self-signed certificate for the TLS services (https, pops, imaps, ldaps). */
export function certificate(dir: string): { key: string; cert: string } {
  const c = selfSigned(['www.example.test', 'mail.example.test']);
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  writeFileSync(key, c.key, { mode: 0o644 });
  writeFileSync(cert, c.cert);
  return { key, cert };
}

/** nginx: /alive.html "alive", /redirect → 302 /alive.html, /busy → 503; the vhost www.example.test says "vhost alive". */
export function startNginx(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'nginx');
  const { key, cert } = certificate(d);
  const ret = (path: string, what: string): string => `location = ${path} { ${what} }`;
  const paths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((p) => `${p}_temp_path ${d}/tmp-${p};`).join(' ');
  writeFileSync(join(d, 'nginx.conf'), [
    'user root;', 'worker_processes 1;', `pid ${d}/nginx.pid;`, `error_log ${d}/error.log;`, 'events { worker_connections 64; }',
    `http { access_log off; ${paths}`,
    `  server { listen ${ip}:80 default_server; listen ${ip}:443 ssl default_server; ssl_certificate ${cert}; ssl_certificate_key ${key};`,
    `    ${ret('/alive.html', 'return 200 "alive\\n";')} ${ret('/redirect', 'return 302 /alive.html;')} ${ret('/busy', 'return 503 "alive but busy\\n";')} }`,
    `  server { listen ${ip}:80; listen ${ip}:443 ssl; server_name www.example.test; ssl_certificate ${cert}; ssl_certificate_key ${key};`,
    `    ${ret('/alive.html', 'return 200 "vhost alive\\n";')} }`,
    '}', '',
  ].join('\n'));
  return startIn(t, ns, '/usr/sbin/nginx', ['-p', d, '-c', join(d, 'nginx.conf'), '-g', 'daemon off;']);
}

/** dnsmasq: up.test A 198.51.100.2 and its PTR; anything else under test. is NXDOMAIN. udp and tcp. */
export function startDnsmasq(t: ExecutionContext, ns: string, ip: string): Proc {
  return startIn(t, ns, '/usr/sbin/dnsmasq', ['-k', '-C', '/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--bind-interfaces',
    `--listen-address=${ip}`, '--except-interface=lo', '--address=/up.test/198.51.100.2', '--ptr-record=2.100.51.198.in-addr.arpa,up.test',
    '--local=/test/', '--user=root', '--log-facility=-']);
}

/** vsftpd: anonymous only, /alive.txt says "ftp alive". */
export function startVsftpd(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'vsftpd');
  const root = sub(d, 'root');
  writeFileSync(join(root, 'alive.txt'), 'ftp alive\n', { mode: 0o644 });
  const conf = [
    'listen=YES', `listen_address=${ip}`, 'background=NO', 'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`,
    'local_enable=NO', 'write_enable=NO', `secure_chroot_dir=${sub(d, 'empty')}`, 'seccomp_sandbox=NO', 'isolate_network=NO', 'isolate=NO', 'xferlog_enable=NO', '',
  ].join('\n');
  writeFileSync(join(d, 'vsftpd.conf'), conf);
  return startIn(t, ns, '/usr/sbin/vsftpd', [join(d, 'vsftpd.conf')]);
}

/** dovecot: pop3 110, pop3s 995, imap 143, imaps 993; user check; no delay or penalty after a failed login. */
export function startDovecot(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'dovecot');
  const { key, cert } = certificate(d);
  writeFileSync(join(d, 'users'), `${USER}:{PLAIN}${PASSWORD}\n`);
  const mail = sub(d, 'mail', 0o777);
  writeFileSync(join(d, 'dovecot.conf'), [
    `base_dir = ${sub(d, 'run')}`, `state_dir = ${sub(d, 'state')}`, 'log_path = /dev/stderr', `listen = ${ip}`, 'protocols = pop3 imap',
    'ssl = yes', `ssl_cert = <${cert}`, `ssl_key = <${key}`, 'disable_plaintext_auth = no', 'auth_failure_delay = 0',
    // Trusted: no auth penalty for this address after the wrong-password checks.
    `login_trusted_networks = ${ip}/24`, `mail_location = maildir:${mail}/%u`,
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${d}/users\n}`,
    `userdb {\n  driver = static\n  args = uid=65534 gid=65534 home=${mail}/%u\n}`, '',
  ].join('\n'));
  return startIn(t, ns, '/usr/sbin/dovecot', ['-F', '-c', join(d, 'dovecot.conf')]);
}

/** postfix: smtpd on ip:25 (its own config, queue and data directories). */
export function startPostfix(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'postfix');
  const conf = sub(d, 'conf');
  const data = sub(d, 'data');
  chownSync(data, uidOf('postfix'), -1);
  cpSync('/etc/postfix/master.cf', join(conf, 'master.cf'));
  writeFileSync(join(conf, 'main.cf'), [
    'compatibility_level = 3.6', `queue_directory = ${sub(d, 'queue')}`, `data_directory = ${data}`, `inet_interfaces = ${ip}`, 'inet_protocols = ipv4',
    'myhostname = mx.example.test', 'mydestination =', 'maillog_file = /dev/stdout', '',
  ].join('\n'));
  // `postfix check` creates the queue; it runs inside because inet_interfaces must be a local address.
  nsExec(ns, '/usr/sbin/postfix', ['-c', conf, 'check']);
  return startIn(t, ns, '/usr/lib/postfix/sbin/master', ['-c', conf, '-d']);
}

/** slapd: dc=example,dc=test with cn=alive; rootdn cn=admin,dc=example,dc=test; ldap 389 and ldaps 636. */
export function startSlapd(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'slapd');
  const { key, cert } = certificate(d);
  writeFileSync(join(d, 'slapd.conf'), [
    'include /etc/ldap/schema/core.schema', `pidfile ${d}/slapd.pid`, 'modulepath /usr/lib/ldap', 'moduleload back_mdb',
    `TLSCertificateFile ${cert}`, `TLSCertificateKeyFile ${key}`, 'database mdb', 'suffix "dc=example,dc=test"',
    'rootdn "cn=admin,dc=example,dc=test"', `rootpw ${PASSWORD}`, `directory ${sub(d, 'db')}`, '',
  ].join('\n'));
  writeFileSync(join(d, 'base.ldif'), [
    'dn: dc=example,dc=test', 'objectClass: dcObject', 'objectClass: organization', 'o: example', 'dc: example', '',
    'dn: cn=alive,dc=example,dc=test', 'objectClass: organizationalRole', 'cn: alive', '',
  ].join('\n'));
  sh('/usr/sbin/slapadd', ['-f', join(d, 'slapd.conf'), '-l', join(d, 'base.ldif')]);
  return startIn(t, ns, '/usr/sbin/slapd', ['-f', join(d, 'slapd.conf'), '-h', `ldap://${ip}/ ldaps://${ip}/`, '-d', '0']);
}

/** PostgreSQL 15: superuser check (scram), database postgres, on ip:5432; run as the postgres user. */
export function startPostgres(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'pgsql');
  const pg = uidOf('postgres');
  const data = join(d, 'data');
  const sock = sub(d, 'sock');
  writeFileSync(join(d, 'pw'), `${PASSWORD}\n`);
  for (const p of [d, sock, join(d, 'pw')]) chownSync(p, pg, -1);
  sh('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/initdb', '-D', data, '-U', USER, `--pwfile=${join(d, 'pw')}`, '-A', 'scram-sha-256']);
  writeFileSync(join(data, 'pg_hba.conf'), `${readFileSync(join(data, 'pg_hba.conf'), 'utf8')}host all all 0.0.0.0/0 scram-sha-256\n`);
  return startIn(t, ns, 'runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/postgres', '-D', data, '-k', sock, '-h', ip, '-p', '5432']);
}

/** MariaDB: user check@% with SELECT on everything, on ip:3306, binary log off. */
export function startMariadb(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'mariadb');
  const data = join(d, 'data');
  sh('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, `--user=${userInfo().username}`, '--auth-root-authentication-method=normal', '--skip-test-db']);
  writeFileSync(join(d, 'init.sql'), `CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}';\nGRANT SELECT ON *.* TO '${USER}'@'%';\n`);
  return startIn(t, ns, '/usr/sbin/mariadbd', ['--no-defaults', `--datadir=${data}`, `--socket=${d}/sock`, '--port=3306', `--bind-address=${ip}`,
    `--user=${userInfo().username}`, `--init-file=${d}/init.sql`, '--skip-log-bin', `--pid-file=${d}/pid`]);
}

/** FreeRADIUS 3: Debian's configuration copied, run as root, client 198.51.100.0/24 with the shared secret, user check. */
export function startFreeradius(t: ExecutionContext, ns: string, dir: string): Proc {
  const d = sub(dir, 'freeradius');
  const raddb = join(d, 'raddb');
  cpSync('/etc/freeradius/3.0', raddb, { recursive: true, verbatimSymlinks: true });
  const conf = readFileSync(join(raddb, 'radiusd.conf'), 'utf8')
    .replace(/^\s*raddbdir = .*$/m, `raddbdir = ${raddb}`).replace(/^\s*run_dir = .*$/m, `run_dir = ${sub(d, 'run')}`)
    .replace(/^\s*logdir = .*$/m, `logdir = ${sub(d, 'log')}`).replace(/^\s*(user|group) = freerad$/gm, '');
  writeFileSync(join(raddb, 'radiusd.conf'), conf);
  writeFileSync(join(raddb, 'clients.conf'), `client lan {\n  ipaddr = 198.51.100.0/24\n  secret = ${PASSWORD}\n}\n`);
  const users = join(raddb, 'mods-config/files/authorize');
  writeFileSync(users, `${USER} Cleartext-Password := "${PASSWORD}"\n${readFileSync(users, 'utf8')}`);
  return startIn(t, ns, '/usr/sbin/freeradius', ['-f', '-l', 'stdout', '-d', raddb]);
}

/** kamailio: udp and tcp 5060; OPTIONS to sip:alive@... gets 200 OK, anything else 404. */
export function startKamailio(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const d = sub(dir, 'kamailio');
  writeFileSync(join(d, 'kamailio.cfg'), [
    '#!KAMAILIO', 'debug=1', 'log_stderror=yes', 'children=1', 'tcp_children=1', `listen=udp:${ip}:5060`, `listen=tcp:${ip}:5060`,
    'mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"', 'loadmodule "pv.so"', 'loadmodule "sl.so"', 'loadmodule "textops.so"',
    'request_route {', '  if (is_method("OPTIONS") && $rU == "alive") { sl_send_reply("200", "OK"); exit; }', '  sl_send_reply("404", "Not Here");', '}', '',
  ].join('\n'));
  const run = sub(d, 'run');
  return startIn(t, ns, '/usr/sbin/kamailio', ['-DD', '-E', '-f', join(d, 'kamailio.cfg'), '-Y', run, '-P', join(run, 'pid'), '-w', run]);
}
