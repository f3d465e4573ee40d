/**
 * `lvsctl checks` / `drain` / `enable` end to end in one process: lvsctl's main → the control
 * socket (a unix socket in a temp dir) → a HealthRunner on fake time → an in-memory IPVS kernel.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer, type ServiceChecks } from '../../control/index.js';
import { check, real, service } from '../../../test/fixtures/health-model.js';
import { config, healthDirector } from '../../../test/fixtures/health-director.js';
import { main } from '../lvsctl.js';
import { formatAge, formatChecks } from './checks.js';

const tcp = check({ kind: 'tcp' }, { intervalMs: 1000, retries: 0 });
const SVC = 'TCP 192.0.2.10:80';

async function fixture(t: { teardown: (f: () => void | Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsctl-checks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const d = healthDirector();
  await d.runner.update(config([service(80, [real('10.0.0.1', { checks: [tcp], weight: 2 }), real('10.0.0.2', { checks: [tcp] })], { sorry: { server: real('10.0.0.99'), inhibit: false } })]));
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.timers.advance(1000);
  await d.runner.idle();
  const socket = join(dir, 'lvsd.sock');
  const server = new ControlServer({ path: socket, handlers: d.runner.handlers() });
  await server.listen();
  t.teardown(() => server.close());
  const lvsctl = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['--socket', socket, ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
    return { code, out, err };
  };
  return { d, lvsctl };
}

test('lvsctl checks: the reason of a failure, the latency, since when; --json gives the same data', async (t) => {
  const { lvsctl } = await fixture(t);
  const text = await lvsctl('checks');
  t.is(text.code, 0);
  const lines = text.out.split('\n');
  t.is(lines[0], `${SVC}  quorum up`);
  t.is(lines[1], '  10.0.0.1:80  up  weight 2');
  t.regex(lines[2] ?? '', /^ {4}tcp 10\.0\.0\.1:80: up since \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s\), last ok, connected, 2\.0 ms, 0 s ago$/);
  t.is(lines[3], '  10.0.0.2:80  down  not in the table (down)');
  t.regex(lines[4] ?? '', /^ {4}tcp 10\.0\.0\.2:80: down since .+, last connection refused, 1\.0 ms, 0 s ago$/);
  t.is(lines[5], '  10.0.0.99:80  sorry server  not in the table (quorum up)');
  const json = await lvsctl('checks', '--json');
  const parsed = JSON.parse(json.out) as ServiceChecks[];
  t.like(parsed[0]?.reals[1], { realServer: '10.0.0.2:80', up: false, weight: null, checks: [{ state: 'down', last: { ok: false, reason: 'refused', detail: 'connection refused' } }] });
});

test('lvsctl drain sets weight 0 in the kernel and shows in checks; enable restores; unknown servers exit 1 with the reason', async (t) => {
  const { d, lvsctl } = await fixture(t);
  const drained = await lvsctl('drain', '192.0.2.10:80', '10.0.0.1:80');
  t.deepEqual(drained, { code: 0, out: `${SVC} 10.0.0.1:80: drained, weight 0 (configured 2)\n`, err: '' });
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 0`]);
  t.regex((await lvsctl('checks')).out, /10\.0\.0\.1:80 {2}up {2}weight 0 of 2, drained/);
  const again = await lvsctl('drain', '192.0.2.10:80', '10.0.0.1:80');
  t.regex(again.out, /already drained/);
  const enabled = await lvsctl('enable', 'tcp:192.0.2.10:80', '10.0.0.1');
  t.is(enabled.out, `${SVC} 10.0.0.1:80: enabled, weight 2 (configured 2)\n`);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 2`]);
  const unknown = await lvsctl('drain', '192.0.2.10:80', '10.0.0.9:80');
  t.deepEqual(unknown, { code: 1, out: '', err: `lvsctl: lvsd: drain: no real server 10.0.0.9:80 in ${SVC}\n` });
  t.is((await lvsctl('drain', '192.0.2.10:80')).code, 2, 'a missing argument is a usage error');
});

test('formatChecks: a server kept out by a lost quorum, a shared probe, watch states, a check not run yet, no checks', (t) => {
  const text = formatChecks([{
    service: 'FWM 7', quorum: 'down', reals: [
      { realServer: '10.0.0.1:0', sorry: false, up: true, configuredWeight: 1, weight: null, override: null, checks: [
        { index: 0, kind: 'http', target: '10.0.0.1:80', state: 'up', sinceUs: 0, forMs: 125_000, sharedBy: 2, passes: 0, fails: 0, since: '2026-01-01T00:00:00.000Z' },
        { index: 1, kind: 'tcp', target: '10.0.0.1:81', state: 'up', sinceUs: 0, forMs: 1000, sharedBy: 1, watch: 'connected', passes: 0, fails: 0, since: '2026-01-01T00:02:04.000Z' },
        { index: 2, kind: 'tcp', target: '10.0.0.1:82', state: 'up', sinceUs: 0, forMs: 1000, sharedBy: 1, watch: 'not connected', passes: 0, fails: 0, since: '2026-01-01T00:02:04.000Z' },
      ] },
      { realServer: '10.0.0.2:0', sorry: false, up: true, configuredWeight: 1, weight: null, override: 'drain', checks: [] },
      { realServer: '10.0.0.99:0', sorry: true, up: true, configuredWeight: 1, weight: 1, override: null, checks: [] },
    ],
  }]);
  t.is(text, [
    'FWM 7  quorum down',
    '  10.0.0.1:0  up  not in the table (replaced by the sorry server)',
    '    http 10.0.0.1:80 (shared by 2 services): up since 2026-01-01T00:00:00.000Z (2 min 5 s), not run yet',
    '    tcp 10.0.0.1:81, watched: up since 2026-01-01T00:02:04.000Z (1 s), not run yet',
    '    tcp 10.0.0.1:82, watch not connected: up since 2026-01-01T00:02:04.000Z (1 s), not run yet',
    '  10.0.0.2:0  up  not in the table (replaced by the sorry server), drained',
    '    no checks (always up)',
    '  10.0.0.99:0  sorry server  weight 1',
    '',
  ].join('\n'));
  t.is(formatAge(3 * 86_400_000 + 7_200_000), '3 d 2 h');
});
