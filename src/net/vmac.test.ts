import test from 'ava';
import { macvlanLinkInfo, vrrpMac } from './vmac.js';

test('the VRRP MAC of a VRID is 00-00-5E-00-01-{VRID} (RFC 5798 §7.3)', (t) => {
  t.is(vrrpMac(63).toString('hex'), '00005e00013f');
  t.is(vrrpMac(255).toString('hex'), '00005e0001ff');
});

test('IFLA_LINKINFO payload: IFLA_INFO_KIND "macvlan\\0", IFLA_INFO_DATA { IFLA_MACVLAN_MODE = MACVLAN_MODE_PRIVATE }', (t) => {
  // hand-encoded from <linux/if_link.h>: nlattr {len u16, type u16} + payload padded to 4
  const kind = '0c00' + '0100' + Buffer.from('macvlan\0').toString('hex'); // len 12, type 1
  const data = '0c00' + '0200' + '0800' + '0100' + '01000000'; // len 12, type 2 { len 8, type 1, u32 1 }
  t.is(macvlanLinkInfo().toString('hex'), kind + data);
});
