import test from 'ava';
import { expandRange, readRealSyntax } from './real.js';

test('real= forms: port, weight, quoted request and receive, thresholds', (t) => {
  const r = readRealSyntax('10.0.0.1:8080 masq 3 "check", "ok" l:5 u:9');
  t.true(r.ok);
  if (!r.ok) return;
  t.like(r.value, { first: '10.0.0.1', port: '8080', forward: 'masq', weight: 3, request: '/check', receive: 'ok', lower: 5, upper: 9 });
  t.deepEqual(r.value.notes, []);
});

test('the address regex is unanchored: "IP::PORT" skips to the port as a host, as ldirectord does', (t) => {
  const r = readRealSyntax('192.168.6.2::5060 gate');
  t.true(r.ok);
  if (!r.ok) return;
  t.is(r.value.first, '5060');
  t.is(r.value.port, '0');
  t.regex(r.value.notes[0] ?? '', /skips "192\.168\.6\.2::"/);
});

test('a per-real request starting with "/" keeps its receive here (ldirectord 4.12 loses it)', (t) => {
  const r = readRealSyntax('10.0.0.1:80 gate 2 "/alive", "yes" l:3 u:4');
  t.true(r.ok);
  if (!r.ok) return;
  t.like(r.value, { request: '/alive', receive: 'yes', lower: 3, upper: 4 });
  t.regex(r.value.notes.join(), /known bug/);
});

test('u: before l: is lost, as in ldirectord; leftovers are refused', (t) => {
  const r = readRealSyntax('10.0.0.1:80 gate u:200 l:5');
  t.true(r.ok);
  if (r.ok) t.is(r.value.upper, undefined);
  t.false(readRealSyntax('10.0.0.1:80 gate 1 extra').ok);
  t.false(readRealSyntax('10.0.0.1:80 route').ok);
  t.false(readRealSyntax('10.0.0.1:80').ok);
  t.false(readRealSyntax('10.0.0.1:80 gate "x 5", "y"').ok);
});

test('ranges cross octets; across a power of ten they shrink as ldirectord\'s string loop does', (t) => {
  t.deepEqual(expandRange('10.0.0.254', '10.0.1.1'), { ok: true, value: ['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1'] });
  // 5.245.224.255 is 99999999 and 5.245.225.1 is 100000001: "99999999" le "100000001" is false in Perl.
  const r = expandRange('5.245.224.255', '5.245.225.1');
  t.true(r.ok);
  if (r.ok) {
    t.deepEqual(r.value, []);
    t.regex(r.note ?? '', /0 of 3 addresses/);
  }
  t.false(expandRange('10.0.0.9', '10.0.0.1').ok);
  t.false(expandRange('10.0.0.0', '10.1.0.0').ok);
});
