import test from 'ava';
import { readFileSync } from 'node:fs';
import { cmpDests, cmpServices, glibcMergeSort, sortDests, sortServices } from './sort.js';
import { AF_INET, AF_INET6, FWD_DROUTE, IPPROTO_TCP, IPPROTO_UDP, type IpvsDest, type IpvsService } from './types.js';

const testdata = (name: string): string => readFileSync(new URL(`../../../src/ipvs/testdata/${name}`, import.meta.url), 'utf8');

function svc(p: Partial<IpvsService>): IpvsService {
  return { af: AF_INET, protocol: IPPROTO_TCP, addr: '10.0.0.1', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, ...p };
}
function dst(p: Partial<IpvsDest>): IpvsDest {
  return { af: AF_INET, addr: '10.0.0.1', port: 80, fwd: FWD_DROUTE, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, ...p };
}

test('merge sort matches glibc 2.36 qsort on 60 recorded vectors (testdata/qsort-oracle.c)', (t) => {
  const vectors = JSON.parse(testdata('qsort-vectors.json')) as { keys: number[]; order: number[] }[];
  t.is(vectors.length, 60);
  for (const v of vectors) {
    const items = v.keys.map((key, id) => ({ key, id }));
    const sorted = glibcMergeSort(items, (a, b) => ((a.key >>> 0) - (b.key >>> 0)) | 0);
    t.deepEqual(sorted.map((x) => x.id), v.order, `keys ${v.keys.join(',')}`);
  }
});

test('wrapping comparator: 192.168.1.1 lists before 10.0.0.1 (difference ≥ 2^31)', (t) => {
  const a = { service: svc({ addr: '10.0.0.1' }), dests: [] };
  const b = { service: svc({ addr: '192.168.1.1' }), dests: [] };
  t.true(cmpServices(a.service, b.service) > 0);
  t.deepEqual(sortServices([a, b]).map((x) => x.service.addr), ['192.168.1.1', '10.0.0.1']);
  t.deepEqual(sortServices([b, a]).map((x) => x.service.addr), ['192.168.1.1', '10.0.0.1']);
});

test('service keys in order: fwmark, af, protocol, address, port', (t) => {
  const list = [
    svc({ fwmark: 5, protocol: 0, addr: '' }),
    svc({ af: AF_INET6, addr: '2001:db8::1' }),
    svc({ protocol: IPPROTO_UDP }),
    svc({ port: 443 }),
    svc({ addr: '10.0.0.2' }),
    svc({}),
  ].map((service) => ({ service, dests: [] }));
  const got = sortServices(list).map(({ service: s }) => `${s.fwmark}/${s.af}/${s.protocol}/${s.addr}/${s.port}`);
  t.deepEqual(got, ['0/2/6/10.0.0.1/80', '0/2/6/10.0.0.1/443', '0/2/6/10.0.0.2/80', '0/2/17/10.0.0.1/80', '0/10/6/2001:db8::1/80', '5/2/0//80']);
});

test('fwmark difference wraps too: mark 0x80000001 sorts before mark 1', (t) => {
  t.true(cmpServices(svc({ fwmark: 0x80000001 }), svc({ fwmark: 1 })) < 0);
});

test('IPv6 compares four words, each wrapping', (t) => {
  const a = svc({ af: AF_INET6, addr: '2001:db8::1' });
  const b = svc({ af: AF_INET6, addr: '2001:db8::2' });
  const c = svc({ af: AF_INET6, addr: 'fd00::1' }); // word 0: 0xfd000000 - 0x20010db8 ≥ 2^31 → wraps negative
  t.true(cmpServices(a, b) < 0);
  t.true(cmpServices(c, a) < 0);
});

test('dest comparator uses the first argument family and then the port', (t) => {
  const v4 = dst({ addr: '10.0.0.1' });
  const v6 = dst({ af: AF_INET6, addr: '::1' });
  // v4 first: compares word 0 only (10.0.0.1 vs 0) → positive. v6 first: all four words → 0 - 0x0a000001 < 0.
  t.true(cmpDests(v4, v6) > 0);
  t.true(cmpDests(v6, v4) < 0);
  t.deepEqual(sortDests([dst({ port: 81 }), dst({ port: 80 })]).map((d) => d.port), [80, 81]);
});
