/**
 * Replays real ipvsadm output captured in the lab (testdata/lab/README.md): the netlink
 * dump the outputs were taken from goes through our formatter and must give the same bytes.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { formatConns } from './conn.js';
import { formatSave } from './format-save.js';
import { formatList, type ListOptions } from './format.js';
import type { IpvsInfo, IpvsServiceWithDests } from './types.js';

const lab = (name: string): string => readFileSync(new URL(`../../../src/ipvs/testdata/lab/${name}`, import.meta.url), 'utf8');
const revive = (_k: string, v: unknown): unknown => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v);
const { info, dump } = JSON.parse(lab('dump.json'), revive) as { info: IpvsInfo; dump: IpvsServiceWithDests[] };

const CASES: [string, ListOptions][] = [
  ['list', {}], ['exact', { exact: true }], ['stats', { stats: true }], ['stats-exact', { stats: true, exact: true }],
  ['rate', { rate: true }], ['rate-exact', { rate: true, exact: true }], ['thresholds', { thresholds: true }],
  ['persistent-conn', { persistentConn: true }], ['tun-info', { tunInfo: true }],
];

test('the lab dump has traffic counters and a service table worth comparing', (t) => {
  t.true(dump.length >= 15);
  t.true(dump.some((s) => (s.service.stats?.conns ?? 0n) > 0n));
});

for (const [name, opts] of CASES) {
  test(`ipvsadm -L -n ${name}: same bytes as real ipvsadm`, (t) => {
    t.is(formatList(info, dump, opts), lab(`${name}.txt`));
  });
}

test('ipvsadm -S -n: same bytes as real ipvsadm', (t) => {
  t.is(formatSave(dump), lab('save.txt'));
});

test('ipvsadm -L -n -c (and --persistent-conn): same bytes from the same proc text', (t) => {
  t.is(formatConns(lab('ip_vs_conn.txt')), lab('conn.txt'));
  t.is(formatConns(lab('ip_vs_conn.txt'), { persistentConn: true }), lab('conn-persistent.txt'));
});
