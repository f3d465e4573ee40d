/**
 * keepalived's master-side options (vrrp.c vrrp_state_master_rx, 2.2.7) in the pure machine,
 * under fake time: lower_prio_no_advert, higher_prio_send_advert, and the re-announce request
 * that garp_lower_prio_repeat acts on.
 */
import test from 'ava';
import { initialState, step, type Input, type InstanceState, type MachineConfig, type Output } from './machine.js';

const base: MachineConfig = { version: 3, priority: 150, advertIntervalCs: 100, preempt: true, preemptDelayUs: 0, localAddress: '10.0.0.2' };

/** Startup, then the master-down timer fires: a MASTER at 4 s; `rest` follows. Returns the outputs of `rest`. */
function asMaster(cfg: MachineConfig, rest: readonly Input[]): { s: InstanceState; out: Output[] } {
  let s = initialState(cfg);
  s = step(s, { kind: 'startup', at: 0 }).s;
  s = step(s, { kind: 'timer', at: s.timerAt ?? 0, lateUs: 0 }).s;
  const out: Output[] = [];
  for (const i of rest) {
    const r = step(s, i);
    s = r.s;
    out.push(...r.out);
  }
  return { s, out };
}

const advert = (priority: number, from = '10.0.0.9'): Input => ({ kind: 'advert', at: 5_000_000, from, priority, intervalCs: 100 });

test('lower-priority advert: by default an advert and a re-announce; with lower_prio_no_advert only the re-announce', (t) => {
  t.deepEqual(asMaster(base, [advert(100)]).out, [{ kind: 'send', priority: 150 }, { kind: 'announce' }]);
  const quiet = asMaster({ ...base, lowerPrioNoAdvert: true }, [advert(100)]);
  t.is(quiet.s.role, 'MASTER');
  t.deepEqual(quiet.out, [{ kind: 'announce' }]);
});

test('equal priority from a lower address counts as lower; our own looped-back advert is ignored', (t) => {
  t.deepEqual(asMaster(base, [advert(150, '10.0.0.1')]).out, [{ kind: 'send', priority: 150 }, { kind: 'announce' }]);
  t.deepEqual(asMaster(base, [advert(150, '10.0.0.2')]).out, []);
});

test('higher-priority advert: by default straight to BACKUP; with higher_prio_send_advert one advert at our priority first', (t) => {
  const plain = asMaster(base, [advert(200)]);
  t.is(plain.s.role, 'BACKUP');
  t.false(plain.out.some((o) => o.kind === 'send'));
  const loud = asMaster({ ...base, higherPrioSendAdvert: true }, [advert(200)]);
  t.is(loud.s.role, 'BACKUP');
  t.deepEqual(loud.out[0], { kind: 'send', priority: 150 });
  t.like(loud.out.at(-1), { kind: 'role', role: 'BACKUP' });
  const tie = asMaster({ ...base, higherPrioSendAdvert: true }, [advert(150, '10.0.0.3')]);
  t.deepEqual(tie.out[0], { kind: 'send', priority: 150 }, 'an equal priority from a higher address counts as higher');
});

test('a backup hearing a lower-priority advert neither sends nor re-announces', (t) => {
  let s = step(initialState(base), { kind: 'startup', at: 0 }).s;
  const r = step(s, { kind: 'advert', at: 10, from: '10.0.0.9', priority: 100, intervalCs: 100 });
  s = r.s;
  t.is(s.role, 'BACKUP');
  t.deepEqual(r.out, []);
});
