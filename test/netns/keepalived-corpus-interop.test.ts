/**
 * VRRP-only corpus files (test/fixtures/keepalived/written/) run by lvsd on one router and by
 * keepalived 2.2.7 on the other, in one virtual router: lvsd gets the file as written,
 * keepalived the same file as the peer's copy would be (lower priority, BACKUP, unicast
 * addresses swapped). They must agree: lvsd MASTER and keepalived BACKUP for every instance,
 * for longer than a master-down interval, each VIP only on lvsd; after kill -9 of lvsd,
 * keepalived takes every VIP.
 */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigDetailed } from '../../src/config/index.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { addresses, makeLan, nsExec } from './topology.js';
import { roleOf, startLvsd, tempDir } from './lvsd-harness.js';
import { keepalivedRole, killNamespace, startKeepalived } from './kp-peers.js';

const CORPUS = new URL('../../../test/fixtures/keepalived/', import.meta.url).pathname;
const available = process.getuid?.() === 0 && spawnSync('keepalived', ['--version']).status === 0;

interface Case {
  readonly file: string;
  /** The peer's copy of the file. */
  readonly peer: (text: string) => string;
  /** Addresses the file names on each side (unicast_src_ip / peers), added to eth0. */
  readonly lvsdAddr?: string;
  readonly keepalivedAddr?: string;
}

const replace = (pairs: ReadonlyArray<readonly [RegExp, string]>) => (text: string): string => pairs.reduce((s, [a, b]) => s.replace(a, b), text);

const CASES: readonly Case[] = [
  {
    file: 'written/haproxy-pair-master.conf',
    peer: replace([[/state MASTER/, 'state BACKUP'], [/priority 101/, 'priority 100'], [/unicast_src_ip 10\.0\.0\.11/, 'unicast_src_ip 10.0.0.12'], [/(unicast_peer \{\s*)10\.0\.0\.12/, '$110.0.0.11']]),
    lvsdAddr: '10.0.0.11/24',
    keepalivedAddr: '10.0.0.12/24',
  },
  { file: 'written/nginx-pair-backup.conf', peer: replace([[/priority 90/, 'priority 80']]) },
  { file: 'written/kubernetes-apiserver.conf', peer: replace([[/state MASTER/, 'state BACKUP'], [/priority 101/, 'priority 100']]) },
  { file: 'written/ipv6-v3.conf', peer: replace([[/priority 100/, 'priority 90']]) },
  // keepalived's adverts count the repeated address: lvsd's must, or each drops the other's.
  { file: 'written/duplicate-vip.conf', peer: replace([[/state MASTER/, 'state BACKUP'], [/priority 150/, 'priority 100']]) },
  {
    file: 'written/unicast-src-no-peers.conf',
    peer: replace([[/priority 100/, 'priority 90'], [/unicast_src_ip 10\.0\.0\.11/, 'unicast_src_ip 10.0.0.12']]),
    lvsdAddr: '10.0.0.11/24',
    keepalivedAddr: '10.0.0.12/24',
  },
];

function model(file: string): { names: string[]; vips: string[]; intervalMs: number } {
  const r = loadConfigDetailed({ path: file, text: readFileSync(join(CORPUS, file), 'utf8'), readFile: (p) => readFileSync(join(CORPUS, p), 'utf8') });
  if (!r.result.ok) throw new Error(`${file} does not load`);
  const vrrp = r.result.value.vrrp;
  return { names: vrrp.map((i) => i.name), vips: vrrp.flatMap((i) => i.vips.map((v) => v.address)), intervalMs: Math.max(...vrrp.map((i) => i.advertIntervalCs * 10)) };
}

async function agree(t: ExecutionContext, c: Case): Promise<void> {
  const m = model(c.file);
  const lan = makeLan(t, ['l', 'k']);
  const dir = tempDir(t);
  const [nsL, nsK] = [lan.ns['l'], lan.ns['k']];
  if (nsL === undefined || nsK === undefined) return t.fail('no namespaces');
  if (c.lvsdAddr) nsExec(nsL, 'ip', ['addr', 'add', c.lvsdAddr, 'dev', 'eth0']);
  if (c.keepalivedAddr) nsExec(nsK, 'ip', ['addr', 'add', c.keepalivedAddr, 'dev', 'eth0']);
  const text = readFileSync(join(CORPUS, c.file), 'utf8');
  const peerText = c.peer(text);
  t.not(peerText, text, 'the peer copy differs from the file');
  const masterDownMs = 4 * m.intervalMs;
  const has = (ns: string, vip: string): boolean => addresses(ns).includes(vip);
  const d = startLvsd(t, { ns: nsL, name: 'l', dir, config: text });
  await waitUntil(() => m.names.every((n) => roleOf(d, n) === 'MASTER') && m.vips.every((v) => has(nsL, v)), 'lvsd MASTER with every VIP', masterDownMs + 8000, 20);
  const k = startKeepalived(t, { ns: nsK, name: 'k', dir, config: peerText });
  await waitUntil(() => m.names.every((n) => keepalivedRole(k, n) === 'BACKUP'), 'keepalived BACKUP', 8000, 20);
  await t.notThrowsAsync(stillTrue(
    () => m.names.every((n) => roleOf(d, n) === 'MASTER' && keepalivedRole(k, n) === 'BACKUP') && m.vips.every((v) => has(nsL, v) && !has(nsK, v)),
    'lvsd MASTER with the VIPs, keepalived BACKUP without', masterDownMs + 500, 50,
  ));
  killNamespace(nsL);
  await waitUntil(() => m.vips.every((v) => has(nsK, v)) && m.names.every((n) => keepalivedRole(k, n) === 'MASTER'), 'keepalived MASTER with every VIP', masterDownMs + 5000, 10);
  t.pass();
}

for (const c of CASES) {
  (available ? test.serial : test.skip)(`lvsd and keepalived 2.2.7 agree on master and VIPs with ${c.file}`, agree, c);
}
