/** The sync daemon policy: role → wanted daemons, and the requests from the kernel's daemons to them. */
import test from 'ava';
import type { IpvsDaemon } from '../ipvs/index.js';
import type { SyncDaemonSettings, VrrpRole } from '../model/index.js';
import { sameDaemon, syncPlan, wantedDaemons, wantedStates } from './policy.js';

const at = { file: 't.conf', line: 1 };
const follow: SyncDaemonSettings = { at, mode: { kind: 'follow', instance: 'VI_1' }, interface: 'eth1', syncId: 51, group: '224.0.0.81', port: 8848, ttl: 1 };
const both: SyncDaemonSettings = { ...follow, mode: { kind: 'both' } };

/** A GET_DAEMON reply as the kernel gives it: every setting, its defaults filled in. */
const kernel = (state: 'master' | 'backup', o: Partial<IpvsDaemon> = {}): IpvsDaemon =>
  ({ state, mcastIfn: 'eth1', syncId: 51, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1, ...o });

test('following an instance: master on MASTER, backup on BACKUP and FAULT, undecided in INIT', (t) => {
  const cases: Array<[VrrpRole | undefined, readonly string[] | undefined]> = [
    ['MASTER', ['master']], ['BACKUP', ['backup']], ['FAULT', ['backup']], ['INIT', undefined], [undefined, undefined],
  ];
  for (const [role, want] of cases) t.deepEqual(wantedStates(follow.mode, role), want, String(role));
});

test('active-active: master and backup whatever the role', (t) => {
  for (const role of ['MASTER', 'BACKUP', 'FAULT', 'INIT', undefined] as const) t.deepEqual(wantedStates(both.mode, role), ['master', 'backup']);
});

test('wanted daemons carry every setting; maxlen only when configured', (t) => {
  t.deepEqual(wantedDaemons(follow, 'MASTER'), [{ state: 'master', mcastIfn: 'eth1', syncId: 51, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 }]);
  t.deepEqual(wantedDaemons({ ...follow, maxLen: 1400 }, 'BACKUP')?.[0]?.maxLen, 1400);
  t.is(wantedDaemons(follow, 'INIT'), undefined);
});

test('a running daemon is adopted when its settings match (maxlen compared only when wanted)', (t) => {
  const [w] = wantedDaemons(follow, 'MASTER') ?? [];
  if (!w) return t.fail();
  t.true(sameDaemon(w, kernel('master')));
  t.false(sameDaemon(w, kernel('backup')));
  t.false(sameDaemon(w, kernel('master', { mcastIfn: 'eth0' })));
  t.false(sameDaemon(w, kernel('master', { syncId: 0 })));
  t.false(sameDaemon(w, kernel('master', { mcastPort: 8849 })));
  t.false(sameDaemon(w, kernel('master', { mcastTtl: 2 })));
  t.false(sameDaemon(w, kernel('master', { mcastGroup: '224.0.0.82' })));
  t.true(sameDaemon(w, kernel('master', { maxLen: 9000 })));
  t.false(sameDaemon({ ...w, maxLen: 1400 }, kernel('master')));
});

const plans: Array<{ title: string; wanted: readonly IpvsDaemon[] | undefined; running: IpvsDaemon[]; ops: string[] }> = [
  { title: 'nothing runs, becoming backup: start backup', wanted: wantedDaemons(follow, 'BACKUP'), running: [], ops: ['start backup'] },
  { title: 'backup → master: stop backup, then start master (keepalived order)', wanted: wantedDaemons(follow, 'MASTER'), running: [kernel('backup')], ops: ['stop backup', 'start master'] },
  { title: 'master → backup: stop master, then start backup', wanted: wantedDaemons(follow, 'BACKUP'), running: [kernel('master')], ops: ['stop master', 'start backup'] },
  { title: 'MASTER → FAULT: the same as → BACKUP', wanted: wantedDaemons(follow, 'FAULT'), running: [kernel('master')], ops: ['stop master', 'start backup'] },
  { title: 'restart on the master: the same daemon runs, adopted', wanted: wantedDaemons(follow, 'MASTER'), running: [kernel('master')], ops: [] },
  { title: 'undecided (INIT): leave both alone', wanted: wantedDaemons(follow, 'INIT'), running: [kernel('master'), kernel('backup')], ops: [] },
  { title: 'settings changed: stop and start again', wanted: wantedDaemons({ ...follow, syncId: 7 }, 'MASTER'), running: [kernel('master')], ops: ['stop master', 'start master'] },
  { title: 'active-active from nothing: start both', wanted: wantedDaemons(both, 'BACKUP'), running: [], ops: ['start master', 'start backup'] },
  { title: 'active-active, one left running: start the other', wanted: wantedDaemons(both, 'MASTER'), running: [kernel('backup')], ops: ['start master'] },
  { title: 'stopping: stop what runs', wanted: [], running: [kernel('master'), kernel('backup')], ops: ['stop master', 'stop backup'] },
];

for (const c of plans) {
  test(`plan: ${c.title}`, (t) => {
    t.deepEqual(syncPlan(c.wanted, c.running).map((o) => (o.op === 'stop' ? `stop ${o.state}` : `start ${o.daemon.state}`)), c.ops);
  });
}
