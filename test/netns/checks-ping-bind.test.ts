/**
 * PING_CHECK `bindto` in namespaces: the director has two extra addresses on lo, 10.9.9.1 and
 * 10.9.9.3; the real server routes only 10.9.9.1 back (via the director). A PING_CHECK bound to
 * 10.9.9.1 is up, one bound to 10.9.9.3 gets no reply (the source is really used), one bound to
 * an address the director does not have fails on bind, and an unbound one is up. The services
 * come from keepalived.conf text through the real front-end; the health engine runs in the
 * director's namespace (health-runner.ts).
 */
import test from 'ava';
import { loadConfigDetailed } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/model/index.js';
import { waitUntil } from '../fixtures/wait.js';
import { tempDir } from './lvsd-harness.js';
import { makeLan, nsExec } from './topology.js';
import { startHealthRunner } from './health-runner-proc.js';


/** Virtual port → the PING_CHECK's bindto and the expected outcome. */
const CASES: Record<number, { bindto?: string; up: boolean; reason?: string }> = {
  1: { bindto: '10.9.9.1', up: true },
  2: { bindto: '10.9.9.3', up: false, reason: 'timeout' },
  3: { bindto: '10.9.9.2', up: false, reason: 'error' },
  4: { up: true },
};
const PORTS = Object.keys(CASES).map(Number);

test('PING_CHECK bindto: echo requests leave from the bound address (up only from the source the server routes back)', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const dirNs = lan.ns['dir'] ?? '';
  const srvNs = lan.ns['srv'] ?? '';
  const dir = tempDir(t);
  for (const a of ['10.9.9.1/32', '10.9.9.3/32']) nsExec(dirNs, 'ip', ['addr', 'add', a, 'dev', 'lo']);
  nsExec(srvNs, 'ip', ['route', 'add', '10.9.9.1/32', 'via', lan.ip4['dir'] ?? '']);
  const ip = lan.ip4['srv'] ?? '';
  const text = PORTS.map((p) => `virtual_server 192.0.2.10 ${p} {\n lb_algo rr\n lb_kind DR\n protocol TCP\n delay_loop 0.3\n`
    + ` real_server ${ip} ${p} {\n  alpha\n  PING_CHECK {\n${CASES[p]?.bindto !== undefined ? `   bindto ${CASES[p]?.bindto}\n` : ''}   connect_timeout 0.5\n   retry 0\n  }\n }\n}\n`).join('');
  const loaded = loadConfigDetailed({ path: 'k.conf', text, readFile: () => '', listDir: () => [] });
  if (!loaded.result.ok) throw new Error(loaded.result.error.map(formatDiagnostic).join('\n'));
  const services = loaded.result.value.services;
  t.deepEqual(services.map((s) => s.reals[0]?.health?.checks[0]?.target.bindTo), PORTS.map((p) => CASES[p]?.bindto));
  // Ping attempts carry the real server's port; the four checks are told apart by it.
  const { proc: runner, attempts } = startHealthRunner(t, dirNs, dir, services);
  await waitUntil(() => PORTS.every((p) => attempts(p).length >= 3), 'three attempts of each check', 15_000);
  for (const p of PORTS) {
    const c = CASES[p];
    if (c?.up === true) t.true(attempts(p).every((a) => a['ok'] === true), `${p}: ${JSON.stringify(attempts(p))}`);
    else for (const a of attempts(p)) t.like(a, { ok: false, reason: c?.reason }, String(p));
    t.is(runner.lines.some((l) => l['kind'] === 'check' && l['service'] === `TCP 192.0.2.10:${p}` && l['to'] === 'up'), c?.up === true, `${p} comes up: ${String(c?.up)}`);
  }
  t.regex(JSON.stringify(attempts(3)[0]), /EADDRNOTAVAIL|address not available/i);
});
