import test from 'ava';
import type { VrrpSyncGroup } from '../model/index.js';
import type { VrrpRole } from '../model/index.js';
import { SyncGroups, type SyncAction } from './sync-group.js';

const group: VrrpSyncGroup = { name: 'G', at: { file: 'f', line: 1 }, members: ['A', 'B', 'C'], notify: { timeoutMs: 1000 } };

/** Members that obey at once, as runners do: a forced change is reported back while the hook runs. */
function harness(groups: readonly VrrpSyncGroup[] = [group]) {
  const roles = new Map<string, VrrpRole>();
  const forced: string[] = [];
  const states: string[] = [];
  let s: SyncGroups | undefined;
  const set = (m: string, to: VrrpRole): void => {
    const from = roles.get(m) ?? 'INIT';
    if (from === to) return; // a runner told to do what it already does posts nothing
    roles.set(m, to);
    s?.onRole(m, from, to);
  };
  s = new SyncGroups(groups, {
    force: (a: SyncAction) => {
      forced.push(`${a.instance}:${a.action}`);
      set(a.instance, a.action === 'fault' ? 'FAULT' : 'BACKUP');
    },
    groupState: (g, state) => states.push(`${g.name} ${state}`),
  });
  return { s, set, roles, forced, states };
}

test('one member in fault puts the others in fault; they clear when none is left in fault on its own', (t) => {
  const h = harness();
  for (const m of ['A', 'B', 'C']) h.set(m, 'MASTER');
  h.set('A', 'FAULT');
  t.deepEqual(h.forced, ['B:fault', 'C:fault'], 'forced transitions do not cascade again');
  h.set('C', 'BACKUP'); // C leaves its forced fault on its own: not a fault of its own
  h.set('C', 'FAULT');
  t.deepEqual(h.forced, ['B:fault', 'C:fault'], 'already in group fault: nothing more to force');
  h.forced.length = 0;
  h.set('A', 'BACKUP');
  t.deepEqual(h.forced, [], 'C is still in fault on its own');
  h.set('C', 'BACKUP');
  t.deepEqual(h.forced, ['A:clear', 'B:clear']);
});

test('the group state: reported once all members agree, FAULT as soon as one is in fault, never INIT', (t) => {
  const h = harness();
  h.set('A', 'BACKUP');
  h.set('B', 'BACKUP');
  t.deepEqual(h.states, [], 'C still starting');
  h.set('C', 'BACKUP');
  h.set('A', 'MASTER');
  h.set('B', 'MASTER');
  h.set('C', 'MASTER');
  h.set('B', 'FAULT');
  t.deepEqual(h.states, ['G BACKUP', 'G MASTER', 'G FAULT'], 'one line per group state, the forced members add none');
});

test('reconfigure keeps what is known of the members; instances outside any group are left alone', (t) => {
  const h = harness();
  h.set('X', 'FAULT');
  t.deepEqual(h.forced, []);
  for (const m of ['A', 'B', 'C']) h.set(m, 'MASTER');
  t.deepEqual(h.states, ['G MASTER']);
  h.s.reconfigure([{ ...group, members: ['A', 'B'] }]);
  h.set('A', 'FAULT');
  t.deepEqual(h.forced, ['B:fault'], 'C left the group');
  t.deepEqual(h.states, ['G MASTER', 'G FAULT']);
});

test('a member starting while another is in fault on its own starts in fault, as a forced change', (t) => {
  const h = harness();
  t.is(h.s.startFault('B'), undefined);
  for (const m of ['A', 'B', 'C']) h.set(m, 'BACKUP');
  h.set('A', 'FAULT');
  t.is(h.s.startFault('B'), 'sync group G: A in fault');
  t.is(h.s.startFault('A'), undefined, 'not because of itself');
  h.roles.delete('B'); // B restarts (a reload changed it): INIT again
  h.forced.length = 0;
  h.s.starting('B');
  t.deepEqual(h.forced, ['B:fault'], 'started in fault, and its FAULT does not cascade');
  h.set('A', 'BACKUP');
  t.is(h.s.startFault('B'), undefined);
  t.deepEqual(h.forced, ['B:fault', 'B:clear', 'C:clear']);
});
