import test from 'ava';
import { applyHealth, type HealthInputs, type QuorumState, type RealHealth } from './apply.js';
import { check, real, service } from '../../test/fixtures/health-model.js';
import type { VirtualService } from '../model/index.js';

const tcp = check({ kind: 'tcp' });
const A = real('10.0.0.1', { checks: [tcp] });
const B = real('10.0.0.2', { checks: [tcp], weight: 3 });
const SORRY = real('10.0.0.99', { weight: 5 });
const SVC = 'TCP 192.0.2.10:80';

function inputs(reals: Record<string, RealHealth>, o: Partial<HealthInputs> = {}): HealthInputs {
  const m = new Map(Object.entries(reals).map(([k, v]) => [`${SVC}|${k}:80`, v]));
  return { reals: m, overrides: new Map(), quorum: new Map(), ...o };
}

/** "address:weight" per real server in the output table. */
function table(vs: readonly VirtualService[]): string[] {
  return vs[0]?.reals.map((r) => `${r.address}:${r.weight}`) ?? [];
}

test('a down server is removed; an up one keeps its configured weight', (t) => {
  const r = applyHealth([service(80, [A, B])], inputs({ '10.0.0.1': { up: false }, '10.0.0.2': { up: true } }));
  t.deepEqual(table(r.services), ['10.0.0.2:3']);
});

test('inhibit_on_failure: a down server stays at weight 0', (t) => {
  const Ai = real('10.0.0.1', { checks: [tcp], inhibit: true, weight: 4 });
  const r = applyHealth([service(80, [Ai, B])], inputs({ '10.0.0.1': { up: false }, '10.0.0.2': { up: true } }));
  t.deepEqual(table(r.services), ['10.0.0.1:0', '10.0.0.2:3']);
});

test('real servers without checks are always in the table; missing states count as up', (t) => {
  const plain = real('10.0.0.3');
  const r = applyHealth([service(80, [plain, A])], inputs({}));
  t.deepEqual(table(r.services), ['10.0.0.3:1', '10.0.0.1:1']);
});

test('dynamic weight (misc_dynamic) replaces the configured weight and counts in quorum', (t) => {
  const vs = service(80, [A, B], { health: { quorum: 4, hysteresis: 0, omega: false, haSuspend: false } });
  const r = applyHealth([vs], inputs({ '10.0.0.1': { up: true, weight: 7 }, '10.0.0.2': { up: false } }));
  t.deepEqual(table(r.services), ['10.0.0.1:7']);
  t.is(r.quorum.get(SVC), 'up');
  t.deepEqual(r.changes, [{ service: SVC, to: 'up', weightSum: 7, threshold: 4 }]);
});

test('weight deltas (FILE_CHECK) add to the dynamic or configured weight, limited to 0..65535, and count in quorum', (t) => {
  const vs = service(80, [A, B], { health: { quorum: 10, hysteresis: 0, omega: false, haSuspend: false } });
  const r = applyHealth([vs], inputs({ '10.0.0.1': { up: true, weightDelta: 9 }, '10.0.0.2': { up: true, weight: 2, weightDelta: -5 } }));
  t.deepEqual(table(r.services), ['10.0.0.1:10', '10.0.0.2:0']);
  t.is(r.quorum.get(SVC), 'up');
  const big = applyHealth([vs], inputs({ '10.0.0.1': { up: true, weightDelta: 70000 } }));
  t.deepEqual(table(big.services), ['10.0.0.1:65535', '10.0.0.2:3']);
});

test('sorry server: present only while no real server is up (default quorum 1)', (t) => {
  const vs = service(80, [A, B], { sorry: { server: SORRY, inhibit: false } });
  const down = applyHealth([vs], inputs({ '10.0.0.1': { up: false }, '10.0.0.2': { up: false } }));
  t.deepEqual(table(down.services), ['10.0.0.99:5']);
  t.is(down.quorum.get(SVC), 'down');
  const back = applyHealth([vs], inputs({ '10.0.0.1': { up: true }, '10.0.0.2': { up: false } }, { quorum: down.quorum }));
  t.deepEqual(table(back.services), ['10.0.0.1:1']);
  t.deepEqual(back.changes, [{ service: SVC, from: 'down', to: 'up', weightSum: 1, threshold: 1 }]);
});

test('sorry_server_inhibit: the sorry server sits at weight 0 while real servers are up', (t) => {
  const vs = service(80, [A], { sorry: { server: SORRY, inhibit: true } });
  t.deepEqual(table(applyHealth([vs], inputs({ '10.0.0.1': { up: true } })).services), ['10.0.0.1:1', '10.0.0.99:0']);
  t.deepEqual(table(applyHealth([vs], inputs({ '10.0.0.1': { up: false } })).services), ['10.0.0.99:5']);
});

test('quorum lost with a sorry server: alive servers leave (inhibited ones go to weight 0)', (t) => {
  const Ai = real('10.0.0.1', { checks: [tcp], inhibit: true });
  const vs = service(80, [Ai, B], { health: { quorum: 5, hysteresis: 0, omega: false, haSuspend: false }, sorry: { server: SORRY, inhibit: false } });
  const r = applyHealth([vs], inputs({ '10.0.0.1': { up: true }, '10.0.0.2': { up: true } }));
  t.deepEqual(table(r.services), ['10.0.0.1:0', '10.0.0.99:5']);
  t.is(r.quorum.get(SVC), 'down');
});

test('quorum hysteresis: gained at quorum + h, lost below quorum - h, and at sum 0', (t) => {
  const reals = [1, 2, 3, 4].map((i) => real(`10.0.0.${i}`, { checks: [tcp] }));
  const vs = service(80, reals, { health: { quorum: 3, hysteresis: 1, omega: false, haSuspend: false } });
  const ups = (n: number): Record<string, RealHealth> => Object.fromEntries([1, 2, 3, 4].map((i) => [`10.0.0.${i}`, { up: i <= n }]));
  let q: ReadonlyMap<string, QuorumState> = new Map();
  const seen: string[] = [];
  for (const n of [3, 4, 3, 2, 1, 2, 3, 4, 0]) {
    const r = applyHealth([vs], inputs(ups(n), { quorum: q }));
    q = r.quorum;
    seen.push(`${n}${q.get(SVC) === 'up' ? 'U' : 'D'}`);
  }
  t.deepEqual(seen, ['3D', '4U', '3U', '2U', '1D', '2D', '3D', '4U', '0D']);
});

test('operator drain sets weight 0 last, does not count against quorum, and enable restores', (t) => {
  const vs = service(80, [A, B], { sorry: { server: SORRY, inhibit: false } });
  const drained = new Map([[`${SVC}|10.0.0.1:80`, 'drain' as const], [`${SVC}|10.0.0.2:80`, 'drain' as const]]);
  const r = applyHealth([vs], inputs({ '10.0.0.1': { up: true }, '10.0.0.2': { up: false } }, { overrides: drained }));
  t.deepEqual(table(r.services), ['10.0.0.1:0']);
  t.is(r.quorum.get(SVC), 'up');
  t.deepEqual(table(applyHealth([vs], inputs({ '10.0.0.1': { up: true }, '10.0.0.2': { up: true } })).services), ['10.0.0.1:1', '10.0.0.2:3']);
});

test('the input services are not modified and unchanged real servers are the same objects', (t) => {
  const vs = service(80, [A, B]);
  const r = applyHealth([vs], inputs({ '10.0.0.1': { up: true }, '10.0.0.2': { up: false } }));
  t.is(vs.reals.length, 2);
  t.is(r.services[0]?.reals[0], A);
});
