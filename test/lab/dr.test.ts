/**
 * Direct routing end to end in the lab (real ip_vs), one world for the whole file (dr-lab.ts,
 * VRRPv3 adverts every 500 ms). Scenarios, in this order:
 *   - a reload under traffic (SIGHUP, a weight changed): one IPVS edit, no failed request;
 *   - a crash of the master (stopped, link down, kill -9): the backup takes over within the
 *     Master_Down_Interval, the client's gap stays within it, every held connection survives;
 *   - a TERM handover: the same within the skew time.
 * Throughout, :8080 answers come from one real server (its persistence template is synced).
 * The same failover without sync (connections reset) is in sync.test.ts; lvsd restarted on the
 * master, in dr-restart.test.ts (its own world: slower adverts).
 * Bounds are RFC 5798 times plus margins for the emulated CPU, where timers and wake-ups run
 * hundreds of ms late when the host is busy.
 */
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { LVSCTL, roleOf } from '../netns/lvsd-harness.js';
import { nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { PLAIN_PORT, VIP, crasher, linkDown, establishedPorts, masterDownMs, syncStates } from './dr-world.js';
import { monoMs, summarize } from './dr-traffic.js';
import { CALM_GAP_MS, PRIORITY, SLOW, aftermath, applies, checkClient, configOf, heldPorts, labPerFile, recoverA, roleChanges, settled, type DrLab } from './dr-lab.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const ADVERT = '0.5';
/** Emulation margin on a takeover time, and on a client gap (adds the request period and a round trip). */
const TAKEOVER_MARGIN_MS = 1000;
const GAP_MARGIN_MS = 1500;

let lab: DrLab;
const scope = labPerFile(ADVERT, inLab, (l) => { lab = l; });

labTest('round robin on :80 reaches nginx and the Node server; lvsctl status on the master is ipvsadm -L -n', async (t) => {
  t.log(`world ready and settled in ${(lab.setupMs / 1000).toFixed(1)} s`);
  const first = lab.traffic.events.find((e) => e.ev === 'req')?.t0 ?? 0;
  const s = summarize(lab.traffic.events, first, monoMs());
  t.deepEqual(Object.keys(s.servers[PLAIN_PORT] ?? {}).sort(), [lab.w.answers.rs1, lab.w.answers.rs2].sort());
  checkClient(t, lab, s);
  const ns = lab.w.lan.ns.dirA!;
  // the connection counters move with every request: compare the table without them
  const table = (text: string): string => text.replace(/^( +-> \S+ +\S+ +\d+)\s.*$/gm, '$1');
  t.is(table(nsExec(ns, process.execPath, [LVSCTL, 'status'])), table(nsExec(ns, 'ipvsadm', ['-L', '-n'])));
});

labTest('a reload under traffic (SIGHUP, one weight changed) makes one IPVS edit on each director and fails no request', async (t) => {
  await settled(lab);
  const t0 = monoMs();
  const before = [applies(lab.a).length, applies(lab.b).length];
  lab.rs1Weight = 3;
  for (const [d, host] of [[lab.a, 'dirA'], [lab.b, 'dirB']] as const) {
    writeFileSync(d.config, configOf(lab, host, lab.rs1Weight));
    d.kill('SIGHUP');
  }
  await waitUntil(() => applies(lab.a).length > before[0]! && applies(lab.b).length > before[1]!, 'both reloads applied', SLOW, 50);
  for (const d of [lab.a, lab.b]) t.like(applies(d).at(-1), { ops: 1, failed: 0, byKind: { 'edit-dest': 1 } });
  t.regex(nsExec(lab.w.lan.ns.dirA!, 'ipvsadm', ['-S', '-n']), new RegExp(`-a -t ${VIP}:80 -r ${lab.w.lan.ip4.rs1!}:80 -g -w 3`.replaceAll('.', '\\.')));
  const s = await aftermath(lab, t0 - 2000, monoMs());
  checkClient(t, lab, s);
  t.is(s.failed, 0, 'no failed request');
  t.true(s.maxGapMs < CALM_GAP_MS, `longest gap ${s.maxGapMs.toFixed(0)} ms`);
  t.deepEqual(roleChanges(lab.a).filter((r) => r.at > t0), [], 'no role change');
  t.deepEqual(roleChanges(lab.b).filter((r) => r.at > t0), [], 'no role change');
});

labTest('a crash of the master (stopped, link down, kill -9): dirB takes over within the Master_Down_Interval, the client gap stays within it, every held connection survives', async (t) => {
  await settled(lab);
  const pids = [lab.a.child.pid!];
  const cut = await crasher(scope, lab.w.lan.ns.dirA!);
  const t0 = monoMs();
  await cut.crash(pids);
  t.true(linkDown(lab.w.lan.ns.dirA!), 'dirA is off the wire');
  await waitUntil(() => roleOf(lab.b, 'VI_1') === 'MASTER', 'dirB takes over', SLOW, 20);
  const takeover = roleChanges(lab.b).filter((r) => r.to === 'MASTER').at(-1)!.at;
  await waitUntil(() => syncStates(lab.w.lan.ns.dirB!).join() === 'master', 'dirB runs the master sync daemon', SLOW, 100);
  const s = await aftermath(lab, t0 - 2000, takeover);
  const downMs = masterDownMs(ADVERT, PRIORITY.dirB);
  t.log(`takeover ${(takeover - t0).toFixed(0)} ms after the crash (Master_Down_Interval ${downMs.toFixed(0)} ms); client gap ${s.maxGapMs.toFixed(0)} ms`);
  t.true(takeover - t0 <= downMs + TAKEOVER_MARGIN_MS, 'takeover within the Master_Down_Interval + margin');
  t.true(s.maxGapMs <= downMs + GAP_MARGIN_MS, 'client gap within the Master_Down_Interval + margin');
  checkClient(t, lab, s);
  t.deepEqual([...establishedPorts(lab.w, lab.w.lan.ns.dirB!)].filter((p) => heldPorts(lab).includes(p)).sort(), heldPorts(lab).sort(), 'dirB forwards the held connections');
  await recoverA(lab);
});

labTest('a TERM handover: dirB takes over within the skew time of dirA\'s stop, the client gap stays within it, every held connection survives', async (t) => {
  await settled(lab);
  const t0 = monoMs();
  lab.a.kill('SIGTERM');
  await waitUntil(() => roleOf(lab.b, 'VI_1') === 'MASTER', 'dirB takes over', SLOW, 20);
  const takeover = roleChanges(lab.b).filter((r) => r.to === 'MASTER').at(-1)!.at;
  t.is(await lab.a.exited, 0, 'lvsd exits cleanly');
  // from dirA's stop (its priority-0 advert follows at once): the signal's delivery is not VRRP's
  const stopped = lab.a.lines.find((l) => l.event === 'director.stop');
  const stopAt = Date.parse(String(stopped?.time)) - (Date.now() - monoMs()); // pino's ISO time
  const s = await aftermath(lab, t0 - 2000, takeover);
  const skewMs = ((256 - PRIORITY.dirB) * Number(ADVERT) * 1000) / 256;
  t.log(`takeover ${(takeover - stopAt).toFixed(0)} ms after dirA's stop, ${(takeover - t0).toFixed(0)} ms after SIGTERM (skew time ${skewMs.toFixed(0)} ms); client gap ${s.maxGapMs.toFixed(0)} ms`);
  t.true(takeover - stopAt <= skewMs + TAKEOVER_MARGIN_MS, 'takeover within the skew time + margin (the Master_Down_Interval would be 1805 ms)');
  t.true(s.maxGapMs <= skewMs + GAP_MARGIN_MS, 'client gap within the skew time + margin');
  checkClient(t, lab, s);
  // the last scenario: no recovery needed (the after hook removes everything)
});
