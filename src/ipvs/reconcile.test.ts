import test from 'ava';
import { countOps, reconcile, type ReconcileOptions } from './reconcile.js';
import {
  AF_INET, AF_INET6, FWD_DROUTE, FWD_MASQ, FWD_TUNNEL, IPPROTO_TCP, SVC_F_HASHED, SVC_F_PERSISTENT, SVC_F_SCHED1,
  type IpvsDest, type IpvsOp, type IpvsService, type IpvsServiceWithDests,
} from './types.js';

function svc(p: Partial<IpvsService> = {}): IpvsService {
  return { af: AF_INET, protocol: IPPROTO_TCP, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, ...p };
}
function dst(addr: string, p: Partial<IpvsDest> = {}): IpvsDest {
  return { af: AF_INET, addr, port: 80, fwd: FWD_DROUTE, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, ...p };
}
const table = (service: IpvsService, dests: readonly IpvsDest[]): IpvsServiceWithDests => ({ service, dests });
/** A kernel dump: HASHED set, counters present. */
const dumped = (s: IpvsServiceWithDests): IpvsServiceWithDests => ({
  service: { ...s.service, flags: s.service.flags | SVC_F_HASHED },
  dests: s.dests.map((d) => ({ ...d, activeConns: 3, inactConns: 9, persistConns: 0 })),
});
/** Ops as short strings, e.g. "edit-dest 192.0.2.10:80 10.0.0.1". */
const brief = (ops: readonly IpvsOp[]): string[] =>
  ops.map((o) => `${o.op} ${o.service.fwmark ? `fwm${o.service.fwmark}` : `${o.service.addr}:${o.service.port}`}${'dest' in o ? ` ${o.dest.addr}` : ''}`);

const A = table(svc(), [dst('10.0.0.1'), dst('10.0.0.2')]);
const B = table(svc({ port: 443 }), [dst('10.0.0.1', { port: 443 })]);

interface Case { title: string; desired: IpvsServiceWithDests[]; actual: IpvsServiceWithDests[]; opts?: ReconcileOptions; ops: string[] }
const cases: Case[] = [
  { title: 'identical table (HASHED and counters in the dump) → no ops (adopt without flush)', desired: [A, B], actual: [dumped(B), dumped(A)], ops: [] },
  { title: 'empty kernel → add services, each followed by its dests', desired: [A], actual: [],
    ops: ['add-service 192.0.2.10:80', 'add-dest 192.0.2.10:80 10.0.0.1', 'add-dest 192.0.2.10:80 10.0.0.2'] },
  { title: 'one weight changed → exactly one edit-dest', desired: [table(A.service, [dst('10.0.0.1'), dst('10.0.0.2', { weight: 5 })]), B],
    actual: [dumped(A), dumped(B)], ops: ['edit-dest 192.0.2.10:80 10.0.0.2'] },
  { title: 'forwarding method changed → edit-dest (SET_DEST replaces conn_flags)', desired: [table(A.service, [dst('10.0.0.1', { fwd: FWD_MASQ }), dst('10.0.0.2')])],
    actual: [dumped(A)], ops: ['edit-dest 192.0.2.10:80 10.0.0.1'] },
  { title: 'scheduler changed → one edit-service', desired: [table(svc({ sched: 'rr' }), A.dests)], actual: [dumped(A)], ops: ['edit-service 192.0.2.10:80'] },
  { title: 'persistence added → one edit-service', desired: [table(svc({ flags: SVC_F_PERSISTENT, timeout: 300 }), A.dests)], actual: [dumped(A)], ops: ['edit-service 192.0.2.10:80'] },
  { title: 'timeout/netmask of a non-persistent service are ignored', desired: [table(svc({ timeout: 0, netmask: 0xffffffff }), A.dests)],
    actual: [dumped(table(svc({ timeout: 300, netmask: 0xffffff00 }), A.dests))], ops: [] },
  { title: 'foreign service untouched by default', desired: [A], actual: [dumped(A), dumped(B)], ops: [] },
  { title: 'foreign service deleted with ownWholeTable', desired: [A], actual: [dumped(A), dumped(B)], opts: { ownWholeTable: true }, ops: ['del-service 192.0.2.10:443'] },
  { title: 'owned service no longer desired is deleted', desired: [A], actual: [dumped(A), dumped(B)], opts: { owned: (id) => id.port === 443 }, ops: ['del-service 192.0.2.10:443'] },
  { title: 'dest replaced: add before delete, service never emptier', desired: [table(A.service, [dst('10.0.0.1'), dst('10.0.0.3')])], actual: [dumped(A)],
    ops: ['add-dest 192.0.2.10:80 10.0.0.3', 'del-dest 192.0.2.10:80 10.0.0.2'] },
  { title: 'identity change (family) → add new, delete old', desired: [table(svc({ af: AF_INET6, addr: '2001:db8::10' }), [])], actual: [dumped(table(svc(), []))],
    opts: { ownWholeTable: true }, ops: ['add-service 2001:db8::10:80', 'del-service 192.0.2.10:80'] },
  { title: 'tunnel port compared only for gue dests', desired: [table(A.service, [dst('10.0.0.1', { fwd: FWD_TUNNEL, tunType: 0, tunPort: 0 })])],
    actual: [dumped(table(A.service, [dst('10.0.0.1', { fwd: FWD_TUNNEL, tunType: 0, tunPort: 6080 })]))], ops: [] },
];

for (const c of cases) {
  test(c.title, (t) => {
    t.deepEqual(brief(reconcile(c.desired, c.actual, c.opts)), c.ops);
  });
}

const MH = svc({ sched: 'mh', flags: SVC_F_SCHED1 });
const mhWant = table(MH, [dst('10.0.0.1'), dst('10.0.0.2'), dst('10.0.0.3')]); // canonical order = add order

test('mh: kernel list in canonical-reversed order (as built by canonical adds) → no ops', (t) => {
  const kernel = table(MH, [dst('10.0.0.3'), dst('10.0.0.2'), dst('10.0.0.1')]); // newest first
  t.deepEqual(reconcile([mhWant], [dumped(kernel)]), []);
});

test('mh: a new dest that sorts last is simply added', (t) => {
  const kernel = table(MH, [dst('10.0.0.2'), dst('10.0.0.1')]);
  t.deepEqual(brief(reconcile([mhWant], [dumped(kernel)])), ['add-dest 192.0.2.10:80 10.0.0.3']);
});

test('mh: a new dest that sorts first forces the later ones out and back in canonical order', (t) => {
  const kernel = table(MH, [dst('10.0.0.3'), dst('10.0.0.2')]);
  t.deepEqual(brief(reconcile([mhWant], [dumped(kernel)])), [
    'del-dest 192.0.2.10:80 10.0.0.3', 'del-dest 192.0.2.10:80 10.0.0.2',
    'add-dest 192.0.2.10:80 10.0.0.1', 'add-dest 192.0.2.10:80 10.0.0.2', 'add-dest 192.0.2.10:80 10.0.0.3',
  ]);
});

test('mh: out-of-order kernel list keeps the longest in-place tail', (t) => {
  const kernel = table(MH, [dst('10.0.0.2'), dst('10.0.0.3'), dst('10.0.0.1')]); // 3 was added before 2
  // target list 3,2,1: 2 and 1 already stand in that order; only 3 moves.
  t.deepEqual(brief(reconcile([mhWant], [dumped(kernel)])), ['del-dest 192.0.2.10:80 10.0.0.3', 'add-dest 192.0.2.10:80 10.0.0.3']);
});

/** Replays ops on a list the way the kernel orders dests (new ones at the head). */
function applyToKernel(list: IpvsDest[], ops: readonly IpvsOp[]): IpvsDest[] {
  let out = [...list];
  for (const o of ops) {
    if (o.op === 'add-dest') out = [o.dest, ...out];
    if (o.op === 'del-dest') out = out.filter((d) => d.addr !== o.dest.addr || d.port !== o.dest.port);
    if (o.op === 'edit-dest') out = out.map((d) => (d.addr === o.dest.addr && d.port === o.dest.port ? o.dest : d));
  }
  return out;
}

test('mh: every starting order converges to the canonical kernel list with a weight edit kept in place', (t) => {
  const want = table(MH, [dst('10.0.0.1'), dst('10.0.0.2', { weight: 4 }), dst('10.0.0.3'), dst('10.0.0.4')]);
  const perms = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
  for (const order of perms(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.9'])) {
    const kernel = order.map((a) => dst(a));
    const ops = reconcile([want], [table(MH, kernel)]);
    const after = applyToKernel(kernel, ops);
    t.deepEqual(after.map((d) => `${d.addr}/${d.weight}`), ['10.0.0.4/1', '10.0.0.3/1', '10.0.0.2/4', '10.0.0.1/1'], order.join(','));
    t.deepEqual(reconcile([want], [table(MH, after)]), [], `converged from ${order.join(',')}`);
  }
});

test('countOps counts by kind', (t) => {
  const c = countOps(reconcile([A], []));
  t.is(c['add-service'], 1);
  t.is(c['add-dest'], 2);
  t.is(c['del-dest'], 0);
});

test('IPv6 dest addresses compare canonically', (t) => {
  const want = table(svc({ af: AF_INET6, addr: '2001:db8::10' }), [dst('2001:db8::1', { af: AF_INET6 })]);
  const have = table(svc({ af: AF_INET6, addr: '2001:0db8:0:0::10' }), [dst('2001:db8:0::1', { af: AF_INET6 })]);
  t.deepEqual(reconcile([want], [dumped(have)]), []);
});
