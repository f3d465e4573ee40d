/**
 * SyncManager against an in-memory kernel that behaves as ip_vs_sync.c does: one master and one
 * backup at most (EEXIST), ESRCH to stop an absent one, ENODEV for an unknown interface,
 * defaults filled in the GET_DAEMON reply.
 */
import test from 'ava';
import { type IpvsDaemon, ipvsError } from '../ipvs/index.js';
import type { SyncDaemonSettings } from '../model/index.js';
import { SyncManager, type SyncBackend } from './manager.js';

class FakeKernel implements SyncBackend {
  daemons: IpvsDaemon[] = [];
  readonly calls: string[] = [];
  opens = 0;
  constructor(private readonly interfaces: readonly string[] = ['eth0', 'eth1']) {}
  async getDaemons(): Promise<IpvsDaemon[]> {
    this.calls.push('get');
    return [...this.daemons].sort((a, b) => (a.state === 'master' ? -1 : 1) - (b.state === 'master' ? -1 : 1));
  }
  async startDaemon(d: IpvsDaemon): Promise<void> {
    this.calls.push(`start ${d.state}`);
    const fail = (errno: number): never => { throw ipvsError({ cmd: 'NEW_DAEMON', errno, op: 'start sync daemon', target: d.state }); };
    if (!this.interfaces.includes(d.mcastIfn)) fail(19); // ENODEV
    if (this.daemons.some((x) => x.state === d.state)) fail(17); // EEXIST
    this.daemons.push({ maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1, ...d });
  }
  async stopDaemon(state: 'master' | 'backup'): Promise<void> {
    this.calls.push(`stop ${state}`);
    if (!this.daemons.some((x) => x.state === state)) throw ipvsError({ cmd: 'DEL_DAEMON', errno: 3, op: 'stop sync daemon', target: state });
    this.daemons = this.daemons.filter((x) => x.state !== state);
  }
  close(): void {
    this.calls.push('close');
  }
}

interface Logged { level: string; obj: Record<string, unknown> }

function setup(kernel = new FakeKernel()) {
  const logged: Logged[] = [];
  const log = {
    info: (obj: Record<string, unknown>) => logged.push({ level: 'info', obj }),
    error: (obj: Record<string, unknown>) => logged.push({ level: 'error', obj }),
  };
  const m = new SyncManager({ log, open: async () => { kernel.opens++; return kernel; }, nowMs: () => Date.UTC(2026, 0, 1) });
  return { m, kernel, logged };
}

const at = { file: 't.conf', line: 1 };
const follow: SyncDaemonSettings = { at, mode: { kind: 'follow', instance: 'VI_1' }, interface: 'eth1', syncId: 51, group: '224.0.0.81', port: 8848, ttl: 1 };
const states = (k: FakeKernel): string[] => k.daemons.map((d) => d.state).sort();

test('no sync daemon configured: the kernel is never asked', async (t) => {
  const { m, kernel } = setup();
  await m.configure(undefined);
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  t.is(kernel.opens, 0);
  t.deepEqual(kernel.calls, []);
  t.false(m.status().configured);
});

test('follows the role: backup, master, backup again on FAULT; other instances ignored', async (t) => {
  const { m, kernel } = setup();
  await m.configure(follow);
  t.deepEqual(kernel.calls, [], 'undecided before the first role: nothing read or changed');
  m.onRole('VI_1', 'BACKUP');
  await m.idle();
  t.deepEqual(states(kernel), ['backup']);
  t.is(kernel.daemons[0]?.syncId, 51);
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  t.deepEqual(states(kernel), ['master']);
  m.onRole('VI_2', 'BACKUP');
  await m.idle();
  t.deepEqual(states(kernel), ['master']);
  m.onRole('VI_1', 'FAULT');
  await m.idle();
  t.deepEqual(states(kernel), ['backup']);
  const st = m.status();
  t.is(st.role, 'FAULT');
  t.deepEqual(st.running.map((d) => d.state), ['backup']);
  t.deepEqual(st.lastChange, { at: '2026-01-01T00:00:00.000Z', ops: ['stop master', 'start backup on eth1 (syncid 51)'] });
  t.is(st.lastError, null);
});

test('quick role flaps fold into rounds that end in the last role', async (t) => {
  const { m, kernel } = setup();
  await m.configure(follow);
  m.onRole('VI_1', 'BACKUP');
  m.onRole('VI_1', 'MASTER');
  m.onRole('VI_1', 'BACKUP');
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  t.deepEqual(states(kernel), ['master']);
  t.true(m.status().rounds <= 2, `rounds ${m.status().rounds}`);
});

test('restart on the master adopts the running daemon: no request but the read', async (t) => {
  const kernel = new FakeKernel();
  kernel.daemons = [{ state: 'master', mcastIfn: 'eth1', syncId: 51, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 }];
  const { m } = setup(kernel);
  await m.configure(follow);
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  t.deepEqual(kernel.calls, ['get']);
});

test('active-active runs both at once, without waiting for a role', async (t) => {
  const { m, kernel } = setup();
  await m.configure({ ...follow, mode: { kind: 'both' } });
  t.deepEqual(states(kernel), ['backup', 'master']);
});

test('a refused start is logged with its errno and shown in the status; the next role retries', async (t) => {
  const { m, kernel, logged } = setup(new FakeKernel(['eth0']));
  await m.configure(follow);
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  t.deepEqual(kernel.daemons, []);
  const err = logged.find((l) => l.obj.event === 'sync.error');
  t.is(err?.level, 'error');
  t.is(m.status().lastError?.code, 'ENODEV');
  t.regex(m.status().lastError?.message ?? '', /start sync daemon master: no such interface \(ENODEV\)/);
  await m.configure({ ...follow, interface: 'eth0' });
  t.deepEqual(states(kernel), ['master']);
});

test('a reload with other settings restarts the daemon; dropping the section stops it', async (t) => {
  const { m, kernel } = setup();
  await m.configure(follow);
  m.onRole('VI_1', 'MASTER');
  await m.idle();
  await m.configure({ ...follow, syncId: 9 });
  t.is(kernel.daemons[0]?.syncId, 9);
  await m.configure(undefined);
  t.deepEqual(kernel.daemons, []);
  const before = kernel.calls.length;
  await m.configure(undefined);
  t.is(kernel.calls.length, before, 'no longer owned: left alone');
});

test('shutdown stops the owned daemons; close closes the backend once', async (t) => {
  const { m, kernel } = setup();
  await m.configure({ ...follow, mode: { kind: 'both' } });
  await m.shutdown();
  t.deepEqual(kernel.daemons, []);
  m.close();
  m.close();
  t.is(kernel.calls.filter((c) => c === 'close').length, 1);
});

test('a bug (a non-lvsd error) is not swallowed', async (t) => {
  const kernel = new FakeKernel();
  kernel.getDaemons = async () => { throw new TypeError('bug'); };
  const { m } = setup(kernel);
  await t.throwsAsync(m.configure({ ...follow, mode: { kind: 'both' } }), { instanceOf: TypeError });
});
