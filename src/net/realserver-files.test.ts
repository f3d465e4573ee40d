/** The real server's own files: the state codec (foreign and corrupt files refused), the boot files. */
import test from 'ava';
import { bootUnit, decodeState, encodeState, ownedByLvsd, STATE_FORMAT, sysctlConf } from './realserver-files.js';

const state = { saved: { 'net.ipv4.conf.all.arp_ignore': '0' }, vips: ['192.0.2.10', '2001:db8::10'], dev: 'lo' };

test('state round trip, with the format marker', (t) => {
  const text = encodeState(state);
  t.is((JSON.parse(text) as { format: string }).format, STATE_FORMAT);
  t.deepEqual(decodeState(text), { ok: true, value: state });
});

test('a state file written before the marker existed is still read', (t) => {
  t.deepEqual(decodeState(JSON.stringify(state)), { ok: true, value: state });
});

test('corrupt or foreign state files are errors with a reason', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['{"saved": {', /^not JSON/],
    ['[1, 2]', /^not a JSON object$/],
    [JSON.stringify({ ...state, format: 'something-else/2' }), /^format "something-else\/2", expected lvsd-realserver-state\/1$/],
    [JSON.stringify({ ...state, saved: { 'net.ipv4.conf.all.arp_ignore': 0 } }), /"saved"/],
    [JSON.stringify({ ...state, saved: { '/etc/passwd': 'x' } }), /"saved"/],
    [JSON.stringify({ ...state, vips: ['not-an-ip'] }), /"vips"/],
    [JSON.stringify({ ...state, dev: '' }), /"dev"/],
    [JSON.stringify({ name: 'a config of something else' }), /"saved"/],
  ];
  for (const [text, reason] of cases) {
    const r = decodeState(text);
    t.false(r.ok, text);
    if (!r.ok) t.regex(r.error, reason, text);
  }
});

test('sysctl.d file: marker first, one KEY = VALUE line per sysctl', (t) => {
  const text = sysctlConf({ 'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv6.conf.lo.disable_ipv6': '0' });
  t.true(ownedByLvsd(text));
  t.deepEqual(text.split('\n').filter((l) => !l.startsWith('#') && l !== ''), ['net.ipv4.conf.all.arp_ignore = 1', 'net.ipv6.conf.lo.disable_ipv6 = 0']);
  t.false(ownedByLvsd('net.ipv4.conf.all.arp_ignore = 1\n'));
});

test('boot unit: one idempotent ip command per VIP, /32 with an lo label, /128 nodad; removal on stop', (t) => {
  const text = bootUnit({ vips: [{ address: '192.0.2.10', family: 4 }, { address: '2001:db8::10', family: 6 }], dev: 'lo' });
  t.true(ownedByLvsd(text));
  const exec = text.split('\n').filter((l) => l.startsWith('Exec'));
  t.deepEqual(exec, [
    'ExecStart=ip addr replace 192.0.2.10/32 dev lo label lo:0',
    'ExecStart=ip -6 addr replace 2001:db8::10/128 dev lo nodad',
    'ExecStop=-ip addr del 192.0.2.10/32 dev lo',
    'ExecStop=-ip -6 addr del 2001:db8::10/128 dev lo',
  ]);
  t.regex(text, /^WantedBy=multi-user\.target$/m);
  t.notRegex(text, /BindsTo/);
});

test('boot unit for another device waits for it', (t) => {
  const text = bootUnit({ vips: [{ address: '192.0.2.10', family: 4 }], dev: 'dummy0' });
  t.regex(text, /^BindsTo=sys-subsystem-net-devices-dummy0\.device$/m);
  t.regex(text, /^ExecStart=ip addr replace 192\.0\.2\.10\/32 dev dummy0$/m);
});
