import test from 'ava';
import { masterDownUs, skewUs } from './intervals.js';
import { base, feed, Lan, S } from './machine.fixture.js';
import { initialState, step, type Input, type MachineConfig } from './machine.js';
import type { Us } from '../clock.js';

// ------------------------------------------------------------------ timer values

test('startup arms the down timer at 3×interval+skew: 1 s, 100 ms, 20 ms, 10 ms', (t) => {
  for (const cs of [100, 10, 2, 1]) {
    const { s, out } = feed({ ...base, advertIntervalCs: cs }, [{ kind: 'startup', at: 5 * S }]);
    t.is(s.role, 'BACKUP');
    t.deepEqual(out, [{ kind: 'arm', at: 5 * S + masterDownUs(3, 100, cs) }, { kind: 'role', role: 'BACKUP', reason: 'startup' }]);
  }
});

test('v2 sub-second config runs on 1 s (keepalived rounds up)', (t) => {
  const { out } = feed({ ...base, version: 2, advertIntervalCs: 20 }, [{ kind: 'startup', at: 0 }]);
  t.deepEqual(out[0], { kind: 'arm', at: 3_609_375 });
});

// ------------------------------------------------------------------ election

test('election: the higher priority becomes master first and the other stays backup', (t) => {
  const lan = new Lan();
  const a = lan.add('a', { priority: 200, localAddress: '10.0.0.2' });
  const b = lan.add('b', { priority: 100, localAddress: '10.0.0.3' });
  lan.input(a, { kind: 'startup', at: 0 });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(20 * S);
  t.is(lan.role(a), 'MASTER');
  t.is(lan.role(b), 'BACKUP');
  t.deepEqual(lan.becameMaster('a').map((x) => x.at), [masterDownUs(3, 200, 100)]);
  t.deepEqual(lan.becameMaster('b'), []);
  t.is(b.s.masterAddress, '10.0.0.2');
});

test('owner (255) goes straight to MASTER at startup', (t) => {
  const { s, out } = feed({ ...base, priority: 255 }, [{ kind: 'startup', at: 7 }]);
  t.is(s.role, 'MASTER');
  t.deepEqual(out, [
    { kind: 'send', priority: 255 }, { kind: 'arm', at: 7 + S },
    { kind: 'role', role: 'MASTER', reason: 'startup as address owner (priority 255)' },
  ]);
});

test('state MASTER hint with priority < 255 still enters BACKUP for the full down interval (keepalived 2.2.7)', (t) => {
  const { s, out } = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }]);
  t.is(s.role, 'BACKUP');
  t.deepEqual(out[0], { kind: 'arm', at: masterDownUs(3, 100, 100) });
});

test('startup holding its VIPs (restarted while master): BACKUP for one interval + skew only; no advert: MASTER; an advert: the full timer as usual', (t) => {
  const wait = 100 * 10_000 + skewUs(3, 100, 100);
  const { s: st, out } = feed(base, [{ kind: 'startup', at: 7, held: true }]);
  t.is(st.role, 'BACKUP');
  t.deepEqual(out, [{ kind: 'arm', at: 7 + wait }, { kind: 'role', role: 'BACKUP', reason: 'startup holding its VIPs: master unless an advert comes within one interval' }]);
  t.is(feed(base, [{ kind: 'startup', at: 7, held: true }, { kind: 'timer', at: 7 + wait, lateUs: 0 }]).s.role, 'MASTER', 'no advert within the wait');
  const heard = feed({ ...base, preempt: false }, [{ kind: 'startup', at: 7, held: true }, { kind: 'advert', at: 7 + S / 2, from: '10.0.0.9', priority: 50, intervalCs: 100 }]);
  t.is(heard.s.role, 'BACKUP');
  t.is(heard.s.timerAt, 7 + S / 2 + masterDownUs(3, 100, 100), 'a master heard (nopreempt): the full down timer');
  t.is(feed(base, [{ kind: 'startup', at: 7, held: false }]).s.timerAt, 7 + masterDownUs(3, 100, 100), 'nothing held: the full wait');
});

test('restarted master holding its VIPs after the backup took over: the adverts settle it, the higher priority keeps MASTER', (t) => {
  const lan = new Lan();
  const a = lan.add('a', { priority: 200, localAddress: '10.0.0.2' });
  const b = lan.add('b', { priority: 100, localAddress: '10.0.0.3' });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(10 * S);
  t.is(lan.role(b), 'MASTER');
  lan.input(a, { kind: 'startup', at: 10 * S, held: true });
  lan.run(20 * S);
  t.is(lan.role(a), 'MASTER');
  t.is(lan.role(b), 'BACKUP');
});

test('kill -9 of the master: the backup takes over 3×interval+skew after the last advert', (t) => {
  const lan = new Lan();
  const a = lan.add('a', { priority: 200, advertIntervalCs: 2, localAddress: '10.0.0.2' });
  const b = lan.add('b', { priority: 100, advertIntervalCs: 2, localAddress: '10.0.0.3' });
  lan.input(a, { kind: 'startup', at: 0 });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(1 * S);
  const lastAdvert = Math.max(...lan.sent.filter((x) => x.node === 'a').map((x) => x.at));
  lan.crash(a);
  lan.run(2 * S);
  t.deepEqual(lan.becameMaster('b').map((x) => x.at), [lastAdvert + 100 + masterDownUs(3, 100, 2)]);
});

// ------------------------------------------------------------------ preemption

function lowerMasterThenHigher(cfgA: Partial<MachineConfig>): { lan: Lan; startA: Us } {
  const lan = new Lan();
  const a = lan.add('a', { priority: 200, localAddress: '10.0.0.2', ...cfgA });
  const b = lan.add('b', { priority: 100, localAddress: '10.0.0.3' });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(10 * S);
  const startA = 10 * S + 300_000;
  lan.run(startA);
  lan.input(a, { kind: 'startup', at: startA });
  lan.run(60 * S);
  return { lan, startA };
}

test('preempt: a higher-priority router joining takes over when its down timer expires', (t) => {
  const { lan, startA } = lowerMasterThenHigher({});
  t.deepEqual(lan.becameMaster('a').map((x) => x.at), [startA + masterDownUs(3, 200, 100)]);
  t.is(lan.nodes[1]?.s.role, 'BACKUP');
  t.is(lan.log.filter((x) => x.node === 'b' && x.role === 'BACKUP').at(-1)?.reason, 'higher priority advert');
});

test('nopreempt: a higher-priority backup never takes over from a live lower-priority master', (t) => {
  const { lan } = lowerMasterThenHigher({ preempt: false });
  t.deepEqual(lan.becameMaster('a'), []);
  t.is(lan.nodes[1]?.s.role, 'MASTER');
});

test('preempt_delay: takeover ≈ delay + down interval after the lower master is first seen', (t) => {
  const delayUs = 2 * S;
  const { lan, startA } = lowerMasterThenHigher({ preemptDelayUs: delayUs });
  const firstSeen = lan.sent.find((x) => x.node === 'b' && x.at + 100 >= startA)?.at ?? 0;
  const took = lan.becameMaster('a')[0]?.at ?? 0;
  const down = masterDownUs(3, 200, 100);
  t.true(took > startA + down, 'later than without the delay');
  t.true(took >= firstSeen + delayUs + down - S && took <= firstSeen + delayUs + down + 100, `took ${took}`);
  t.is(lan.nodes[1]?.s.role, 'BACKUP');
});

test('preempt_delay is cancelled by an advert of higher or equal priority', (t) => {
  const cfg = { ...base, priority: 200, preemptDelayUs: 2 * S };
  const { s } = feed(cfg, [
    { kind: 'startup', at: 0 },
    { kind: 'advert', at: 1 * S, from: '10.0.0.3', priority: 100, intervalCs: 100 },
  ]);
  t.is(s.preemptAt, 3 * S);
  const r = step(s, { kind: 'advert', at: 1.5 * S, from: '10.0.0.4', priority: 250, intervalCs: 100 });
  t.is(r.s.preemptAt, null);
});

// ------------------------------------------------------------------ priority 0, ties, learning

test('graceful stop: master sends priority 0; the backup takes over after Skew_Time', (t) => {
  const lan = new Lan();
  const a = lan.add('a', { priority: 200, localAddress: '10.0.0.2' });
  const b = lan.add('b', { priority: 100, localAddress: '10.0.0.3' });
  lan.input(a, { kind: 'startup', at: 0 });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(10 * S);
  const before = lan.sent.length;
  lan.input(a, { kind: 'shutdown', at: 10 * S });
  t.deepEqual(lan.sent.slice(before), [{ at: 10 * S, node: 'a', priority: 0 }]);
  t.is(a.s.role, 'INIT');
  t.is(a.timerAt, null);
  lan.run(20 * S);
  t.deepEqual(lan.becameMaster('b').map((x) => x.at), [10 * S + 100 + skewUs(3, 100, 100)]);
});

test('master receiving priority 0 re-asserts at once and resets its Adver_Timer', (t) => {
  const { out } = feed({ ...base, priority: 255 }, [
    { kind: 'startup', at: 0 }, { kind: 'advert', at: 400_000, from: '10.0.0.9', priority: 0, intervalCs: 100 },
  ]);
  t.deepEqual(out.slice(3), [{ kind: 'send', priority: 255 }, { kind: 'arm', at: 1_400_000 }]);
});

test('master receiving a lower-priority advert sends an advert immediately (RFC 9568) and re-announces (keepalived)', (t) => {
  const { s, out } = feed({ ...base, priority: 255 }, [
    { kind: 'startup', at: 0 }, { kind: 'advert', at: 10, from: '10.0.0.9', priority: 100, intervalCs: 100 },
  ]);
  t.is(s.role, 'MASTER');
  t.deepEqual(out.slice(3), [{ kind: 'send', priority: 255 }, { kind: 'announce' }]);
});

function tie(addrA: string, addrB: string): Lan {
  const lan = new Lan();
  const a = lan.add('a', { localAddress: addrA });
  const b = lan.add('b', { localAddress: addrB });
  lan.input(a, { kind: 'startup', at: 0 });
  lan.input(b, { kind: 'startup', at: 0 });
  lan.run(20 * S);
  return lan;
}

test('equal priority: the higher primary address wins, both ways, IPv4 (network byte order)', (t) => {
  const l1 = tie('10.0.0.10', '10.0.0.9');
  t.deepEqual(l1.nodes.map((n) => n.s.role), ['MASTER', 'BACKUP']);
  t.is(l1.log.find((x) => x.node === 'b' && x.role === 'BACKUP' && x.at > 0)?.reason, 'equal priority advert from higher address');
  const l2 = tie('10.0.0.9', '10.0.0.10');
  t.deepEqual(l2.nodes.map((n) => n.s.role), ['BACKUP', 'MASTER']);
});

test('equal priority: the higher primary address wins, both ways, IPv6', (t) => {
  t.deepEqual(tie('fe80::1:0', 'fe80::ffff').nodes.map((n) => n.s.role), ['MASTER', 'BACKUP']);
  t.deepEqual(tie('fe80::ffff', 'fe80::1:0').nodes.map((n) => n.s.role), ['BACKUP', 'MASTER']);
});

test('v3 backup learns the master\'s interval; v2 does not', (t) => {
  const adv: Input = { kind: 'advert', at: S, from: '10.0.0.9', priority: 200, intervalCs: 10 };
  const v3 = feed(base, [{ kind: 'startup', at: 0 }, adv]);
  t.is(v3.s.masterAdverIntervalCs, 10);
  t.deepEqual(v3.out.at(-1), { kind: 'arm', at: S + masterDownUs(3, 100, 10) });
  const v2 = feed({ ...base, version: 2 }, [{ kind: 'startup', at: 0 }, adv]);
  t.is(v2.s.masterAdverIntervalCs, 100);
  t.deepEqual(v2.out.at(-1), { kind: 'arm', at: S + masterDownUs(2, 100, 100) });
});

test('a v3 master stepping down adopts the new master\'s interval', (t) => {
  const m = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }, { kind: 'timer', at: masterDownUs(3, 100, 100), lateUs: 0 }]);
  t.is(m.s.role, 'MASTER');
  const r = step(m.s, { kind: 'advert', at: 5 * S, from: '10.0.0.9', priority: 150, intervalCs: 5 });
  t.is(r.s.role, 'BACKUP');
  t.is(r.s.masterAdverIntervalCs, 5);
  t.deepEqual(r.out[0], { kind: 'arm', at: 5 * S + masterDownUs(3, 100, 5) });
});

// ------------------------------------------------------------------ stale timer

test('stale down timer (> interval/2 late) is deferred once by one interval, with no role change', (t) => {
  const { s } = feed(base, [{ kind: 'startup', at: 0 }]);
  const due = s.timerAt ?? 0;
  const late = step(s, { kind: 'timer', at: due + 600_000, lateUs: 600_000 });
  t.deepEqual(late.out, [{ kind: 'arm', at: due + 600_000 + S }]);
  t.is(late.s.role, 'BACKUP');
  t.is(late.s.staleDeferrals, 1);
  t.is(late.s.staleDeferralsTotal, 1);
  // The next firing takes over even if it is late again.
  const again = step(late.s, { kind: 'timer', at: due + 2 * S, lateUs: 400_000 });
  t.is(again.s.role, 'MASTER');
  t.deepEqual(again.out.at(-1), { kind: 'role', role: 'MASTER', reason: 'master down (after stale-timer deferral)' });
  t.is(again.s.staleDeferrals, 0);
});

test('stale deferral: an advert read meanwhile keeps us BACKUP; an on-time firing takes over at once', (t) => {
  const { s } = feed(base, [{ kind: 'startup', at: 0 }]);
  const due = s.timerAt ?? 0;
  const late = step(s, { kind: 'timer', at: due + 700_000, lateUs: 700_000 });
  const adv = step(late.s, { kind: 'advert', at: due + 700_100, from: '10.0.0.9', priority: 200, intervalCs: 100 });
  t.is(adv.s.role, 'BACKUP');
  t.is(adv.s.staleDeferrals, 0);
  const onTime = step(s, { kind: 'timer', at: due + 500_000, lateUs: 500_000 }); // exactly half: not stale
  t.is(onTime.s.role, 'MASTER');
});

test('a timer input when nothing is armed, or well before the deadline, does nothing', (t) => {
  const init = initialState(base);
  t.deepEqual(step(init, { kind: 'timer', at: 0, lateUs: 0 }).out, []);
  const { s } = feed(base, [{ kind: 'startup', at: 0 }]);
  t.deepEqual(step(s, { kind: 'timer', at: S, lateUs: 0 }).out, []);
});

// ------------------------------------------------------------------ fault

test('fault: master sends priority 0 and goes FAULT; adverts are ignored; clear → BACKUP with a fresh timer', (t) => {
  const { s } = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }, { kind: 'timer', at: masterDownUs(3, 100, 100), lateUs: 0 }]);
  const f = step(s, { kind: 'fault', at: 5 * S, reason: 'track_interface eth1 down' });
  t.deepEqual(f.out, [{ kind: 'send', priority: 0 }, { kind: 'disarm' }, { kind: 'role', role: 'FAULT', reason: 'track_interface eth1 down' }]);
  t.deepEqual(step(f.s, { kind: 'advert', at: 6 * S, from: '10.0.0.9', priority: 1, intervalCs: 100 }).out, []);
  t.deepEqual(step(f.s, { kind: 'startup', at: 6 * S }).out, []);
  const c = step(f.s, { kind: 'fault-clear', at: 7 * S });
  t.deepEqual(c.out, [{ kind: 'arm', at: 7 * S + masterDownUs(3, 100, 100) }, { kind: 'role', role: 'BACKUP', reason: 'fault cleared' }]);
});

test('set-priority: a master advertises the new priority at once; backups recompute on the next advert', (t) => {
  const m = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }, { kind: 'timer', at: masterDownUs(3, 100, 100), lateUs: 0 }]);
  const r = step(m.s, { kind: 'set-priority', at: 5 * S, priority: 50 });
  t.deepEqual(r.out, [{ kind: 'send', priority: 50 }]);
  const b = feed(base, [{ kind: 'startup', at: 0 }, { kind: 'set-priority', at: 1, priority: 1 }, { kind: 'advert', at: S, from: '10.0.0.9', priority: 200, intervalCs: 100 }]);
  t.deepEqual(b.out.at(-1), { kind: 'arm', at: S + masterDownUs(3, 1, 100) });
  const owner = feed({ ...base, priority: 255 }, [{ kind: 'startup', at: 0 }, { kind: 'set-priority', at: 1, priority: 10 }]);
  t.is(owner.s.priority, 255, 'owner priority cannot be lowered');
  t.is(owner.out.length, 3);
});

test('set-priority in BACKUP moves the running down timer by the change of Skew_Time (keepalived)', (t) => {
  const b = feed(base, [{ kind: 'startup', at: 0 }, { kind: 'advert', at: S, from: '10.0.0.9', priority: 200, intervalCs: 100 }]);
  const before = b.s.timerAt ?? 0;
  t.is(before, S + masterDownUs(3, 100, 100));
  const r = step(b.s, { kind: 'set-priority', at: 2 * S, priority: 150 });
  const moved = before - (skewUs(3, 100, 100) - skewUs(3, 150, 100));
  t.deepEqual(r.out, [{ kind: 'arm', at: moved }]);
  t.is(r.s.timerAt, moved);
  const f = feed(base, [{ kind: 'fault', at: 0, reason: 'x' }, { kind: 'set-priority', at: 1, priority: 90 }]);
  t.is(f.s.priority, 90, 'kept while in FAULT, for when it clears');
  t.is(f.out.length, 1);
});

test('fault before startup: stays FAULT through startup; clear starts it as BACKUP', (t) => {
  const { s, out } = feed(base, [{ kind: 'fault', at: 0, reason: 'eth0 down' }, { kind: 'startup', at: 1 }]);
  t.is(s.role, 'FAULT');
  t.deepEqual(out, [{ kind: 'role', role: 'FAULT', reason: 'eth0 down' }]);
  const c = step(s, { kind: 'fault-clear', at: 2 });
  t.is(c.s.role, 'BACKUP');
  t.deepEqual(c.out[0], { kind: 'arm', at: 2 + masterDownUs(3, 100, 100) });
});

test('a master re-arms its Adver_Timer from the deadline, so late firings do not add up', (t) => {
  const down = masterDownUs(3, 100, 100);
  let s = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }, { kind: 'timer', at: down, lateUs: 0 }]).s;
  t.is(s.role, 'MASTER');
  const deadlines: Us[] = [];
  for (let k = 0; k < 5; k++) {
    const due = s.timerAt!;
    deadlines.push(due);
    const r = step(s, { kind: 'timer', at: due + 1_300, lateUs: 1_300 }); // every firing 1.3 ms late
    t.deepEqual(r.out, [{ kind: 'send', priority: 100 }, { kind: 'arm', at: due + S }]);
    s = r.s;
  }
  t.deepEqual(deadlines, [1, 2, 3, 4, 5].map((k) => down + k * S), 'one interval apart exactly, 5 firings later');
});

test('a master whose advert timer fired more than an interval late restarts from now (no burst)', (t) => {
  const down = masterDownUs(3, 100, 100);
  const s = feed({ ...base, initialState: 'MASTER' }, [{ kind: 'startup', at: 0 }, { kind: 'timer', at: down, lateUs: 0 }]).s;
  const due = s.timerAt!;
  const late = due + S + 250_000;
  const r = step(s, { kind: 'timer', at: late, lateUs: late - due });
  t.deepEqual(r.out, [{ kind: 'send', priority: 100 }, { kind: 'arm', at: late + S }]);
});
