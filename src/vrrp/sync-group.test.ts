import test from 'ava';
import { SyncGroups } from './sync-group.js';

const group = { name: 'G', at: { file: 'f', line: 1 }, members: ['A', 'B', 'C'], notify: { timeoutMs: 1000 } };

test('one member in fault puts the others in fault; they clear when none is left in fault', (t) => {
  const s = new SyncGroups([group]);
  t.deepEqual(s.onRole('A', 'MASTER', 'FAULT', false).map((a) => `${a.instance}:${a.action}`), ['B:fault', 'C:fault']);
  t.deepEqual(s.onRole('B', 'MASTER', 'FAULT', true), [], 'forced transitions do not cascade');
  t.deepEqual(s.onRole('C', 'BACKUP', 'FAULT', false), [], 'already in group fault');
  t.deepEqual(s.onRole('A', 'FAULT', 'BACKUP', false), [], 'C is still in fault on its own');
  t.deepEqual(s.onRole('C', 'FAULT', 'BACKUP', false).map((a) => `${a.instance}:${a.action}`), ['A:clear', 'B:clear']);
});

test('instances outside any group are left alone', (t) => {
  const s = new SyncGroups([group]);
  t.deepEqual(s.onRole('X', 'MASTER', 'FAULT', false), []);
});

test('a member starting while another is in fault on its own starts in fault', (t) => {
  const s = new SyncGroups([group]);
  t.is(s.startFault('B'), undefined);
  s.onRole('A', 'INIT', 'FAULT', false);
  t.is(s.startFault('B'), 'sync group G: A in fault');
  t.is(s.startFault('A'), undefined, 'not because of itself');
  s.onRole('A', 'FAULT', 'BACKUP', false);
  t.is(s.startFault('B'), undefined);
});
