import test from 'ava';
import { formatDiagnostic } from '../../model/index.js';
import { loadConfigDetailed, type LoadOptions } from '../load.js';

function load(text: string, o: Partial<LoadOptions> = {}) {
  return loadConfigDetailed({ path: 'k.conf', text, readFile: () => { throw new Error('no includes here'); }, ...o });
}

const instance = (lines: string, vips = '    192.0.2.10\n'): string =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${lines}  virtual_ipaddress {\n${vips}  }\n}\n`;

const said = (r: ReturnType<typeof load>): string[] => [...(r.result.ok ? [] : r.result.error), ...r.warnings].map(formatDiagnostic);

test('a scalar keyword given again: the last one wins, with a warning at the repeat naming the first', (t) => {
  const r = load(`global_defs {\n  router_id x\n  @lb1 router_id y\n}\n${instance('  priority 50\n  priority 150\n')}`, { configId: 'lb1' });
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.is(r.result.value.routerId, 'y');
  t.is(r.result.value.vrrp[0]?.priority, 150);
  t.deepEqual(said(r), [
    'k.conf:3:8: "router_id" given again in global_defs (first at k.conf:2:3); the last one wins, as in keepalived',
    'k.conf:9:3: "priority" given again in vrrp_instance VI_1 (first at k.conf:8:3); the last one wins, as in keepalived',
  ]);
});

test('lvsd\'s native format still refuses a repeated keyword', (t) => {
  const r = load('director {\n  router-id a\n  router-id b\n}\n');
  t.false(r.result.ok);
  t.true(said(r).some((m) => m.includes('expected "router-id" once in')), said(r).join('\n'));
});

test('virtual_ipaddress, unicast_peer and track_interface blocks given again add to the first, without a word', (t) => {
  const text = instance('  unicast_peer {\n    192.0.2.2\n  }\n  unicast_peer {\n    192.0.2.3\n  }\n  virtual_ipaddress {\n    192.0.2.11\n  }\n');
  const r = load(text);
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  const i = r.result.value.vrrp[0];
  t.deepEqual(i?.unicastPeers, ['192.0.2.2', '192.0.2.3']);
  t.deepEqual(i?.vips.map((v) => v.address), ['192.0.2.11', '192.0.2.10']);
  t.deepEqual(r.warnings, []);
});

test('a notify script given again: the first is kept, as keepalived reports it', (t) => {
  const r = load(instance('  notify_master /bin/a\n  notify_master /bin/b\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.deepEqual(r.result.value.vrrp[0]?.notify.master, ['/bin/a']);
  t.deepEqual(said(r).filter((m) => m.includes('given again')), ['k.conf:5:3: "notify_master" given again in vrrp_instance VI_1 (first at k.conf:4:3); the first one is kept, as keepalived 2.2.7 does (and reports)']);
});

test('state BACKUP after state MASTER is ignored; state MASTER after BACKUP wins', (t) => {
  const sticky = load(instance('  state MASTER\n  state BACKUP\n  priority 100\n'));
  t.true(sticky.result.ok && sticky.result.value.vrrp[0]?.initialState === 'MASTER', said(sticky).join('\n'));
  t.deepEqual(said(sticky), ['k.conf:5:3: "state" given again in vrrp_instance VI_1 (first at k.conf:4:3); state BACKUP after state MASTER is ignored, as keepalived 2.2.7 does (and reports)']);
  const last = load(instance('  state BACKUP\n  state MASTER\n  priority 100\n'));
  t.true(last.result.ok && last.result.value.vrrp[0]?.initialState === 'MASTER', said(last).join('\n'));
});

test('a conflicting version given again: the first is kept; the same one again changes nothing', (t) => {
  const r = load(instance('  version 3\n  version 2\n'));
  t.true(r.result.ok && r.result.value.vrrp[0]?.version === 3, said(r).join('\n'));
  t.is(r.warnings.length, 1);
  const same = load(instance('  version 3\n  version 3\n'));
  t.deepEqual(said(same), []);
});

test('state MASTER without priority is the address owner (255); priority 255 without state starts as MASTER', (t) => {
  const master = load(instance('  state MASTER\n'));
  t.true(master.result.ok && master.result.value.vrrp[0]?.priority === 255, said(master).join('\n'));
  t.deepEqual(master.warnings, []);
  const owner = load(instance('  priority 255\n'));
  t.true(owner.result.ok && owner.result.value.vrrp[0]?.initialState === 'MASTER', said(owner).join('\n'));
  const plain = load(instance(''));
  t.true(plain.result.ok && plain.result.value.vrrp[0]?.priority === 100 && plain.result.value.vrrp[0]?.initialState === 'BACKUP');
  // An owner by default still loses nopreempt, as keepalived reports it.
  const np = load(instance('  state MASTER\n  nopreempt\n'));
  t.true(np.result.ok && np.result.value.vrrp[0]?.preempt === true);
  t.true(said(np)[0]?.startsWith('k.conf:5:3: nopreempt is cleared'), said(np).join('\n'));
});

test('router_id defaults to the host name; without one given, to ""', (t) => {
  const r = load(instance(''), { hostname: 'lb7.example.net' });
  t.true(r.result.ok && r.result.value.routerId === 'lb7.example.net');
  const none = load(instance(''));
  t.true(none.result.ok && none.result.value.routerId === '');
});

test('an invalid priority is 100 and an unknown state BACKUP, warned at the value; lowercase master is refused', (t) => {
  const r = load(instance('  state EQUAL\n  priority 300\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.is(r.result.value.vrrp[0]?.priority, 100);
  t.is(r.result.value.vrrp[0]?.initialState, 'BACKUP');
  t.deepEqual(said(r), [
    'k.conf:4:9: expected a state (MASTER, BACKUP), got "EQUAL": VI_1 starts as BACKUP, as keepalived 2.2.7 does (and reports)',
    'k.conf:5:12: expected a priority between 1 and 255, got "300": VI_1 has priority 100, as keepalived 2.2.7 does (and reports)',
  ]);
  // keepalived sets 100 explicitly, so state MASTER does not make it 255.
  const m = load(instance('  state MASTER\n  priority 0\n'));
  t.true(m.result.ok && m.result.value.vrrp[0]?.priority === 100, said(m).join('\n'));
  const lower = load(instance('  state master\n'));
  t.false(lower.result.ok);
  t.regex(said(lower)[0] ?? '', /k\.conf:4:9: .*got "master": keepalived 2\.2\.7 reads it as BACKUP/);
});

test('an invalid advert_int or GARP value is ignored with a warning; --strict material, not an error', (t) => {
  const r = load(instance('  advert_int 2\n  advert_int fast\n  garp_master_delay soon\n  garp_master_repeat -1\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  const i = r.result.value.vrrp[0];
  t.is(i?.advertIntervalCs, 200);
  t.is(i?.garp.masterDelayMs, 5000);
  t.deepEqual(said(r).map((m) => m.replace(/^k\.conf:(\d+:\d+): .*: (it is ignored).*$/, '$1 $2')), [
    'k.conf:5:3: "advert_int" given again in vrrp_instance VI_1 (first at k.conf:4:3); the last one wins, as in keepalived',
    '5:14 it is ignored', '6:21 it is ignored', '7:22 it is ignored',
  ]);
  // A repeat count keepalived takes but lvsd bounds stays an error.
  t.false(load(instance('  garp_master_repeat 500\n')).result.ok);
});

test('a virtual IP given twice is kept twice (keepalived advertises it twice), with a warning at the second', (t) => {
  const r = load(instance('', '    192.0.2.10\n    192.0.2.11\n    192.0.2.10 label eth0:1\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.deepEqual(r.result.value.vrrp[0]?.vips.map((v) => v.address), ['192.0.2.10', '192.0.2.11', '192.0.2.10']);
  t.deepEqual(said(r).map((m) => m.split(': keepalived')[0]), ['k.conf:7:5: 192.0.2.10 is already a virtual IP of VI_1 (first at k.conf:5:5)']);
});

test('lvsd\'s native format still refuses a virtual IP given twice', (t) => {
  const r = load('vrrp VI_1 {\n  interface eth0\n  vrid 51\n  vip 192.0.2.10/24\n  vip 192.0.2.10/24\n}\n');
  t.false(r.result.ok);
  t.true(said(r).some((m) => m.includes('expected each virtual IP once per instance')), said(r).join('\n'));
});

test('a track_interface entry given twice: the first is kept, with a warning', (t) => {
  const r = load(instance('  track_interface {\n    eth1 weight 10\n  }\n  track_interface {\n    eth1 weight 20\n  }\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.deepEqual(r.result.value.vrrp[0]?.tracks?.map((x) => [x.name, x.weight]), [['eth1', 10]]);
  t.deepEqual(said(r), ['k.conf:8:5: eth1 is already a track_interface entry (first at k.conf:5:5): this one is ignored, as keepalived 2.2.7 does (and reports)']);
});

test('vrrp_garp_interval: an invalid one is ignored with a warning; one keepalived takes but over 1 s stays an error', (t) => {
  const r = load(`global_defs {\n  vrrp_garp_interval soon\n}\n${instance('')}`);
  t.true(r.result.ok && r.result.value.vrrp[0]?.garp.intervalMs === 0, said(r).join('\n'));
  t.regex(said(r)[0] ?? '', /^k\.conf:2:22: .*got "soon": it is ignored, as keepalived 2\.2\.7 does/);
  t.true(load(`global_defs {\n  vrrp_garp_interval 0.002\n}\n${instance('')}`).result.ok);
  t.false(load(`global_defs {\n  vrrp_garp_interval 2\n}\n${instance('')}`).result.ok);
});

test('a vrrp_instance name defined again: the second block is skipped with a warning', (t) => {
  const second = 'vrrp_instance VI_1 {\n  interface eth1\n  virtual_router_id 52\n  bogus_keyword\n}\n';
  const r = load(`${instance('  priority 150\n')}${second}`);
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  t.deepEqual(r.result.value.vrrp.map((v) => [v.name, v.interface, v.vrid, v.priority]), [['VI_1', 'eth0', 51, 150]]);
  t.deepEqual(said(r), ['k.conf:9:1: vrrp_instance VI_1 is already defined (first at k.conf:1:1): this block is skipped, as keepalived 2.2.7 does (and reports); give it its own name']);
});

test('track_interface: an invalid weight is 0 (unweighted) and an unknown option ignored, with warnings', (t) => {
  const r = load(instance('  track_interface {\n    eth1 weight 300\n    eth2 weight 10 noreverse\n  }\n'));
  if (!r.result.ok) { t.fail(said(r).join('\n')); return; }
  const v = r.result.value.vrrp[0];
  t.deepEqual([...(v?.trackInterfaces ?? []), ...(v?.tracks ?? []).map((x) => `${x.name} ${String(x.weight)} ${String(x.reverse ?? false)}`)], ['eth1', 'eth2 10 false']);
  t.deepEqual(said(r).map((m) => m.replace(/^(k\.conf:\d+:\d+): .*got "([^"]+)": (.*?),.*$/, '$1 $2 $3')), [
    'k.conf:5:17 300 it is 0',
    'k.conf:6:20 noreverse it is ignored',
  ]);
});
