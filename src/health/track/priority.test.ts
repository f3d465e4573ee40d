import test from 'ava';
import { allBindings, type Binding } from './bindings.js';
import { evaluateInstance, trackEffect, type ObjectState } from './priority.js';
import { file, group, instance, proc, ref, script, tracking } from './tracking.fixture.js';

const b = (kind: Binding['kind'], name: string, weight: number, reverse = false): Binding => ({ kind, name, weight, reverse, via: 'instance' });
const up: ObjectState = { up: true };
const down: ObjectState = { up: false };

function evaluate(configured: number, pairs: Array<[Binding, ObjectState | undefined]>) {
  const states = new Map(pairs.map(([x, s]) => [`${x.kind}:${x.name}`, s]));
  return evaluateInstance({ instance: 'VI_1', configured, bindings: pairs.map(([x]) => x), stateOf: (k, n) => states.get(`${k}:${n}`) });
}

test('a positive weight counts while up, a negative one while down', (t) => {
  t.is(evaluate(100, [[b('script', 'a', 10), up], [b('script', 'b', -20), up]]).priority, 110);
  t.is(evaluate(100, [[b('script', 'a', 10), down], [b('script', 'b', -20), down]]).priority, 80);
  t.is(evaluate(100, [[b('process', 'p', 5), up], [b('interface', 'eth1', -30), down]]).priority, 75);
});

test('reverse negates the weight', (t) => {
  t.is(evaluate(100, [[b('script', 'a', 10, true), up]]).priority, 90);
  t.is(evaluate(100, [[b('script', 'a', 10, true), down]]).priority, 100);
  t.is(evaluate(100, [[b('script', 'a', -10, true), down]]).priority, 110);
});

test('the effective priority stays within 1..254', (t) => {
  t.is(evaluate(250, [[b('script', 'a', 100), up]]).priority, 254);
  t.is(evaluate(10, [[b('script', 'a', -100), down]]).priority, 1);
});

test('the address owner (255) never moves', (t) => {
  t.is(evaluate(255, [[b('script', 'a', -100), down]]).priority, 255);
});

test('weight 0: down is FAULT, up is not; reverse swaps them; the priority is untouched', (t) => {
  const f = evaluate(100, [[b('script', 'chk', 0), down]]);
  t.is(f.fault, 'script chk down');
  t.is(f.priority, 100);
  t.is(evaluate(100, [[b('script', 'chk', 0), up]]).fault, null);
  t.is(evaluate(100, [[b('process', 'nginx', 0, true), up]]).fault, 'process nginx up (reverse)');
  t.is(evaluate(255, [[b('interface', 'eth1', 0), down]]).fault, 'interface eth1 down');
});

test('a script without a result: weight 0 holds the instance back, a weight counts nothing', (t) => {
  t.is(evaluate(100, [[b('script', 'chk', 0), { up: undefined }]]).fault, 'waiting for the first result of script chk');
  const w = evaluate(100, [[b('script', 'chk', -10), { up: undefined }]]);
  t.is(w.fault, null);
  t.is(w.priority, 100);
});

test('track files: value × weight, FAULT at -254 and for weight 0 non-zero', (t) => {
  t.is(evaluate(100, [[b('file', 'f', 2), { value: 10 }]]).priority, 120);
  t.is(evaluate(100, [[b('file', 'f', -1), { value: 300 }]]).fault, 'track_file f has value 300');
  t.is(evaluate(100, [[b('file', 'f', 0), { value: 1 }]]).fault, 'track_file f has value 1');
  t.is(evaluate(100, [[b('file', 'f', 0), { value: 0 }]]).fault, null);
});

test('several faults are all named; an unavailable object counts nothing', (t) => {
  const r = evaluate(100, [[b('script', 'a', 0), down], [b('interface', 'eth1', 0), down], [b('file', 'gone', 5), undefined]]);
  t.is(r.fault, 'script a down; interface eth1 down');
  t.deepEqual(trackEffect(b('file', 'gone', 5), undefined), { kind: 'file', name: 'gone', weight: 5, reverse: false, state: 'unavailable', delta: 0, fault: null });
});

const defs = tracking({ scripts: [script('chk', { weight: -20 })], files: [file('tf', '/run/tf'), file('tf5', '/run/tf5', { weight: 5 })], processes: [proc('nginx', 'nginx', { weight: 10 })] });

test('a reference overrides the object weight and reverse; interfaces default to 0', (t) => {
  const i = instance('VI_1', 100, [ref('script', 'chk', { weight: 30, reverse: true }), ref('interface', 'eth1'), ref('file', 'tf')]);
  const { byInstance } = allBindings([i], [], defs);
  t.deepEqual(byInstance.get('VI_1'), [b('script', 'chk', 30, true), b('interface', 'eth1', 0), b('file', 'tf', 1)]);
});

test('duplicates are ignored and unknown objects are reported', (t) => {
  const i = instance('VI_1', 100, [ref('script', 'chk'), ref('script', 'chk', { weight: 5 }), ref('script', 'nope')]);
  const r = allBindings([i], [], defs);
  t.deepEqual(r.byInstance.get('VI_1'), [b('script', 'chk', -20)]);
  t.deepEqual(r.dropped, [{ instance: 'VI_1', kind: 'script', name: 'nope', why: 'no vrrp_script "nope"' }]);
});

test('in a sync group without tracking weight: weighted scripts dropped, interfaces and default-weight files go to 0', (t) => {
  const i = instance('VI_1', 100, [ref('script', 'chk'), ref('interface', 'eth1', { weight: 10 }), ref('file', 'tf'), ref('file', 'tf5'), ref('process', 'nginx')]);
  const r = allBindings([i], [group('G', ['VI_1'])], defs);
  t.deepEqual(r.byInstance.get('VI_1'), [b('interface', 'eth1', 0), b('file', 'tf', 0), b('process', 'nginx', 10)]);
  t.deepEqual(r.dropped.map((d) => `${d.kind} ${d.name}`), ['script chk', 'file tf5']);
  const kept = allBindings([i], [group('G', ['VI_1'], { trackingWeight: true })], defs);
  t.is(kept.byInstance.get('VI_1')?.length, 5);
});

test('an address owner drops weighted interfaces and scripts', (t) => {
  const i = instance('VI_1', 255, [ref('script', 'chk'), ref('interface', 'eth1', { weight: 10 }), ref('interface', 'eth2')]);
  const r = allBindings([i], [], defs);
  t.deepEqual(r.byInstance.get('VI_1'), [b('interface', 'eth2', 0)]);
});

test('group tracks apply to every member; an owner member clears their weights', (t) => {
  const g = group('G', ['VI_1', 'VI_2'], { tracks: [ref('process', 'nginx'), ref('script', 'chk', { weight: 0 })] });
  const r = allBindings([instance('VI_1', 100, []), instance('VI_2', 90, [])], [g], defs);
  const groupB = (kind: Binding['kind'], name: string, weight: number): Binding => ({ kind, name, weight, reverse: false, via: 'group' });
  t.deepEqual(r.byInstance.get('VI_1'), [groupB('process', 'nginx', 10), groupB('script', 'chk', 0)]);
  t.deepEqual(r.byInstance.get('VI_2'), [groupB('process', 'nginx', 10), groupB('script', 'chk', 0)]);
  const owned = allBindings([instance('VI_1', 255, []), instance('VI_2', 90, [])], [g], defs);
  t.deepEqual(owned.byInstance.get('VI_2'), [groupB('process', 'nginx', 0), groupB('script', 'chk', 0)]);
});

test('an object on both instance and group takes the group weight unless the instance weight is 0', (t) => {
  const g = group('G', ['VI_1', 'VI_2'], { tracks: [ref('process', 'nginx', { weight: 50, reverse: true })], trackingWeight: true });
  const i1 = instance('VI_1', 100, [ref('process', 'nginx', { weight: 5 })]);
  const i2 = instance('VI_2', 100, [ref('process', 'nginx', { weight: 0 })]);
  const r = allBindings([i1, i2], [g], defs);
  t.deepEqual(r.byInstance.get('VI_1'), [b('process', 'nginx', 50)]);
  t.deepEqual(r.byInstance.get('VI_2'), [b('process', 'nginx', 0)]);
});
