import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameServiceFromFiles } from '../ldirectord/names.js';
import { clGetMsec } from './ha-cf.js';
import { readHaDir } from './read-dir.js';
import { chooseAdvert, derivedPassword, masterDownMs } from './vrrp.js';

const TESTDATA = new URL('../../../../src/config/testdata/', import.meta.url).pathname;

test('heartbeat times read as cluster-glue cl_get_msec reads them (its own examples)', (t) => {
  const cases: [string, number][] = [
    ['1', 1000], ['1000ms', 1000], ['1000000us', 1000], ['0.1', 100], ['100ms', 100], ['100000us', 100],
    ['0.001', 1], ['1ms', 1], ['1000us', 1], ['499us', 0], ['501us', 1], ['1.5', 1500], ['500MS', 500], ['.5', 500],
    ['10s', -1], ['x', -1], ['1m', -1],
  ];
  for (const [input, ms] of cases) t.is(clGetMsec(input), ms, input);
});

test('the advert keeps keepalive when 3 x advert + skew fits in deadtime, else shrinks to fit', (t) => {
  t.deepEqual(chooseAdvert({ keepaliveMs: 2000, deadtimeMs: 30000, lowestPriority: 100, family: 4, v2: true }), { version: 2, advertIntervalCs: 200 });
  const tight = chooseAdvert({ keepaliveMs: 2000, deadtimeMs: 5000, lowestPriority: 100, family: 4, v2: true });
  t.is(tight.version, 2);
  t.is(tight.advertIntervalCs, 100);
  t.true(masterDownMs(tight.advertIntervalCs * 10, 100) <= 5000);
  t.truthy(tight.note);
  const sub = chooseAdvert({ keepaliveMs: 200, deadtimeMs: 1000, lowestPriority: 100, family: 4, v2: true });
  t.deepEqual(sub, { version: 3, advertIntervalCs: 20 });
  t.is(chooseAdvert({ keepaliveMs: 1000, deadtimeMs: 30000, lowestPriority: 100, family: 6, v2: true }).version, 3);
  for (const deadtimeMs of [250, 999, 3001, 7000, 30000]) {
    const c = chooseAdvert({ keepaliveMs: 1000, deadtimeMs, lowestPriority: 99, family: 4, v2: false });
    t.true(masterDownMs(c.advertIntervalCs * 10, 99) <= deadtimeMs, `deadtime ${deadtimeMs}`);
  }
});

test('the VRRP password is derived from the key: the same on both directors, never the key itself', (t) => {
  const key = { at: { file: 'a', line: 1 }, method: 'sha1' as const, key: 'kmtbUe3Z' };
  t.is(derivedPassword(key), derivedPassword({ ...key }));
  t.is(derivedPassword(key).length, 8);
  t.not(derivedPassword(key), 'kmtbUe3Z');
  t.not(derivedPassword(key), derivedPassword({ ...key, key: 'other' }));
});

test('both directors read the same directory into one election: same VRID, advert and password, distinct priorities', (t) => {
  const names = nameServiceFromFiles({ hosts: readFileSync(join(TESTDATA, 'ldirectord/hosts'), 'utf8'), services: readFileSync(join(TESTDATA, 'ldirectord/services'), 'utf8') });
  const read = (nodeName: string) => readHaDir('heartbeat/pair', { readFile: (p) => readFileSync(join(TESTDATA, p), 'utf8'), nodeName, names, authkeysMode: 0o600 });
  const a = read('lb1').result;
  const b = read('LB2').result;
  t.true(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  const [ia] = a.value.vrrp;
  const [ib] = b.value.vrrp;
  t.truthy(ia && ib);
  t.like(ib, { vrid: ia?.vrid, advertIntervalCs: ia?.advertIntervalCs, authPass: ia?.authPass, version: ia?.version, preempt: ia?.preempt, name: ia?.name });
  t.is(ia?.priority, 200);
  t.is(ib?.priority, 100);
  t.deepEqual(a.value.services, b.value.services);
  t.false(readHaDir('heartbeat/pair', { readFile: (p) => readFileSync(join(TESTDATA, p), 'utf8'), nodeName: 'lb3', names }).result.ok);
});
