import test from 'ava';
import { isRunning, ldirectordConfigPath, verb, type Kill, type VerbDeps } from './verbs.js';
import type { LvsdOptions } from './options.js';

const errno = (code: string): Error => Object.assign(new Error(code), { code });
const killThat = (code: string | undefined): Kill => () => {
  if (code !== undefined) throw errno(code);
  return true;
};

const OPTS: LvsdOptions = { config: '/etc/ha.d/ldirectord.cf', socket: '/run/s', pidFile: '/run/lvsd/lvsd.pid', logLevel: 'info', logFile: '/var/log/l', vrrpRtPriority: 0 };

interface World {
  state: ReturnType<VerbDeps['pidState']> | Error;
  /** Config error lines; undefined = the file is missing. */
  configErrors: string[] | undefined;
  gone: boolean;
  killErr?: string;
  startCode: number;
  /** What the file is, as the status sentences name it. */
  program: string;
}

function harness(w: Partial<World> = {}) {
  const world: World = { state: { state: 'absent' }, configErrors: [], gone: true, startCode: 0, program: 'ldirectord', ...w };
  const calls: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const deps: VerbDeps = {
    kill: (pid, signal) => {
      calls.push(`kill ${pid} ${signal}`);
      if (world.killErr !== undefined) throw errno(world.killErr);
    },
    pidState: () => {
      if (world.state instanceof Error) throw world.state;
      return world.state;
    },
    start: async () => {
      calls.push('start');
      return world.startCode;
    },
    check: () => world.configErrors,
    waitGone: async () => world.gone,
    program: () => world.program,
  };
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
  return { run: (v: string) => verb(v, OPTS, io, deps), calls, out, err, world };
}

const RUNNING = { state: 'running', pid: 4242 } as const;

test('status names lvsd for a file that is not an ldirectord.cf (keepalived.conf, native)', async (t) => {
  const up = harness({ state: RUNNING, program: 'lvsd' });
  t.is(await up.run('status'), 0);
  t.deepEqual(up.err, ['lvsd for /etc/ha.d/ldirectord.cf is running with pid: 4242\n']);
});

test('kill(pid, 0) failing with EPERM means running (another user\'s process); ESRCH means gone', (t) => {
  t.true(isRunning(42, killThat(undefined)));
  t.true(isRunning(42, killThat('EPERM')));
  t.false(isRunning(42, killThat('ESRCH')));
  t.throws(() => isRunning(42, killThat('EINVAL')), { message: 'EINVAL' });
});

test('status as ldirectord: running on stderr (0), stopped on stdout (3), stale pid file (1), unreadable pid file (4)', async (t) => {
  const up = harness({ state: RUNNING });
  t.is(await up.run('status'), 0);
  t.deepEqual(up.err, ['ldirectord for /etc/ha.d/ldirectord.cf is running with pid: 4242\n']);
  t.deepEqual(up.out, []);
  const down = harness();
  t.is(await down.run('status'), 3);
  t.deepEqual(down.out, ['ldirectord is stopped for /etc/ha.d/ldirectord.cf\n']);
  t.deepEqual(down.err, []);
  const stale = harness({ state: { state: 'stale', pid: 17 } });
  t.is(await stale.run('status'), 1);
  t.deepEqual(stale.err, ['ldirectord stale pid file /run/lvsd/lvsd.pid for /etc/ha.d/ldirectord.cf\n']);
  t.deepEqual(stale.out, ['ldirectord is stopped for /etc/ha.d/ldirectord.cf\n']);
  const unreadable = harness({ state: errno('EACCES') });
  t.is(await unreadable.run('status'), 4);
  t.regex(unreadable.err.join(''), /cannot read the pid file \/run\/lvsd\/lvsd.pid: EACCES/);
});

test('status and stop never read the config (ldirectord cannot stop a daemon whose file is broken)', async (t) => {
  const h = harness({ state: RUNNING, configErrors: ['f:1:1: broken'] });
  t.is(await h.run('status'), 0);
  t.is(await h.run('stop'), 0);
  t.deepEqual(h.calls, ['kill 4242 SIGTERM']);
});

test('start: nothing when running (0); starts when stopped; 1 for a missing file, 2 for config errors (ldirectord\'s codes)', async (t) => {
  const running = harness({ state: RUNNING });
  t.is(await running.run('start'), 0);
  t.deepEqual(running.calls, []);
  const stopped = harness();
  t.is(await stopped.run('start'), 0);
  t.deepEqual(stopped.calls, ['start']);
  const missing = harness({ configErrors: undefined });
  t.is(await missing.run('start'), 1);
  t.deepEqual(missing.err, ['Config file /etc/ha.d/ldirectord.cf not found\n']);
  const broken = harness({ configErrors: ['/etc/ha.d/ldirectord.cf:3:1: unknown directive "foo"'] });
  t.is(await broken.run('start'), 2);
  t.deepEqual(broken.calls, []);
  t.deepEqual(broken.err, ['/etc/ha.d/ldirectord.cf:3:1: unknown directive "foo"\n']);
});

test('stop: TERM and wait when running; 0 when not running; 1 when it outlives the wait', async (t) => {
  const h = harness({ state: RUNNING });
  t.is(await h.run('stop'), 0);
  t.deepEqual(h.calls, ['kill 4242 SIGTERM']);
  t.is(await harness().run('stop'), 0);
  const stuck = harness({ state: RUNNING, gone: false });
  t.is(await stuck.run('stop'), 1);
  t.regex(stuck.err.join(''), /still running 10 s after SIGTERM/);
});

test('restart stops then starts; try-restart does nothing when stopped; a broken file stops nothing', async (t) => {
  const h = harness({ state: RUNNING });
  t.is(await h.run('restart'), 0);
  t.deepEqual(h.calls, ['kill 4242 SIGTERM', 'start']);
  const stopped = harness();
  t.is(await stopped.run('try-restart'), 0);
  t.deepEqual(stopped.calls, []);
  t.is(await stopped.run('restart'), 0);
  t.deepEqual(stopped.calls, ['start']);
  const broken = harness({ state: RUNNING, configErrors: ['x:1:1: bad'] });
  t.is(await broken.run('restart'), 2);
  t.deepEqual(broken.calls, [], 'the running daemon is left alone');
});

test('reload and force-reload: HUP when running and valid; 1 when stopped; 2 without a signal when the file has errors', async (t) => {
  const h = harness({ state: RUNNING });
  t.is(await h.run('reload'), 0);
  t.is(await h.run('force-reload'), 0);
  t.deepEqual(h.calls, ['kill 4242 SIGHUP', 'kill 4242 SIGHUP']);
  const stopped = harness();
  t.is(await stopped.run('reload'), 1);
  t.deepEqual(stopped.err, ['ldirectord is stopped for /etc/ha.d/ldirectord.cf\n']);
  const broken = harness({ state: RUNNING, configErrors: ['x:1:1: bad'] });
  t.is(await broken.run('reload'), 2);
  t.deepEqual(broken.calls, []);
});

test('stop and reload of an lvsd we may not signal fail with the reason, not a stack trace; an unknown verb is a usage error', async (t) => {
  const h = harness({ state: RUNNING, killErr: 'EPERM' });
  t.is(await h.run('stop'), 1);
  t.is(await h.run('reload'), 1);
  t.deepEqual(h.err, [
    'lvsd: cannot send SIGTERM to lvsd (pid 4242): it runs as another user (EPERM)\n',
    'lvsd: cannot send SIGHUP to lvsd (pid 4242): it runs as another user (EPERM)\n',
  ]);
  t.is(await h.run('frobnicate'), 2);
});

test('CONFIG VERB: the config name is looked up in /etc/ha.d, then /etc/ha.d/conf, then as given (ldirectord ld_init)', (t) => {
  const has = (files: string[]) => (p: string) => files.includes(p);
  t.is(ldirectordConfigPath('ldirectord.cf', has(['/etc/ha.d/ldirectord.cf', '/etc/ha.d/conf/ldirectord.cf'])), '/etc/ha.d/ldirectord.cf');
  t.is(ldirectordConfigPath('web.cf', has(['/etc/ha.d/conf/web.cf'])), '/etc/ha.d/conf/web.cf');
  t.is(ldirectordConfigPath('local.cf', has([])), 'local.cf');
  t.is(ldirectordConfigPath('/srv/x.cf', has(['/etc/ha.d//srv/x.cf'])), '/srv/x.cf');
});
