import test from 'ava';
import { readFileSync } from 'node:fs';
import { formatDiagnostic } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';
import { POLICY } from './policy.js';
import { implementedTables, namesOf } from './tables.js';

const FIXTURES = new URL('../../../../test/fixtures/keepalived/', import.meta.url).pathname;

/** keepalived 2.2.7's keywords as scripts/keepalived-keywords.mjs extracted them: "BLOCK KEYWORD". */
const KEEPALIVED = readFileSync(`${FIXTURES}keywords-2.2.7.txt`, 'utf8').split('\n').filter((l) => l !== '');

const key = (block: string, keyword: string): string => `${block} ${keyword}`;

test('the policy covers exactly the keywords keepalived 2.2.7 accepts, each once', (t) => {
  const ours = POLICY.filter((p) => p.since === undefined).map((p) => key(p.block, p.keyword));
  t.is(new Set(ours).size, ours.length, 'a keyword is listed twice in one block');
  t.deepEqual([...ours].sort(), [...KEEPALIVED].sort());
  t.true(KEEPALIVED.length > 450, 'the extracted list is keepalived\'s full keyword set');
});

test('implemented in the policy is exactly what the parser tables hold, block by block', (t) => {
  const tables = implementedTables();
  const fromTables = Object.entries(tables).flatMap(([block, table]) => namesOf(table).map((n) => key(block, n)));
  const implemented = POLICY.filter((p) => p.status === 'implemented').map((p) => key(p.block, p.keyword));
  t.deepEqual([...new Set(fromTables)].sort(), [...implemented].sort());
});

test('every warned or refused keyword says why', (t) => {
  for (const p of POLICY.filter((x) => x.status !== 'implemented')) t.true((p.why ?? '').length > 10, `${p.block} ${p.keyword}`);
});

function report(text: string): { errors: string[]; warnings: string[] } {
  const r = loadConfigDetailed({ path: 'k.conf', text, readFile: () => { throw new Error('no includes here'); } });
  return { errors: r.result.ok ? [] : r.result.error.map(formatDiagnostic), warnings: r.warnings.map(formatDiagnostic) };
}

const INSTANCE = (body: string): string => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n${body}  virtual_ipaddress {\n    192.0.2.10\n  }\n}\n`;

test('a warned keyword is accepted with its warning at its own line', (t) => {
  const r = report(`global_defs {\n  router_id a\n  vrrp_iptables VRRP\n  enable_snmp_vrrp\n}\n${INSTANCE('')}`);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.warnings.map((w) => w.split(': ')[0]), ['k.conf:3:3', 'k.conf:4:3']);
  t.regex(r.warnings[0] ?? '', /vrrp_iptables is ignored: lvsd installs no firewall rules/);
  t.regex(r.warnings[1] ?? '', /enable_snmp_vrrp is ignored: lvsd has no SNMP agent/);
});

test('a warned keyword with a value keepalived would reject is an error', (t) => {
  const r = report(`global_defs {\n  log_unknown_vrids yes please\n}\n${INSTANCE('')}`);
  t.deepEqual(r.errors, ['k.conf:2:21: expected nothing after "log_unknown_vrids", got "yes"']);
});

test('a refused keyword says "keepalived\'s X is not supported by lvsd", never unknown', (t) => {
  const r = report(`${INSTANCE('  use_ipvlan\n  track_bfd {\n    b1\n  }\n')}bfd_instance b1 {\n  neighbor_ip 10.0.0.1\n}\n`);
  t.deepEqual(r.errors.map((e) => e.replace(/: [^:]*$/, '')), [
    "k.conf:5:3: keepalived's use_ipvlan is not supported by lvsd",
    "k.conf:6:3: keepalived's track_bfd is not supported by lvsd",
    "k.conf:13:1: keepalived's bfd_instance is not supported by lvsd",
  ]);
});

test('a misspelling is an error with "did you mean", across blocks too', (t) => {
  const r = report(`global_defs {\n  garp_master_delay 5\n  lvs_id x\n}\n${INSTANCE('  vrrp_garp_master_delay 5\n  router_id b\n  lb_algo rr\n  prority 90\n')}`);
  t.deepEqual(r.errors, [
    'k.conf:2:3: unknown keyword "garp_master_delay" in global_defs (did you mean "vrrp_garp_master_delay"? garp_master_delay belongs in vrrp_instance)',
    'k.conf:3:3: unknown keyword "lvs_id" in global_defs (did you mean "router_id"? lvs_id is an old name that keepalived 2.2.7 does not know either)',
    'k.conf:9:3: unknown keyword "vrrp_garp_master_delay" in vrrp_instance VI_1 (did you mean "garp_master_delay"? vrrp_garp_master_delay belongs in global_defs)',
    'k.conf:10:3: unknown keyword "router_id" in vrrp_instance VI_1 (router_id belongs in global_defs)',
    'k.conf:11:3: unknown keyword "lb_algo" in vrrp_instance VI_1 (lb_algo belongs in virtual_server)',
    'k.conf:12:3: unknown keyword "prority" in vrrp_instance VI_1 (did you mean "priority"?)',
  ]);
});

const NAMED: Readonly<Record<string, string>> = {
  vrrp_instance: 'VI_1', vrrp_sync_group: 'G', virtual_server: '10.0.0.1 80', real_server: '10.0.0.2 80',
  track_file: 'TF', vrrp_track_file: 'TF2', vrrp_script: 'S', vrrp_track_process: 'P',
};
const ARGS: Readonly<Record<string, string>> = { none: '', bool: '', one: ' 1', block: ' {\n}', any: ' 1' };

/** Whether every block on the way to `block` is one lvsd reads (not inside a refused block). */
function reachable(block: string): boolean {
  const parts = block === 'top' ? [] : block.split('/');
  return parts.every((p, i) => POLICY.some((x) => x.block === (i === 0 ? 'top' : parts.slice(0, i).join('/')) && x.keyword === p && x.status === 'implemented'));
}

test('every warned or refused keyword, written in its block, gets its policy message at its line (never "unknown keyword")', (t) => {
  const entries = POLICY.filter((p) => p.status !== 'implemented' && reachable(p.block));
  t.true(entries.length > 150);
  for (const p of entries) {
    const parts = p.block === 'top' ? [] : p.block.split('/');
    // global_defs first: format detection (load.ts) needs a keepalived block to recognise the file
    const text = `global_defs {\n}\n${parts.map((b) => `${b} ${NAMED[b] ?? ''} {\n`).join('')}${p.keyword}${ARGS[p.args ?? 'any'] ?? ''}\n${'}\n'.repeat(parts.length)}`;
    const r = report(text);
    const line = `k.conf:${parts.length + 3}:1: `;
    const want = p.status === 'warned' ? `${line}${p.keyword} is ignored: ${p.why ?? ''}` : `${line}keepalived's ${p.keyword} is not supported by lvsd: ${p.why ?? ''}`;
    const got = [...r.errors, ...r.warnings];
    t.true(got.includes(want), `${p.block} ${p.keyword}:\n${got.join('\n')}`);
    t.false(got.some((g) => g.includes('unknown keyword')), `${p.block} ${p.keyword}:\n${got.join('\n')}`);
  }
});
