/**
 * Hostile and malformed VRRP packets injected into a LAN with two lvsd (master + backup):
 * each is dropped and counted under its reason on both directors (lvsctl vrrp --json),
 * nothing crashes, and no role changes. Priority 200 in the forged adverts: a packet that
 * slipped through would make the master step down. (A *valid* higher-priority advert does
 * cause a transition: that is protocol behaviour, tested in failover tests, not here.)
 */
import test from 'ava';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { addresses, makeLan, startIn } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { REPO, roleOf, startLvsd, tempDir, vrrpStatus, type Director, type VrrpStatus } from './lvsd-harness.js';
import { expectedGarbageDrops, garbage, hostileCases, strangerCases, type HostileSetup } from './kp-hostile-packets.js';

const INJECT = join(REPO, 'dist/test/fixtures/inject-vrrp.js');
const PER_CASE = 5;

const setupFor = (src: string): HostileSetup => ({
  src,
  v3: { name: 'VI_3', vrid: 61, vip: '192.0.2.10', intervalCs: 10 },
  v2: { name: 'VI_2', vrid: 62, vip: '192.0.2.20', intervalCs: 100, pass: 'sekret12' },
  strangerVrid: 199,
});

function config(s: HostileSetup, priority: number): string {
  return [
    'vrrp_instance VI_3 {', '    state BACKUP', '    interface eth0', `    virtual_router_id ${s.v3.vrid}`, `    priority ${priority}`,
    '    advert_int 0.1', '    version 3', '    virtual_ipaddress {', `        ${s.v3.vip}/24`, '    }', '}',
    'vrrp_instance VI_2 {', '    state BACKUP', '    interface eth0', `    virtual_router_id ${s.v2.vrid}`, `    priority ${priority}`,
    '    advert_int 1', '    version 2', '    authentication {', '        auth_type PASS', `        auth_pass ${s.v2.pass}`, '    }',
    '    virtual_ipaddress {', `        ${s.v2.vip}/24`, '    }', '}', '',
  ].join('\n');
}

type Drops = Record<string, Record<string, number>>; // instance → reason → count
const dropsOf = (st: readonly VrrpStatus[]): Drops => Object.fromEntries(st.map((i) => [i.name, { ...i.drops }]));
const total = (d: Drops): number => Object.values(d).reduce((n, r) => n + Object.values(r).reduce((a, b) => a + b, 0), 0);

/** Per instance and reason: after − before, zeros left out. */
function delta(before: Drops, after: Drops): Drops {
  const out: Drops = {};
  for (const [inst, reasons] of Object.entries(after)) {
    for (const [r, n] of Object.entries(reasons)) {
      const d = n - (before[inst]?.[r] ?? 0);
      if (d !== 0) (out[inst] ??= {})[r] = d;
    }
  }
  return out;
}

async function inject(t: Parameters<typeof makeLan>[0], ns: string, dir: string, name: string, packets: ReadonlyArray<{ ttl: number; payload: Buffer }>, gapMs = 0): Promise<void> {
  const spec = join(dir, `${name}.json`);
  writeFileSync(spec, JSON.stringify({ ifname: 'eth0', family: 4, dst: '224.0.0.18', gapMs, packets: packets.map((p) => ({ ttl: p.ttl, hex: p.payload.toString('hex') })) }));
  const p = startIn(t, ns, process.execPath, [INJECT, spec]);
  const code = await p.exited;
  if (code !== 0) throw new Error(`injector ${name} exited ${code}: ${p.stderr.join('')} ${JSON.stringify(p.lines)}`);
}

const roleLines = (d: Director): number => d.lines.filter((l) => l.event === 'vrrp.role').length;

test('hostile packets are dropped under their reason on both directors; no crash, no role change', async (t) => {
  const lan = makeLan(t, ['a', 'b', 'x']);
  const dir = tempDir(t);
  const s = setupFor(lan.ip4.x!);
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: config(s, 150) });
  const b = startLvsd(t, { ns: lan.ns.b!, name: 'b', dir, config: config(s, 100) });
  const stable = (): boolean => ['VI_3', 'VI_2'].every((i) => roleOf(a, i) === 'MASTER' && roleOf(b, i) === 'BACKUP');
  await waitUntil(stable, 'a MASTER and b BACKUP for both instances', 15_000, 50);
  await stillTrue(stable, 'a MASTER and b BACKUP for both instances (the election is over)', 1000, 50);
  const rolesBefore = [roleLines(a), roleLines(b)];
  const dirs: Array<[Director, string]> = [[a, lan.ns.a!], [b, lan.ns.b!]];
  for (const [d, ns] of dirs) t.deepEqual(dropsOf(vrrpStatus(d, ns)), { VI_3: {}, VI_2: {} }, `${d.name}: no drops between the two directors`);

  // One table of (director, case) → drops delta, compared at the end so one wrong reason
  // does not hide the rest (the garbage, crash and role checks still run).
  const gotTable: Record<string, Drops> = {};
  const wantTable: Record<string, Drops> = {};
  for (const c of hostileCases(s)) {
    const before = dirs.map(([d, ns]) => dropsOf(vrrpStatus(d, ns)));
    await inject(t, lan.ns.x!, dir, c.name.replace(/\W+/g, '-'), Array.from({ length: PER_CASE }, () => c));
    const want: Drops = Object.fromEntries(Object.entries(c.expect).map(([inst, reason]) => [inst, { [reason]: PER_CASE }]));
    for (const [i, [d, ns]] of dirs.entries()) {
      let got: Drops = {};
      await waitUntil(() => total(got = delta(before[i]!, dropsOf(vrrpStatus(d, ns)))) >= total(want), `${d.name}: ${c.name} counted`, 3000, 50)
        .catch(() => undefined);
      gotTable[`${d.name}: ${c.name}`] = got;
      wantTable[`${d.name}: ${c.name}`] = want;
    }
  }

  const junk = garbage(1000);
  const before = dirs.map(([d, ns]) => total(dropsOf(vrrpStatus(d, ns))));
  await inject(t, lan.ns.x!, dir, 'garbage', junk.map((payload) => ({ ttl: 255, payload })), 1);
  const want = expectedGarbageDrops(junk, [s.v3.vrid, s.v2.vrid]);
  for (const [i, [d, ns]] of dirs.entries()) {
    let got = 0;
    await waitUntil(() => (got = total(dropsOf(vrrpStatus(d, ns))) - before[i]!) >= want, `${d.name}: garbage counted`, 5000, 100).catch(() => undefined);
    t.is(got, want, `${d.name}: every garbage packet dropped and counted once per receiving instance`);
  }

  const alive = (): boolean => a.child.exitCode === null && b.child.exitCode === null;
  await t.notThrowsAsync(stillTrue(() => alive() && stable(), 'both directors running, roles unchanged, after the hostile traffic', 500, 50));
  t.is(a.child.exitCode, null, 'master still running');
  t.is(b.child.exitCode, null, 'backup still running');
  t.deepEqual([roleLines(a), roleLines(b)], rolesBefore, 'no vrrp.role line after the election');
  t.true(stable(), 'master stays master, backup stays backup');
  t.true(addresses(lan.ns.a!).includes(s.v3.vip) && addresses(lan.ns.a!).includes(s.v2.vip), 'VIPs stay on the master');
  t.false(addresses(lan.ns.b!).includes(s.v3.vip) || addresses(lan.ns.b!).includes(s.v2.vip), 'backup holds no VIP');
  for (const [d, ns] of dirs) {
    const st = vrrpStatus(d, ns);
    t.true(st.every((i) => i.advertsSent + i.advertsReceived > 0), `${d.name}: adverts still flowing`);
  }
  t.deepEqual(gotTable, wantTable, 'each hostile case counted under its reason (per director: instance → reason → count)');
});

test('adverts for a VRID nobody has, of either version, count as vrid on every instance', async (t) => {
  const lan = makeLan(t, ['a', 'x']);
  const dir = tempDir(t);
  const s = setupFor(lan.ip4.x!);
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: config(s, 150) });
  await waitUntil(() => roleOf(a, 'VI_3') === 'MASTER' && roleOf(a, 'VI_2') === 'MASTER', 'a MASTER for both instances', 15_000, 50);
  const before = dropsOf(vrrpStatus(a, lan.ns.a!));
  const cases = strangerCases(s);
  await inject(t, lan.ns.x!, dir, 'strangers', cases.flatMap((c) => Array.from({ length: PER_CASE }, () => c)));
  const want: Drops = { VI_3: { vrid: PER_CASE * cases.length }, VI_2: { vrid: PER_CASE * cases.length } };
  let got: Drops = {};
  await waitUntil(() => total(got = delta(before, dropsOf(vrrpStatus(a, lan.ns.a!)))) >= total(want), 'strangers counted', 3000, 50).catch(() => undefined);
  t.deepEqual(got, want, 'the VRID is checked before the version (a packet that is not for us is not a version error)');
  t.is(a.child.exitCode, null);
});
