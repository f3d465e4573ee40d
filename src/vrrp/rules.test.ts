import test from 'ava';
import { decodeAdvert, type Advert } from './codec.js';
import { checkAdvert, type LocalInstance } from './rules.js';
import { vectors } from './codec.vectors.js';

/** Decode a captured vector so the rules run on what keepalived really sent. */
function captured(name: string): Advert {
  const v = vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  const r = decodeAdvert(Buffer.from(v.hex, 'hex'), { family: v.family, src: v.src, dst: v.dst, ttl: v.ttl });
  if (!r.ok) throw new Error(r.detail);
  return r.value;
}

const passLocal: LocalInstance = { vrid: 52, version: 2, family: 4, vips: ['192.0.2.101', '192.0.2.100'], authPass: 'secret', intervalCs: 100 };
const reason = (a: Advert, l: LocalInstance, ttl = 255): string => {
  const r = checkAdvert(a, l, ttl);
  return r.ok ? 'ok' : r.reason;
};

test('keepalived PASS advert is accepted with the same password (VIP order does not matter)', (t) => {
  t.is(reason(captured('keepalived-2.2.7-v2-pass'), passLocal), 'ok');
});

test('auth: wrong password, no password configured, or password where none is sent → auth', (t) => {
  const a = captured('keepalived-2.2.7-v2-pass');
  t.is(reason(a, { ...passLocal, authPass: 'secreT' }), 'auth');
  t.is(reason(a, { ...passLocal, authPass: undefined }), 'auth');
  const none = captured('keepalived-2.2.7-v2');
  t.is(reason(none, { vrid: 51, version: 2, family: 4, vips: ['192.0.2.100'], authPass: 'secret', intervalCs: 100 }), 'auth');
  t.is(reason(none, { vrid: 51, version: 2, family: 4, vips: ['192.0.2.100'], intervalCs: 100 }), 'ok');
});

test('auth: keepalived compares 8 bytes, so a 9th password character is ignored on both sides', (t) => {
  const a = captured('keepalived-2.2.7-v2-pass');
  const long: Advert = { ...a, authData: Buffer.from('secretXY', 'latin1') };
  t.is(reason(long, { ...passLocal, authPass: 'secretXYZ' }), 'ok');
});

test('TTL must be 255; version, VRID and family must match', (t) => {
  const a = captured('keepalived-2.2.7-v2-pass');
  t.is(reason(a, passLocal, 254), 'ttl');
  t.is(reason(a, { ...passLocal, version: 3 }), 'version');
  t.is(reason(a, { ...passLocal, vrid: 53 }), 'vrid');
  t.is(reason(a, { ...passLocal, family: 6, vips: ['fe80::1', '2001:db8::1'] }), 'family');
});

test('address list: a different count or a different set → addr_list', (t) => {
  const a = captured('keepalived-2.2.7-v2-pass');
  t.is(reason(a, { ...passLocal, vips: ['192.0.2.100'] }), 'addr_list');
  t.is(reason(a, { ...passLocal, vips: ['192.0.2.100', '192.0.2.102'] }), 'addr_list');
  const dup: Advert = { ...a, addrs: ['192.0.2.100', '192.0.2.100'] };
  t.is(reason(dup, passLocal), 'addr_list');
});

test('IPv6 address list compares canonical forms', (t) => {
  const a = captured('keepalived-2.2.7-v3v6');
  const local: LocalInstance = { vrid: 10, version: 3, family: 6, vips: ['FE80:0::1', '2001:0db8::0001'], intervalCs: 100 };
  t.is(reason(a, local), 'ok');
  t.is(reason(a, { ...local, vips: ['fe80::1', '2001:db8::2'] }), 'addr_list');
});

test('interval: v2 drops a 2 s advert against a 1 s config; v3 accepts (the backup learns)', (t) => {
  const v2: Advert = { ...captured('keepalived-2.2.7-v2'), intervalCs: 200 };
  const local2: LocalInstance = { vrid: 51, version: 2, family: 4, vips: ['192.0.2.100'], intervalCs: 100 };
  t.is(reason(v2, local2), 'interval');
  // keepalived rounds a sub-second v2 config up to 1 s, so 0.5 s config matches a 1 s advert.
  t.is(reason(captured('keepalived-2.2.7-v2'), { ...local2, intervalCs: 50 }), 'ok');
  const v3 = captured('keepalived-2.2.7-v3v4'); // 50 cs
  t.is(reason(v3, { vrid: 51, version: 3, family: 4, vips: ['192.0.2.100'], intervalCs: 100 }), 'ok');
});

test('skipAddresses (keepalived skip_check_adv_addr): the address list is not compared; everything else still is', (t) => {
  const a = captured('keepalived-2.2.7-v2-pass');
  const other = { ...passLocal, vips: ['192.0.2.99'] };
  t.is(reason(a, other), 'addr_list');
  t.is(reason(a, { ...other, skipAddresses: true }), 'ok');
  t.is(reason(a, { ...other, skipAddresses: true, authPass: 'wrong' }), 'auth');
  t.is(reason(a, { ...other, skipAddresses: true }, 254), 'ttl');
});
