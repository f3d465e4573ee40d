/**
 * Real Debian servers for the checker tests, run inside a test namespace with temporary configs
 * (never as system services) and killed at teardown: nginx (HTTP and HTTPS with a self-signed
 * certificate made now with openssl), dnsmasq (DNS), aiosmtpd (SMTP).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { selfSigned } from '../fixtures/bad-servers.js';
import { startIn, type Proc } from './topology.js';

export const BODY = 'hello from nginx\n';

export function startNginx(t: ExecutionContext, ns: string, dir: string, ip: string): Proc {
  const root = join(dir, 'www');
  mkdirSync(root, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(join(root, 'health'), BODY);
  const cert = selfSigned(['www.example.test']);
  writeFileSync(join(dir, 'key.pem'), cert.key);
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'nginx.conf'), [
    'user root;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log;`, 'events { worker_connections 64; }',
    'http {', `  access_log ${dir}/access.log;`, `  client_body_temp_path ${dir}/tmp-body;`, `  proxy_temp_path ${dir}/tmp-proxy;`,
    `  fastcgi_temp_path ${dir}/tmp-fcgi;`, `  uwsgi_temp_path ${dir}/tmp-uwsgi;`, `  scgi_temp_path ${dir}/tmp-scgi;`,
    `  server { listen ${ip}:80; listen ${ip}:8080; listen ${ip}:443 ssl; ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;`,
    `    root ${root}; location = /teapot { return 418; } }`, '}', '',
  ].join('\n'));
  return startIn(t, ns, '/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
}

/** up.test has an A record; anything else under test. is NXDOMAIN; nothing is forwarded. */
export function startDnsmasq(t: ExecutionContext, ns: string, ip: string): Proc {
  return startIn(t, ns, '/usr/sbin/dnsmasq', ['-k', '-C', '/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--bind-interfaces',
    `--listen-address=${ip}`, '--except-interface=lo', '--address=/up.test/198.51.100.2', '--local=/test/', '--user=root', '--log-facility=-']);
}

export function startSmtp(t: ExecutionContext, ns: string, ip: string): Proc {
  return startIn(t, ns, '/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `${ip}:25`]);
}
