/**
 * keepalived's global `SSL { ca certificate key password }` against a real nginx that demands
 * a client certificate (ssl_verify_client on) signed by a CA made now with openssl: SSL_GET
 * with the block is up; the same SSL_GET without it is down (nginx answers 400), and with a
 * wrong key password it is down with the reason. The server's own certificate is self-signed
 * and not from that CA: the check still passes, because keepalived 2.2.7 loads the CA but never
 * verifies the server (check_ssl.c: no SSL_VERIFY_PEER), and lvsd does the same.
 * The services come from keepalived.conf text through the real front-end; the health engine
 * runs in the director's namespace (health-runner.ts).
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigDetailed } from '../../src/config/load.js';
import { formatDiagnostic, type VirtualService } from '../../src/model/index.js';
import { selfSigned } from '../fixtures/bad-servers.js';
import { waitUntil } from '../fixtures/wait.js';
import { killNamespace } from './kp-peers.js';
import { tempDir } from './lvsd-harness.js';
import { makeLan, nsExec, startIn } from './topology.js';
import { startHealthRunner } from './health-runner-proc.js';

const PASSWORD = 'se cret';

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, and a client certificate it signs whose EC key is encrypted with PASSWORD. */
function makeCerts(dir: string): void {
  const p = (f: string): string => join(dir, f);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=lvsd test CA', '-keyout', p('ca.key'), '-out', p('ca.pem')]);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes256', '-pass', `pass:${PASSWORD}`, '-out', p('client.key')]);
  openssl(['req', '-new', '-key', p('client.key'), '-passin', `pass:${PASSWORD}`, '-subj', '/CN=lvsd checker', '-out', p('client.csr')]);
  openssl(['x509', '-req', '-in', p('client.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-out', p('client.pem')]);
}

function startNginx(t: ExecutionContext, ns: string, dir: string, ip: string, ports: readonly number[]): void {
  const root = join(dir, 'www');
  mkdirSync(root, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(join(root, 'health'), 'ok\n');
  const server = selfSigned(['www.example.test']);
  writeFileSync(join(dir, 'server.key'), server.key);
  writeFileSync(join(dir, 'server.pem'), server.cert);
  writeFileSync(join(dir, 'nginx.conf'), [
    'user root;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log;`, 'events { worker_connections 64; }',
    'http {', `  access_log ${dir}/access.log;`, `  client_body_temp_path ${dir}/tmp-body;`, `  proxy_temp_path ${dir}/tmp-proxy;`,
    `  fastcgi_temp_path ${dir}/tmp-fcgi;`, `  uwsgi_temp_path ${dir}/tmp-uwsgi;`, `  scgi_temp_path ${dir}/tmp-scgi;`,
    `  server { ${ports.map((p) => `listen ${ip}:${p} ssl;`).join(' ')} ssl_certificate ${dir}/server.pem; ssl_certificate_key ${dir}/server.key;`,
    `    ssl_client_certificate ${dir}/ca.pem; ssl_verify_client on; root ${root}; }`, '}', '',
  ].join('\n'));
  startIn(t, ns, '/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
}

/** keepalived.conf with one SSL_GET real server on `port`, with or without an SSL block. */
function services(ip: string, port: number, ssl: string): VirtualService[] {
  const text = `${ssl}virtual_server 192.0.2.10 ${port} {\n lb_algo rr\n lb_kind DR\n protocol TCP\n delay_loop 0.3\n`
    + ` real_server ${ip} ${port} {\n  alpha\n  SSL_GET {\n   url {\n    path /health\n   }\n   connect_timeout 1\n   retry 0\n  }\n }\n}\n`;
  const r = loadConfigDetailed({ path: `k${port}.conf`, text, readFile: () => '', listDir: () => [] });
  if (!r.result.ok) throw new Error(r.result.error.map(formatDiagnostic).join('\n'));
  return [...r.result.value.services];
}

test('SSL block: SSL_GET presents the client certificate (up), none without the block (HTTP 400), a wrong password fails with OpenSSL\'s reason', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const ip = lan.ip4['srv'] ?? '';
  const dir = tempDir(t);
  t.teardown(() => killNamespace(lan.ns['srv'] ?? ''));
  makeCerts(dir);
  startNginx(t, lan.ns['srv'] ?? '', dir, ip, [443, 444, 445]);
  await waitUntil(() => /:445 /.test(nsExec(lan.ns['srv'] ?? '', 'ss', ['-ltn'])), 'nginx listening');
  const block = (password: string): string => `SSL {\n ca ${dir}/ca.pem\n certificate ${dir}/client.pem\n key ${dir}/client.key\n password "${password}"\n}\n`;
  const all = [...services(ip, 443, block(PASSWORD)), ...services(ip, 444, ''), ...services(ip, 445, block('wrong'))];
  t.like(all[0]?.reals[0]?.health?.checks[0]?.probe, { clientTls: { certificate: `${dir}/client.pem`, password: PASSWORD } });
  const { proc: runner, attempts } = startHealthRunner(t, lan.ns['dir'] ?? '', dir, all);
  await waitUntil(() => [443, 444, 445].every((p) => attempts(p).length >= 3), 'three attempts of each check', 15_000);
  t.true(attempts(443).every((a) => a['ok'] === true), JSON.stringify(attempts(443)));
  t.true(runner.lines.some((l) => l['kind'] === 'check' && l['service'] === 'TCP 192.0.2.10:443' && l['to'] === 'up'), 'the client-certificate check comes up');
  for (const a of attempts(444)) t.like(a, { ok: false, reason: 'status', detail: 'HTTP 400' });
  for (const a of attempts(445)) t.like(a, { ok: false, reason: 'error' });
  t.regex(String(attempts(445)[0]?.['detail']), /cannot load the SSL block's files: .*(bad decrypt|decrypt)/i);
  t.false(runner.lines.some((l) => l['kind'] === 'check' && l['service'] !== 'TCP 192.0.2.10:443' && l['to'] === 'up'), 'the others never come up');
});
