import test from 'ava';
import { formatDiagnostic } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';

function load(text: string) {
  return loadConfigDetailed({ path: 'k.conf', text, readFile: () => { throw new Error('no includes here'); } });
}

const instance = (lines: string): string => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${lines}  virtual_ipaddress {\n    192.0.2.10\n  }\n}\n`;

test('keepalived 2.2.7 corrections are made and warned about at the keyword\'s own line', (t) => {
  const r = load(instance('  state MASTER\n  priority 100\n  nopreempt\n  preempt_delay 5\n  garp_master_repeat 0\n  authentication {\n    auth_type PASS\n    auth_pass 0123456789\n  }\n'));
  if (!r.result.ok) { t.fail(r.result.error.map(formatDiagnostic).join('\n')); return; }
  const i = r.result.value.vrrp[0];
  t.is(i?.preempt, true);
  t.is(i?.preemptDelayMs, 0);
  t.is(i?.authPass, '01234567');
  t.is(i?.garp.masterRepeat, 1);
  t.deepEqual(r.warnings.map((w) => `${w.at.line}:${w.at.col} ${w.message.split(':')[0] ?? ''}`), [
    '6:3 nopreempt is cleared, as keepalived 2.2.7 does (and reports)',
    '7:3 preempt_delay is cleared, as keepalived 2.2.7 does (and reports)',
    '8:22 garp_master_repeat 0 means 1',
    '11:15 auth_pass is longer than 8 characters',
  ].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
});

test('nopreempt stays with state BACKUP; an address owner loses it; preempt_delay goes with nopreempt', (t) => {
  const backup = load(instance('  state BACKUP\n  priority 100\n  nopreempt\n'));
  t.true(backup.result.ok && backup.result.value.vrrp[0]?.preempt === false);
  t.deepEqual(backup.warnings, []);
  const owner = load(instance('  state BACKUP\n  priority 255\n  nopreempt\n  preempt_delay 3\n'));
  t.true(owner.result.ok && owner.result.value.vrrp[0]?.preempt === true && owner.result.value.vrrp[0]?.preemptDelayMs === 3000);
  t.regex(owner.warnings[0]?.message ?? '', /nopreempt is cleared.*priority 255/);
  const both = load(instance('  state BACKUP\n  nopreempt\n  preempt_delay 3\n'));
  t.true(both.result.ok && both.result.value.vrrp[0]?.preempt === false && both.result.value.vrrp[0]?.preemptDelayMs === 0);
  t.regex(both.warnings[0]?.message ?? '', /preempt_delay is cleared.*no preemption to delay/);
});

test('unicast_src_ip without peers is multicast from that address, with a warning (keepalived reports it as deprecated)', (t) => {
  const r = load(instance('  unicast_src_ip 10.0.0.1\n'));
  t.true(r.result.ok && r.result.value.vrrp[0]?.unicastSrc === '10.0.0.1' && r.result.value.vrrp[0]?.unicastPeers.length === 0);
  t.deepEqual(r.warnings.map((w) => `${w.at.line}:${w.at.col}`), ['4:3']);
  t.regex(r.warnings[0]?.message ?? '', /advertises by multicast from this address/);
});
