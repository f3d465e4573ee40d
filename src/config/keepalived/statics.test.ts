import test from 'ava';
import { loadText as load } from './load.fixture.js';

const VI = 'vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  10.0.0.200\n }\n}\n';

test('static_ipaddress: dev, label and scope; no dev means default_interface (vrrp_if.c get_default_if)', (t) => {
  const r = load(`global_defs {\n default_interface eth9\n}\nstatic_ipaddress {\n 192.0.2.16/24 dev eth1 scope link label eth1:s\n 192.0.2.17\n 2001:db8::5/64 dev eth2 no_track\n}\n${VI}`);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.config?.statics?.addresses.map(({ at: _, ...a }) => a), [
    { address: '192.0.2.16', family: 4, prefix: 24, scope: 253, dev: 'eth1', label: 'eth1:s' },
    { address: '192.0.2.17', family: 4, prefix: 32, scope: 0, dev: 'eth9' },
    { address: '2001:db8::5', family: 6, prefix: 64, scope: 0, dev: 'eth2' },
  ]);
  t.deepEqual(r.warnings, ['k.conf:4:1: static_ipaddress addresses are added when lvsd starts and removed when it stops, but lvsd does not watch them: keepalived puts back one someone else deletes, unless marked no_track']);
});

test('static_ipaddress without dev nor default_interface goes on eth0 (keepalived DFLT_INT)', (t) => {
  const r = load(`static_ipaddress {\n 192.0.2.16 no_track\n}\n${VI}`);
  t.is(r.config?.statics?.addresses[0]?.dev, 'eth0');
  t.deepEqual(r.warnings, []);
});

test('static_ipaddress refuses what lvsd does not set, and scope or label on IPv6 (keepalived -t reports them)', (t) => {
  const r = load(`static_ipaddress {\n 192.0.2.16 dev eth1 brd 192.0.2.255\n 192.0.2.17 scope galaxy\n 2001:db8::5 dev eth1 scope link\n 192.0.2.18 dev\n}\n${VI}`);
  t.deepEqual(r.errors, [
    'k.conf:2:22: keepalived\'s address option "brd" is not supported by lvsd (a static address takes dev, label, scope and no_track)',
    'k.conf:3:19: expected an address scope (global, universe, site, link, host, nowhere or a number), got "galaxy"',
    'k.conf:4:2: expected no scope on the IPv6 address 2001:db8::5 (keepalived 2.2.7 reports it and ignores it)',
    'k.conf:5:13: expected a value after "dev", got none',
  ]);
});

test('static_routes and static_rules read as virtual_routes / virtual_rules, and add up across blocks', (t) => {
  const r = load(`static_routes {\n 192.0.2.0/24 via 198.51.100.1 dev eth1\n}\nstatic_routes {\n blackhole 203.0.113.0/24 no_track\n}\nstatic_rules {\n from 192.0.2.0/24 table 100 no_track\n}\n${VI}`);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.config?.statics?.routes.map((x) => [x.type, x.dst.address, x.via, x.dev, x.protocol]), [
    ['unicast', '192.0.2.0', '198.51.100.1', 'eth1', 18], ['blackhole', '203.0.113.0', undefined, undefined, 18],
  ]);
  t.deepEqual(r.config?.statics?.rules.map((x) => [x.from?.address, x.table, x.protocol]), [['192.0.2.0', 100, 0]]);
  t.deepEqual(r.warnings, ['k.conf:1:1: static_routes are added when lvsd starts and removed when it stops, but lvsd does not watch them: keepalived puts back one someone else deletes, unless marked no_track']);
  t.is(load(VI).config?.statics, undefined);
});

test('unicast_src_ip and mcast_src_ip with a prefix: the prefix is dropped with a warning (utils.c inet_stosockaddr)', (t) => {
  const r = load(VI.replace(' priority 100\n', ' priority 100\n unicast_src_ip 10.0.0.11/24\n unicast_peer {\n  10.0.0.12\n }\n'));
  t.deepEqual(r.errors, []);
  t.is(r.config?.vrrp[0]?.unicastSrc, '10.0.0.11');
  t.deepEqual(r.warnings, ['k.conf:6:17: unicast_src_ip takes an address: the prefix of "10.0.0.11/24" is dropped and 10.0.0.11 is used, as keepalived 2.2.7 does; write 10.0.0.11']);
  t.deepEqual(load(VI.replace(' priority 100\n', ' priority 100\n mcast_src_ip 10.0.0.11/33\n')).errors.length, 1);
});

test('a vrrp_script without script is removed and track_script entries naming it are ignored, with warnings', (t) => {
  const r = load(`vrrp_script chk {\n interval 1\n}\n${VI.replace(' priority 100\n', ' priority 100\n track_script {\n  chk\n }\n')}`);
  t.deepEqual(r.errors, []);
  t.is(r.config?.tracking, undefined);
  t.deepEqual(r.config?.vrrp[0]?.tracks ?? [], []);
  t.deepEqual(r.warnings, [
    'k.conf:1:1: vrrp_script chk has no "script": it is removed, as keepalived 2.2.7 does ("No script set for vrrp_script chk - removing"), and track_script entries naming it are ignored',
    'k.conf:10:3: track_script chk is ignored: vrrp_script chk (at k.conf:1:1) has no script and was removed, as keepalived 2.2.7 does ("track script chk not found, ignoring...")',
  ]);
  // A name never defined stays an error.
  t.is(load(VI.replace(' priority 100\n', ' priority 100\n track_script {\n  other\n }\n')).errors.length, 1);
});
