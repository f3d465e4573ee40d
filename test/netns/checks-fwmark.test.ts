/**
 * keepalived's `fwmark` on TCP_CHECK and HTTP_GET against a real nginx that the director can
 * reach only through a policy route: the server's address (203.0.113.10) is routed in table 100
 * of the director's namespace, which `ip rule add fwmark 7 table 100` selects; the main table has
 * no route to it. The checks with `fwmark 7` are up; the same checks without a mark, or with
 * mark 8, are down with "network unreachable". The services come from keepalived.conf text
 * through the real front-end; the health engine runs in the director's namespace
 * (health-runner.ts) as root, as lvsd does.
 */
import test from 'ava';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigDetailed } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/model/index.js';
import { waitUntil } from '../fixtures/wait.js';
import { killNamespace } from './kp-peers.js';
import { tempDir } from './lvsd-harness.js';
import { makeLan, nsExec, startIn } from './topology.js';
import { startHealthRunner } from './health-runner-proc.js';

const SERVER = '203.0.113.10';

/** Real server port → its checker (and mark) in keepalived.conf. */
const CHECKS: Record<number, { checker: string; up: boolean }> = {
  80: { checker: 'TCP_CHECK {\n   fwmark 7\n', up: true },
  81: { checker: 'TCP_CHECK {\n', up: false },
  82: { checker: 'HTTP_GET {\n   fwmark 7\n   url {\n    path /health\n    status_code 200\n   }\n', up: true },
  83: { checker: 'HTTP_GET {\n   url {\n    path /health\n   }\n', up: false },
  84: { checker: 'TCP_CHECK {\n   fwmark 8\n', up: false },
};
const PORTS = Object.keys(CHECKS).map(Number);

function config(): string {
  return PORTS.map((p) => `virtual_server 192.0.2.10 ${p} {\n lb_algo rr\n lb_kind DR\n protocol TCP\n delay_loop 0.3\n`
    + ` real_server ${SERVER} ${p} {\n  alpha\n  ${CHECKS[p]?.checker ?? ''}   connect_timeout 1\n   retry 0\n  }\n }\n}\n`).join('');
}

test('fwmark: TCP_CHECK and HTTP_GET with the mark reach a server routed only by `ip rule fwmark`; unmarked or another mark: unreachable', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const dirNs = lan.ns['dir'] ?? '';
  const srvNs = lan.ns['srv'] ?? '';
  const dir = tempDir(t);
  t.teardown(() => killNamespace(srvNs));
  nsExec(srvNs, 'ip', ['addr', 'add', `${SERVER}/32`, 'dev', 'lo']);
  nsExec(dirNs, 'ip', ['route', 'add', `${SERVER}/32`, 'via', lan.ip4['srv'] ?? '', 'table', '100']);
  nsExec(dirNs, 'ip', ['rule', 'add', 'fwmark', '7', 'table', '100']);
  t.throws(() => nsExec(dirNs, 'ip', ['route', 'get', SERVER]), undefined, 'no route without the mark');

  const root = join(dir, 'www');
  mkdirSync(root, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(join(root, 'health'), 'ok\n');
  writeFileSync(join(dir, 'nginx.conf'), [
    'user root;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log;`, 'events { worker_connections 64; }',
    'http {', `  access_log ${dir}/access.log;`, `  client_body_temp_path ${dir}/tmp-body;`, `  proxy_temp_path ${dir}/tmp-proxy;`,
    `  fastcgi_temp_path ${dir}/tmp-fcgi;`, `  uwsgi_temp_path ${dir}/tmp-uwsgi;`, `  scgi_temp_path ${dir}/tmp-scgi;`,
    `  server { ${PORTS.map((p) => `listen ${SERVER}:${p};`).join(' ')} root ${root}; }`, '}', '',
  ].join('\n'));
  startIn(t, srvNs, '/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  await waitUntil(() => /:84 /.test(nsExec(srvNs, 'ss', ['-ltn'])), 'nginx listening');

  const loaded = loadConfigDetailed({ path: 'k.conf', text: config(), readFile: () => '', listDir: () => [] });
  if (!loaded.result.ok) throw new Error(loaded.result.error.map(formatDiagnostic).join('\n'));
  const services = loaded.result.value.services;
  t.deepEqual(services.map((s) => s.reals[0]?.health?.checks[0]?.target.fwmark), [7, undefined, 7, undefined, 8]);
  const { proc: runner, attempts } = startHealthRunner(t, dirNs, dir, services);
  await waitUntil(() => PORTS.every((p) => attempts(p).length >= 3), 'three attempts of each check', 15_000);
  for (const p of PORTS) {
    const want = CHECKS[p]?.up;
    if (want) t.true(attempts(p).every((a) => a['ok'] === true), `${p}: ${JSON.stringify(attempts(p))}`);
    else for (const a of attempts(p)) t.like(a, { ok: false, reason: 'unreachable' }, String(p));
    t.is(runner.lines.some((l) => l['kind'] === 'check' && l['service'] === `TCP 192.0.2.10:${p}` && l['to'] === 'up'), want === true, `${p} comes up: ${String(want)}`);
  }
  t.regex(String(attempts(81)[0]?.['detail']), /unreachable/);
});
