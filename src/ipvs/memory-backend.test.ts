import test from 'ava';
import { KernelError } from '../errors.js';
import { MemoryIpvsBackend } from './memory-backend.js';
import { reconcile } from './reconcile.js';
import { AF_INET, FWD_DROUTE, IPPROTO_TCP, SVC_F_HASHED, type IpvsDest, type IpvsService } from './types.js';

const svc: IpvsService = { af: AF_INET, protocol: IPPROTO_TCP, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff };
const dest = (addr: string, weight = 1): IpvsDest => ({ af: AF_INET, addr, port: 80, fwd: FWD_DROUTE, weight, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 });

async function refusal(p: Promise<unknown>): Promise<{ code: string; errno: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return { code: e.code, errno: e.errno, message: e.message };
  }
  return { code: 'none', errno: 0, message: '' };
}

test('duplicates answer EEXIST, missing services ESRCH, missing real servers and schedulers ENOENT', async (t) => {
  const b = new MemoryIpvsBackend({ schedulers: ['rr', 'wlc'] });
  await b.apply({ op: 'add-service', service: svc });
  t.like(await refusal(b.apply({ op: 'add-service', service: svc })), { code: 'EEXIST', errno: 17, message: 'add virtual service TCP 192.0.2.10:80: virtual service already exists (EEXIST)' });
  await b.apply({ op: 'add-dest', service: svc, dest: dest('10.0.0.2') });
  t.like(await refusal(b.apply({ op: 'add-dest', service: svc, dest: dest('10.0.0.2') })), { code: 'EEXIST' });
  const other = { ...svc, port: 81 };
  t.like(await refusal(b.apply({ op: 'add-dest', service: other, dest: dest('10.0.0.2') })),
    { code: 'ESRCH', errno: 3, message: 'add real server 10.0.0.2:80 to TCP 192.0.2.10:81: no such virtual service (ESRCH)' });
  t.like(await refusal(b.apply({ op: 'edit-service', service: other })), { code: 'ESRCH' });
  t.like(await refusal(b.apply({ op: 'del-service', service: other })), { code: 'ESRCH' });
  t.like(await refusal(b.apply({ op: 'edit-dest', service: svc, dest: dest('10.0.0.9') })),
    { code: 'ENOENT', message: 'edit real server 10.0.0.9:80 of TCP 192.0.2.10:80: no such real server (ENOENT)' });
  t.like(await refusal(b.apply({ op: 'del-dest', service: svc, dest: dest('10.0.0.9') })), { code: 'ENOENT' });
  t.like(await refusal(b.apply({ op: 'add-service', service: { ...other, sched: 'mh' } })),
    { code: 'ENOENT', message: 'add virtual service TCP 192.0.2.10:81: scheduler or persistence engine not found (ENOENT)' });
  t.like(await refusal(b.apply({ op: 'add-dest', service: svc, dest: dest('10.0.0.3', -1) })), { code: 'ERANGE' });
  t.like(await refusal(b.zero(other)), { code: 'ESRCH' });
  t.deepEqual(b.history.map((h) => h.errno === 0), [true, false, true, false, false, false, false, false, false, false, false]);
});

test('a dump sets HASHED, zeroes every counter and lists real servers newest first; edits keep their place', async (t) => {
  const b = new MemoryIpvsBackend();
  await b.apply({ op: 'add-service', service: svc });
  for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await b.apply({ op: 'add-dest', service: svc, dest: dest(a) });
  await b.apply({ op: 'edit-dest', service: svc, dest: dest('10.0.0.2', 5) });
  const [s] = await b.dump();
  t.is(s?.service.flags, SVC_F_HASHED);
  t.is(s?.service.stats?.conns, 0n);
  t.deepEqual(s?.dests.map((d) => `${d.addr} w${d.weight} a${d.activeConns}`), ['10.0.0.3 w1 a0', '10.0.0.2 w5 a0', '10.0.0.1 w1 a0']);
  t.is(s?.dests[0]?.stats?.inBytes, 0n);
});

test('what the reconciler asks for is what the dump then shows: a second pass has nothing to do', async (t) => {
  const b = new MemoryIpvsBackend({ table: [{ service: { ...svc, port: 443 }, dests: [] }] });
  const desired = [{ service: svc, dests: [dest('10.0.0.1'), dest('10.0.0.2')] }];
  const ops = reconcile(desired, await b.dump(), { ownWholeTable: true });
  t.deepEqual(ops.map((o) => o.op), ['add-service', 'add-dest', 'add-dest', 'del-service']);
  t.true((await b.applyBatch(ops)).every((o) => o.error === undefined));
  t.deepEqual(reconcile(desired, await b.dump(), { ownWholeTable: true }), []);
});

test('sync daemons: a second start is EEXIST, stopping one not running ESRCH; closed means EBADF', async (t) => {
  const b = new MemoryIpvsBackend();
  const d = { state: 'master' as const, mcastIfn: 'eth0', syncId: 1 };
  await b.startDaemon(d);
  t.like(await refusal(b.startDaemon(d)), { code: 'EEXIST' });
  t.deepEqual(await b.getDaemons(), [d]);
  t.like(await refusal(b.stopDaemon('backup')), { code: 'ESRCH' });
  await b.stopDaemon('master');
  b.close();
  t.like(await refusal(b.dump()), { code: 'EBADF' });
});
