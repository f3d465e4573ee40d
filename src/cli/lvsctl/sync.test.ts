/** `lvsctl sync`: the kernel's daemons beside lvsd's intent, with injected edges. */
import test from 'ava';
import { ControlError, KernelError } from '../../errors.js';
import type { IpvsDaemon } from '../../ipvs/index.js';
import type { SyncStatus } from '../../sync/index.js';
import { run, type SyncDeps } from './sync.js';

const master: IpvsDaemon = { state: 'master', mcastIfn: 'eth1', syncId: 51, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 };
const status: SyncStatus = {
  configured: true, mode: 'follow', instance: 'VI_1', role: 'MASTER',
  wanted: [{ state: 'master', mcastIfn: 'eth1', syncId: 51, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 }],
  running: [master], rounds: 2,
  lastChange: { at: '2026-01-01T00:00:00.000Z', ops: ['stop backup', 'start master on eth1 (syncid 51)'] }, lastError: null,
};

async function exec(json: boolean, deps: SyncDeps): Promise<{ code: number; out: string; err: string; closed: number }> {
  let out = '';
  let err = '';
  let closed = 0;
  const open = deps.open;
  const wrapped: SyncDeps = {
    ...deps,
    ...(open ? { open: async () => { const b = await open(); return { getDaemons: () => b.getDaemons(), close: () => { closed++; b.close(); } }; } } : {}),
  };
  const code = await run({ json, socket: '/nonexistent/lvsd.sock' }, { out: (s) => { out += s; }, err: (s) => { err += s; } }, wrapped);
  return { code, out, err, closed };
}

const kernelWith = (ds: IpvsDaemon[]): SyncDeps['open'] => async () => ({ getDaemons: async () => ds, close: () => undefined });

test('kernel and lvsd agree: the ipvsadm line, the followed role, in step', async (t) => {
  const r = await exec(false, { open: kernelWith([master]), ask: async () => status });
  t.is(r.code, 0);
  t.is(r.closed, 1);
  t.is(r.out, [
    'kernel:',
    '  master sync daemon (mcast=eth1, syncid=51, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)',
    'lvsd: follows VI_1 (MASTER): wants master on eth1 (syncid 51)',
    'lvsd: in step with the kernel',
    'lvsd: last change 2026-01-01T00:00:00.000Z: stop backup, start master on eth1 (syncid 51)',
    'lvsd: last error -',
    '',
  ].join('\n'));
});

test('a kernel that differs from the intent is called out', async (t) => {
  const r = await exec(false, { open: kernelWith([{ ...master, state: 'backup' }]), ask: async () => status });
  t.regex(r.out, /NOT in step with the kernel/);
});

test('without lvsd the kernel view still prints and the exit code is 0', async (t) => {
  const r = await exec(false, { open: kernelWith([]), ask: async () => { throw new ControlError('ENOENT', 'lvsd is not running (no socket at /nonexistent/lvsd.sock)'); } });
  t.is(r.code, 0);
  t.is(r.out, 'kernel:\n  no sync daemon running\nlvsd: not reachable (lvsd is not running (no socket at /nonexistent/lvsd.sock))\n');
});

test('--json carries both views', async (t) => {
  const r = await exec(true, { open: kernelWith([master]), ask: async () => status });
  const v = JSON.parse(r.out) as { kernel: IpvsDaemon[]; lvsd: SyncStatus; kernelError: null; lvsdError: null };
  t.deepEqual(v.kernel, [master]);
  t.is(v.lvsd.role, 'MASTER');
  t.is(v.kernelError, null);
});

test('without CAP_NET_ADMIN: a plain reason and exit 1', async (t) => {
  const eperm = new KernelError({ op: 'resolve generic netlink family', target: 'IPVS', errno: 1, code: 'EPERM', syscall: 'sendmsg', meaning: 'Operation not permitted' });
  const r = await exec(false, { open: async () => { throw eperm; }, ask: async () => ({ ...status, configured: false }) });
  t.is(r.code, 1);
  t.regex(r.err, /^lvsctl sync: permission denied: reading the sync daemons needs root \(CAP_NET_ADMIN\)\n$/);
  t.regex(r.out, /lvsd: no sync daemon configured/);
});
