import test from 'ava';
import { ControlError } from '../errors.js';
import { check, real, service } from '../../test/fixtures/health-model.js';
import { config, healthDirector } from '../../test/fixtures/health-director.js';
import type { RealServer, VirtualService } from '../model/index.js';

const tcp = check({ kind: 'tcp' }, { intervalMs: 1000, retries: 0, rise: 1, fall: 1 });
const SVC = 'TCP 192.0.2.10:80';

function rs(address: string, o: Parameters<typeof real>[1] = {}): RealServer {
  return real(address, { checks: [tcp], ...o });
}

/** Starts the runner on `services` and lets the first checks pass. */
async function started(services: readonly VirtualService[]) {
  const d = healthDirector();
  await d.runner.update(config(services));
  await d.timers.advance(1000);
  await d.runner.idle();
  return d;
}

async function tick(d: ReturnType<typeof healthDirector>, ms = 1000): Promise<void> {
  await d.timers.advance(ms);
  await d.runner.idle();
}

test('a server that fails its check leaves the table (one del-dest) and comes back (one add-dest); one check.state line each with the reason', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1'), rs('10.0.0.2')])]);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC} 10.0.0.2:80 1`]);
  const mark = d.kernel.opCount;
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`]);
  d.checker.verdict.set('10.0.0.1', 'pass');
  await tick(d);
  t.deepEqual(d.kernel.opsText(mark), ['del-dest 10.0.0.1:80', 'add-dest 10.0.0.1:80 w1']);
  t.like(d.events('check.state'), [
    { svc: SVC, rs: '10.0.0.1:80', check: 'tcp', index: 0, from: 'up', to: 'down', reason: 'refused', detail: 'connection refused', ms: 1 },
    { svc: SVC, rs: '10.0.0.1:80', check: 'tcp', from: 'down', to: 'up', detail: 'connected', ms: 2 },
  ]);
  t.false('reason' in (d.events('check.state')[1] ?? {}), 'a passing check has no failure reason');
});

test('inhibit_on_failure: a failed server goes to weight 0 and back with edit-dest only (established connections finish)', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1', { inhibit: true, weight: 5 }), rs('10.0.0.2')])]);
  const mark = d.kernel.opCount;
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 0`, `${SVC} 10.0.0.2:80 1`]);
  d.checker.verdict.set('10.0.0.1', 'pass');
  await tick(d);
  t.deepEqual(d.kernel.opsText(mark), ['edit-dest 10.0.0.1:80 w0', 'edit-dest 10.0.0.1:80 w5']);
});

test('the sorry server appears when every real server is down and leaves when one returns; quorum_down/quorum_up run with their argv', async (t) => {
  const vs = service(80, [rs('10.0.0.1'), rs('10.0.0.2')], {
    sorry: { server: real('10.0.0.99'), inhibit: false },
    health: { quorum: 1, hysteresis: 0, omega: false, haSuspend: false, quorumUp: { argv: ['/usr/bin/q.sh', 'up'] }, quorumDown: { argv: ['/usr/bin/q.sh', 'down'] } },
  });
  const d = await started([vs]);
  t.deepEqual(d.jobs, [], 'starting with quorum up runs no script (keepalived)');
  d.checker.verdict.set('10.0.0.1', 'fail');
  d.checker.verdict.set('10.0.0.2', 'fail');
  await tick(d);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.99:80 1`]);
  d.checker.verdict.set('10.0.0.2', 'pass');
  await tick(d);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`]);
  t.deepEqual(d.jobs.map((j) => j.argv), [['/usr/bin/q.sh', 'down'], ['/usr/bin/q.sh', 'up']]);
  t.like(d.events('quorum.state'), [{ svc: SVC, from: null, to: 'up' }, { svc: SVC, from: 'up', to: 'down', sorry: '10.0.0.99:80' }, { from: 'down', to: 'up' }]);
});

test('starting without quorum: quorum_down runs only when the service has a sorry server (keepalived init_service_vs)', async (t) => {
  const q = { quorum: 1, hysteresis: 0, omega: false, haSuspend: false, quorumDown: { argv: ['/usr/bin/q.sh'] } };
  const down = [rs('10.0.0.1', { startDown: true })];
  const d = await started([service(80, down, { health: q }), service(81, down, { health: q, sorry: { server: real('10.0.0.99'), inhibit: false } })]);
  t.deepEqual(d.jobs.map((j) => j.label), ['TCP 192.0.2.10:81 quorum down']);
});

test('changes in one loop turn make one reconcile pass: a shared probe failing takes a server out of three services at once', async (t) => {
  const shared = rs('10.0.0.1');
  const d = await started([service(80, [shared, rs('10.0.0.2')]), service(81, [shared]), service(82, [shared])]);
  const before = d.applies();
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  t.is(d.events('real.state').length, 3);
  t.is(d.applies() - before, 1);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`]);
});

test('a health change reconciles only its own service (scope changed); a reload reconciles the whole table', async (t) => {
  const services = [service(80, [rs('10.0.0.1'), rs('10.0.0.2')]), service(81, [rs('10.0.0.3')]), service(82, [rs('10.0.0.4')])];
  const d = await started(services);
  t.like(d.events('ipvs.apply').at(-1), { scope: 'all' });
  const mark = d.kernel.opCount;
  d.checker.verdict.set('10.0.0.3', 'fail');
  await tick(d);
  t.like(d.events('ipvs.apply').at(-1), { scope: 'changed', ops: 1 });
  t.deepEqual(d.kernel.opsText(mark), ['del-dest 10.0.0.3:81']);
  await d.runner.update(config(services));
  t.like(d.events('ipvs.apply').at(-1), { scope: 'all', ops: 0 });
});

test('notify_up / notify_down run with the configured argv as the configured user and group', async (t) => {
  const health = { notifyUp: { argv: ['/usr/bin/up.sh', 'a b'] }, notifyDown: { argv: ['/usr/bin/down.sh'], user: 'www', group: 'adm' } };
  const base = rs('10.0.0.1');
  const d = await started([service(80, [{ ...base, health: { checks: [tcp], inhibitOnFailure: false, startDown: false, ...health } }])]);
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  d.checker.verdict.set('10.0.0.1', 'pass');
  await tick(d);
  t.deepEqual(d.jobs.map((j) => [j.argv, j.uid, j.gid]), [[['/usr/bin/down.sh'], 33, 4], [['/usr/bin/up.sh', 'a b'], undefined, undefined]]);
  t.deepEqual(d.jobs.map((j) => j.label), [`${SVC} 10.0.0.1:80 down`, `${SVC} 10.0.0.1:80 up`]);
});

test('a notify script whose user does not exist is not run and says why', async (t) => {
  const base = rs('10.0.0.1');
  const d = await started([service(80, [{ ...base, health: { checks: [tcp], inhibitOnFailure: false, startDown: false, notifyDown: { argv: ['/usr/bin/down.sh'], user: 'ghost' } } }])]);
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  t.deepEqual(d.jobs, []);
  t.like(d.events('notify.refused'), [{ label: `${SVC} 10.0.0.1:80 down`, err: { code: 'ENOENT' } }]);
});

test('drain sets weight 0 with one edit-dest, survives a reload, and enable restores the weight', async (t) => {
  const services = [service(80, [rs('10.0.0.1', { weight: 3 }), rs('10.0.0.2')])];
  const d = await started(services);
  const mark = d.kernel.opCount;
  const drained = await d.runner.setOverride({ service: '192.0.2.10:80', realServer: '10.0.0.1:80' }, 'drain');
  t.deepEqual(drained, { service: SVC, realServer: '10.0.0.1:80', weight: 0, configuredWeight: 3, override: 'drain', changed: true });
  await d.runner.update(config([service(80, [rs('10.0.0.1', { weight: 3 }), rs('10.0.0.2'), rs('10.0.0.3')])]));
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 0`, `${SVC} 10.0.0.2:80 1`, `${SVC} 10.0.0.3:80 1`]);
  t.like(d.runner.checks()[0]?.reals[0], { realServer: '10.0.0.1:80', weight: 0, configuredWeight: 3, override: 'drain' });
  const enabled = await d.runner.setOverride({ service: '192.0.2.10:80', realServer: '10.0.0.1' }, null);
  t.like(enabled, { weight: 3, override: null, changed: true });
  t.deepEqual(d.kernel.opsText(mark), ['edit-dest 10.0.0.1:80 w0', 'add-dest 10.0.0.3:80 w1', 'edit-dest 10.0.0.1:80 w3']);
});

test('a reload keeps the state of unchanged checks: a down server stays out without a new check', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1'), rs('10.0.0.2')])]);
  d.checker.verdict.set('10.0.0.1', 'fail');
  await tick(d);
  const starts = d.checker.starts;
  await d.runner.update(config([service(80, [rs('10.0.0.1'), rs('10.0.0.2')], { scheduler: 'rr' })]));
  t.is(d.checker.starts, starts);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`]);
  t.like(d.runner.checks()[0]?.reals[0], { up: false, weight: null, checks: [{ state: 'down', last: { reason: 'refused' } }] });
});

test('drain and enable of something not configured fail with ENOENT and a message naming it', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1')])]);
  const noReal = await t.throwsAsync(d.runner.setOverride({ service: '192.0.2.10:80', realServer: '10.0.0.9:80' }, 'drain'), { instanceOf: ControlError });
  t.is(noReal?.code, 'ENOENT');
  t.is(noReal?.message, `no real server 10.0.0.9:80 in ${SVC}`);
  const noSvc = await t.throwsAsync(d.runner.setOverride({ service: '192.0.2.11:80', realServer: '10.0.0.1:80' }, null), { instanceOf: ControlError });
  t.is(noSvc?.code, 'ENOENT');
  const bad = await t.throwsAsync(d.runner.setOverride({ service: 'nonsense', realServer: '10.0.0.1:80' }, null), { instanceOf: ControlError });
  t.is(bad?.code, 'EINVAL');
});

test('FILE_CHECK weight deltas become one edit-dest with the new weight', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1', { weight: 10 })])]);
  const mark = d.kernel.opCount;
  d.checker.verdict.set('10.0.0.1', { weightDelta: -4 });
  await tick(d);
  t.deepEqual(d.kernel.opsText(mark), ['edit-dest 10.0.0.1:80 w6']);
  t.like(d.events('real.state'), [{ from: 'up', to: 'up', weightDelta: -4 }]);
});

test('omega: stopping runs notify_down of the live servers and quorum_down; without omega nothing runs', async (t) => {
  const health = { checks: [tcp], inhibitOnFailure: false, startDown: false, notifyDown: { argv: ['/usr/bin/down.sh'] } };
  const q = { quorum: 1, hysteresis: 0, haSuspend: false, quorumDown: { argv: ['/usr/bin/qd.sh'] } };
  const mk = (a: string): RealServer => ({ ...rs(a), health });
  const d = await started([service(80, [mk('10.0.0.1'), mk('10.0.0.2')], { health: { ...q, omega: true } }), service(81, [mk('10.0.0.3')], { health: { ...q, omega: false } })]);
  d.checker.verdict.set('10.0.0.2', 'fail');
  await tick(d);
  d.jobs.length = 0;
  await d.runner.close();
  t.deepEqual(d.jobs.map((j) => j.label), [`${SVC} 10.0.0.1:80 down (stopping)`, `${SVC} quorum down (stopping)`]);
});

test('lvsctl checks data: every real server with its checks, the sorry server last, and when each state began', async (t) => {
  const d = await started([service(80, [rs('10.0.0.1'), real('10.0.0.2')], { sorry: { server: real('10.0.0.99'), inhibit: false } })]);
  const [s] = d.runner.checks();
  t.like(s, { service: SVC, quorum: 'up' });
  t.deepEqual(s?.reals.map((r) => [r.realServer, r.sorry, r.up, r.weight, r.checks.length]), [['10.0.0.1:80', false, true, 1, 1], ['10.0.0.2:80', false, true, 1, 0], ['10.0.0.99:80', true, true, null, 0]]);
  t.like(s?.reals[0]?.checks[0], { kind: 'tcp', state: 'up', last: { ok: true, detail: 'connected', latencyMs: 2 } });
  t.regex(s?.reals[0]?.checks[0]?.since ?? '', /^2025-12-31T23:59:59\.\d{3}Z$/);
});

test('ldirectord configs: passing checks go to the steady lane unless a monitorfile or a maintenancedir wants every result', async (t) => {
  const ld = { at: { file: 'ldirectord.cf', line: 1, col: 1 }, autoreload: false, log: { kind: 'syslog', facility: 'daemon' }, fork: false, supervised: true, readdQuiescent: true, execute: [] } as const;
  const laned = async (c: ReturnType<typeof config>): Promise<number> => {
    let started = 0;
    const d = healthDirector({ steady: { start: () => { started++; return { stats: () => ({}), stop: () => ({}) }; } } });
    await d.runner.update(c);
    for (let i = 0; i < 3; i++) await tick(d);
    return started;
  };
  const vs = service(80, [rs('10.0.0.1')]);
  t.is(await laned(config([vs], { ldirectord: ld })), 1, 'no monitorfile, no maintenancedir: the lane');
  t.is(await laned(config([{ ...vs, ldirectord: { ...vs.ldirectord, monitorFile: '/tmp/m', cleanStop: false, emailAlert: [], emailAlertFreqS: 0, emailAlertStatus: [] } }], { ldirectord: ld })), 0, 'a monitorfile logs every attempt');
  t.is(await laned(config([vs], { ldirectord: { ...ld, maintenanceDir: '/etc/ha.d/maint' } })), 0, 'a server leaving maintenance waits for its next result');
});
