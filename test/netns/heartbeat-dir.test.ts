/**
 * A heartbeat directory for two directors (issue 10 item 6, namespaces on the host: VRRP only,
 * no IPVS): both lvsd read the SAME ha.cf / haresources / authkeys (`lvsd --ha-dir`), each in
 * its own UTS namespace as node lb1 or lb2 (ha-dir-harness.ts).
 *   - election: exactly one master (haresources' preferred node lb1) holds the VIP;
 *   - kill -9 of the master: lb2 takes the VIP within ha.cf's deadtime; with auto_failback on,
 *     the restarted lb1 takes it back;
 *   - TERM of the master hands over at once and releases the VIP;
 *   - auto_failback off: a restarted lb1 leaves the VIP where it is.
 */
import test, { type ExecutionContext } from 'ava';
import { makeLan } from './topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { roleOf, tempDir } from './lvsd-harness.js';
import { holdsVip, INSTANCE, masterDownMs, startHaLvsd, utsNamespace, writeHaDir, type HaDirector, type HaTiming } from './ha-dir-harness.js';

const VIP = '198.51.100.100';
const TIMING: HaTiming = { keepaliveS: 1, deadtimeS: 4, autoFailback: true };
/** lb2's priority (the second node of ha.cf for a group preferred on lb1); lb1 has 200. */
const LB2_PRIORITY = 100;

interface Pair {
  readonly ns: { lb1: string; lb2: string };
  readonly uts: { lb1: string; lb2: string };
  readonly haDir: string;
  readonly dir: string;
  readonly lb1: HaDirector;
  readonly lb2: HaDirector;
}

function startPair(t: ExecutionContext, timing: HaTiming = TIMING): Pair {
  const lan = makeLan(t, ['lb1', 'lb2']);
  const dir = tempDir(t);
  const haDir = writeHaDir(dir, VIP, timing);
  const ns = { lb1: lan.ns.lb1!, lb2: lan.ns.lb2! };
  const uts = { lb1: utsNamespace(t, dir, 'lb1'), lb2: utsNamespace(t, dir, 'lb2') };
  const lb1 = startHaLvsd(t, { ns: ns.lb1, uts: uts.lb1, haDir, node: 'lb1', dir });
  const lb2 = startHaLvsd(t, { ns: ns.lb2, uts: uts.lb2, haDir, node: 'lb2', dir });
  return { ns, uts, haDir, dir, lb1, lb2 };
}

/** lb1 MASTER with the VIP, lb2 BACKUP without it, and it stays so for `holdMs`. */
async function lb1Leads(t: ExecutionContext, p: Pair, lb1: HaDirector = p.lb1, holdMs = 1500): Promise<void> {
  const state = (): string => `lb1 ${roleOf(lb1, INSTANCE)} vip=${holdsVip(p.ns.lb1, VIP)}, lb2 ${roleOf(p.lb2, INSTANCE)} vip=${holdsVip(p.ns.lb2, VIP)}`;
  const ok = (): boolean => roleOf(lb1, INSTANCE) === 'MASTER' && roleOf(p.lb2, INSTANCE) === 'BACKUP' && holdsVip(p.ns.lb1, VIP) && !holdsVip(p.ns.lb2, VIP);
  try {
    await waitUntil(ok, 'lb1 MASTER with the VIP, lb2 BACKUP', 20_000, 20);
    await stillTrue(ok, 'one master (lb1) holding the VIP', holdMs);
  } catch (e) {
    t.log(`lb1 log tail: ${JSON.stringify(lb1.lines.slice(-5))} ${lb1.stderr.join('').slice(-500)}`);
    throw new Error(`${(e as Error).message}: ${state()}`);
  }
}

test('both directors from one heartbeat directory elect one master (the preferred node) holding the VIP', async (t) => {
  const p = startPair(t);
  await lb1Leads(t, p);
  const names = (d: HaDirector): unknown[] => d.lines.filter((l) => l.event === 'vrrp.role').map((l) => l.instance);
  t.true(names(p.lb1).every((n) => n === INSTANCE) && names(p.lb2).every((n) => n === INSTANCE), 'one VRRP instance, named after haresources\' line and node');
  t.is(p.lb1.lines.filter((l) => Number(l.level) >= 50).length, 0, 'no errors');
});

test('kill -9 of the master: the other director takes the VIP within deadtime; auto_failback on: lb1 takes it back', async (t) => {
  const p = startPair(t);
  await lb1Leads(t, p);
  p.lb1.kill('SIGKILL');
  const ms = await waitUntil(() => holdsVip(p.ns.lb2, VIP), 'VIP on lb2', 3 * TIMING.deadtimeS * 1000, 5);
  const worst = masterDownMs(TIMING.keepaliveS * 1000, LB2_PRIORITY);
  t.log(`VIP on lb2 ${ms} ms after kill -9 (deadtime ${TIMING.deadtimeS * 1000} ms, VRRP master-down ${worst.toFixed(0)} ms)`);
  t.true(ms <= TIMING.deadtimeS * 1000, `took over after ${ms} ms: over deadtime`);
  t.true(ms >= worst - TIMING.keepaliveS * 1000 - 50, `took over after ${ms} ms: before the master could be missed`);
  await waitUntil(() => roleOf(p.lb2, INSTANCE) === 'MASTER', 'lb2 logs MASTER', 5000);
  const again = startHaLvsd(t, { ns: p.ns.lb1, uts: p.uts.lb1, haDir: p.haDir, node: 'lb1', dir: p.dir, tag: '-again' });
  await lb1Leads(t, p, again);
});

test('TERM of the master hands the VIP over at once and releases it', async (t) => {
  const p = startPair(t);
  await lb1Leads(t, p);
  p.lb1.kill('SIGTERM');
  const ms = await waitUntil(() => holdsVip(p.ns.lb2, VIP), 'VIP on lb2', 10_000, 5);
  t.log(`TERM handover: VIP on lb2 after ${ms} ms (kill -9 needs up to ${masterDownMs(TIMING.keepaliveS * 1000, LB2_PRIORITY).toFixed(0)} ms)`);
  t.true(ms < 1500, `handover took ${ms} ms`);
  t.is(await p.lb1.exited, 0);
  t.false(holdsVip(p.ns.lb1, VIP), 'the stopped director released the VIP');
  await waitUntil(() => roleOf(p.lb2, INSTANCE) === 'MASTER', 'lb2 logs MASTER', 5000);
});

test('auto_failback off: a restarted preferred node does not take the VIP back', async (t) => {
  const p = startPair(t, { ...TIMING, autoFailback: false });
  await lb1Leads(t, p);
  p.lb1.kill('SIGTERM');
  await waitUntil(() => holdsVip(p.ns.lb2, VIP) && roleOf(p.lb2, INSTANCE) === 'MASTER', 'lb2 MASTER with the VIP', 10_000, 10);
  const again = startHaLvsd(t, { ns: p.ns.lb1, uts: p.uts.lb1, haDir: p.haDir, node: 'lb1', dir: p.dir, tag: '-again' });
  await waitUntil(() => roleOf(again, INSTANCE) === 'BACKUP', 'restarted lb1 BACKUP', 20_000, 20);
  await t.notThrowsAsync(stillTrue(() => roleOf(again, INSTANCE) === 'BACKUP' && holdsVip(p.ns.lb2, VIP) && !holdsVip(p.ns.lb1, VIP),
    'lb2 keeps the VIP', 3 * TIMING.keepaliveS * 1000));
});
