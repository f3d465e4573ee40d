import test from 'ava';
import { FakeClock, type Time, type TimerHandle } from '../clock.js';
import { loadConfig } from '../config/index.js';
import type { Config } from '../model/index.js';
import type { VipManager, VipSpec } from '../net/index.js';
import type { FromWorker } from './messages.js';
import type { PoolListener } from './pool.js';
import { VrrpSupervisor, type LinkSource, type TransportSource } from './supervisor.js';
import { LatenessRecorder } from './timers.js';

function config(text: string): Config {
  const r = loadConfig({ path: 'lvsd.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'native' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/**
 * A fake clock whose reading moves on 1 µs per read, so the runner's wait for a master-down
 * deadline (it reads the clock until the deadline) ends; timers run on the fake clock.
 */
class TickingTime implements Time {
  private ticks = 0;
  constructor(readonly fake = new FakeClock()) {}
  nowUs(): number { return this.fake.nowUs() + ++this.ticks; }
  nowMs(): number { return this.fake.nowMs(); }
  setTimer(fn: () => void, delayMs: number): TimerHandle { return this.fake.setTimer(fn, delayMs); }
  clearTimer(h: TimerHandle): void { this.fake.clearTimer(h); }
}

class FakeVips implements VipManager {
  readonly held = new Set<string>();
  /** What list() finds besides: addresses left on the device before this lvsd started. */
  readonly before: VipSpec[] = [];
  async add(v: VipSpec): Promise<'added' | 'present'> { this.held.add(v.address); return 'added'; }
  prepareAdd(): void {}
  async remove(v: VipSpec): Promise<'removed' | 'absent'> { return this.held.delete(v.address) ? 'removed' : 'absent'; }
  async list(dev?: string): Promise<VipSpec[]> { return this.before.filter((v) => dev === undefined || v.dev === dev); }
  async interfaceIndex(): Promise<number> { return 2; }
  async interfacePrimaryAddress(): Promise<string | undefined> { return undefined; }
  close(): void {}
}

function harness(c: Config) {
  const time = new TickingTime();
  const posts: FromWorker[] = [];
  const log: string[] = [];
  const watches = new Map<string, { fault: (why: string) => void; clear: () => void }>();
  const listeners = new Map<string, PoolListener>();
  const transports: TransportSource = {
    acquire: (cfg, l) => { log.push(`acquire ${cfg.name}`); listeners.set(cfg.name, l); return { localAddress: '198.51.100.2', send: () => undefined }; },
    drain: () => [],
    release: (cfg) => { log.push(`release ${cfg.name}`); },
  };
  const links: LinkSource = {
    watch: (cfg, cb) => { watches.set(cfg.name, cb); },
    unwatch: (name) => { watches.delete(name); },
  };
  const vips = new FakeVips();
  const s = new VrrpSupervisor(c.syncGroups, {
    time, post: (m) => posts.push(m), transports, links, vips, announcer: { announce: () => undefined }, lateness: new LatenessRecorder(),
  });
  const roles = (): string[] => posts.flatMap((m) => (m.type === 'role' ? [`${m.instance} ${m.to}`] : m.type === 'group' ? [`group ${m.group} ${m.state}`] : []));
  const link = (name: string) => {
    const w = watches.get(name);
    if (!w) throw new Error(`${name} not watched`);
    return w;
  };
  return { s, time, posts, log, link, vips, roles, listeners };
}

const PAIR = `vrrp VI_1 { interface eth0 ; vrid 1 ; vip 192.0.2.1 ; track-interface eth1 }
vrrp VI_2 { interface eth0 ; vrid 2 ; vip 192.0.2.2 }
sync-group G { members VI_1 VI_2 }
`;
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a tracked link down on one member faults the whole sync group; back up, the group returns', async (t) => {
  const c = config(PAIR);
  const h = harness(c);
  await h.s.start(c.vrrp);
  h.time.fake.advanceMs(1000); // no peer: both become master after Master_Down_Interval
  await settle();
  t.deepEqual(h.roles(), ['VI_1 BACKUP', 'VI_2 BACKUP', 'group G BACKUP', 'VI_1 MASTER', 'VI_2 MASTER', 'group G MASTER']);
  t.deepEqual([...h.vips.held].sort(), ['192.0.2.1', '192.0.2.2']);
  h.posts.length = 0;

  h.link('VI_1').fault('link down: eth1');
  await settle();
  t.deepEqual(h.roles(), ['VI_1 FAULT', 'group G FAULT', 'VI_2 FAULT'], 'the group follows its member at once, the other member is forced');
  const forced = h.posts.find((m) => m.type === 'role' && m.instance === 'VI_2');
  t.like(forced, { reason: 'sync group G: VI_1 in fault' });
  t.deepEqual([...h.vips.held], [], 'the forced member released its VIP too');
  h.posts.length = 0;

  h.link('VI_1').clear();
  h.time.fake.advanceMs(1000);
  await settle();
  t.deepEqual(h.roles().filter((r) => r.startsWith('group')), ['group G BACKUP', 'group G MASTER'], 'both cleared to BACKUP, then both elected');
  t.deepEqual(h.s.snapshot().map((i) => `${i.name} ${i.role}`), ['VI_1 MASTER', 'VI_2 MASTER']);
});

test('a member out of the group after a reload is no longer forced; reload restarts only what changed', async (t) => {
  const c = config(PAIR);
  const h = harness(c);
  await h.s.start(c.vrrp);
  h.time.fake.advanceMs(1000);
  await settle();
  h.log.length = 0;
  const next = config(`vrrp VI_1 { interface eth0 ; vrid 1 ; vip 192.0.2.1 ; track-interface eth1 ; priority 120 }
vrrp VI_3 { interface eth0 ; vrid 3 ; vip 192.0.2.3 }
sync-group G { members VI_1 }
`);
  await h.s.reload(next.vrrp, next.syncGroups);
  t.like(h.posts.find((m) => m.type === 'reloaded'), { added: ['VI_3'], removed: ['VI_2'], changed: ['VI_1'] });
  t.deepEqual(h.log, ['release VI_2', 'acquire VI_3'], 'a priority change is applied in place, without a new socket');
  t.deepEqual(h.s.snapshot().map((i) => `${i.name} ${i.priority.effective}`), ['VI_1 120', 'VI_3 100']);
  h.posts.length = 0;
  h.link('VI_1').fault('link down: eth1');
  t.deepEqual(h.roles(), ['VI_1 FAULT', 'group G FAULT'], 'VI_3 is in no group: left alone');
});

test('a transport-level drop is counted under its reason and posted for the drop log', async (t) => {
  const c = config(PAIR);
  const h = harness(c);
  await h.s.start(c.vrrp);
  h.listeners.get('VI_2')?.drop('rx_truncated', '198.51.100.9');
  h.listeners.get('VI_2')?.drop('ip_header', '198.51.100.9');
  t.deepEqual(h.s.snapshot().map((i) => i.counters.drops), [{}, { rx_truncated: 1, ip_header: 1 }]);
  t.like(h.posts.find((m) => m.type === 'drop'), { type: 'drop', instance: 'VI_2', reason: 'rx_truncated', from: '198.51.100.9' });
});

test('first start: an instance that finds its VIPs in place waits one interval, not three (machine.ts); a prefix of its own or a sync group: the full wait', async (t) => {
  const c = config(`vrrp VI_1 { interface eth0 ; vrid 1 ; vip 192.0.2.1/24 ; advert-interval 1s }
vrrp VI_2 { interface eth0 ; vrid 2 ; vip 192.0.2.2/24 ; advert-interval 1s ; preempt no }
vrrp VI_3 { interface eth0 ; vrid 3 ; vip 192.0.2.3/24 ; advert-interval 1s }
vrrp VI_4 { interface eth0 ; vrid 4 ; vip 192.0.2.4/24 ; advert-interval 1s }
vrrp VI_5 { interface eth0 ; vrid 5 ; vip 192.0.2.5/24 ; advert-interval 1s }
sync-group G { members VI_4 VI_5 }
`);
  const h = harness(c);
  const at = (address: string, prefix = 24): VipSpec => ({ address, family: 4, prefix, dev: 'eth0' });
  h.vips.before.push(at('192.0.2.1'), at('192.0.2.2'), at('192.0.2.3', 32), at('192.0.2.4'), at('192.0.2.5'));
  await h.s.start(c.vrrp);
  await settle();
  const reasons = Object.fromEntries(h.posts.flatMap((m) => (m.type === 'role' ? [[m.instance, m.reason]] : [])));
  const held = 'startup holding its VIPs: master unless an advert comes within one interval';
  t.deepEqual(reasons, { VI_1: held, VI_2: held, VI_3: 'startup', VI_4: 'startup', VI_5: 'startup' });
  h.posts.length = 0;
  h.time.fake.advanceMs(1700); // one 1 s interval + skew (609 ms), not three: no advert came
  await settle();
  t.deepEqual(h.roles().sort(), ['VI_1 MASTER', 'VI_2 MASTER']);
});
