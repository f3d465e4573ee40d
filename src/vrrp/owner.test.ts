import test from 'ava';
import { FakeClock } from '../clock.js';
import { deserializeError, KernelError } from '../errors.js';
import { loadConfig } from '../config/index.js';
import type { IpFamily, VrrpInstance } from '../model/index.js';
import type { VipManager, VipSpec } from '../net/index.js';
import type { FromWorker } from './messages.js';
import { Owner, type Announcer } from './owner.js';

function instance(lines: string): VrrpInstance {
  const text = `vrrp VI_1 {\n  interface eth0 ; vrid 51\n${lines}\n}\n`;
  const r = loadConfig({ path: 'lvsd.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'native' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const [i] = r.value.vrrp;
  if (!i) throw new Error('no instance');
  return i;
}

/** A VIP manager that answers at once, as rtnetlink does for an address it can add. */
class FakeVips implements VipManager {
  readonly held = new Set<string>();
  async add(v: VipSpec): Promise<'added' | 'present'> {
    const had = this.held.has(v.address);
    this.held.add(v.address);
    return had ? 'present' : 'added';
  }
  prepareAdd(): void {}
  async remove(v: VipSpec): Promise<'removed' | 'absent'> {
    return this.held.delete(v.address) ? 'removed' : 'absent';
  }
  async list(): Promise<VipSpec[]> { return []; }
  async interfaceIndex(): Promise<number> { return 2; }
  async interfacePrimaryAddress(): Promise<string | undefined> { return undefined; }
  close(): void {}
}

interface Sent { readonly atMs: number; readonly dev: string; readonly address: string; readonly family: IpFamily }

function owner(cfg: VrrpInstance, failOn?: string) {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const posts: FromWorker[] = [];
  const announcer: Announcer = {
    announce: (dev, address, family) => {
      if (address === failOn) {
        throw new KernelError({ op: 'send gratuitous ARP', target: `${address} on ${dev}`, errno: 100, code: 'ENETDOWN', syscall: 'sendto', meaning: 'sendto: network is down' });
      }
      sent.push({ atMs: clock.nowUs() / 1000, dev, address, family });
    },
  };
  const vips = new FakeVips();
  let counted = 0;
  const o = new Owner(cfg, { vips, announcer, time: clock, post: (m) => posts.push(m), ifname: cfg.interface, onAnnounced: () => counted++ });
  return { o, clock, sent, posts, vips, counted: () => counted };
}

/** Lets the VIP requests (promises) settle: the schedule after the takeover burst starts once every VIP is in. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
const times = (s: readonly Sent[]): number[] => s.map((x) => x.atMs);

test('keepalived defaults: 5 gratuitous ARPs at takeover, 5 more garp_master_delay (5 s) later, then none', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24'));
  t.deepEqual(h.sent, [], 'constructing sends nothing');
  h.o.take();
  await settle();
  t.deepEqual(times(h.sent), [0, 0, 0, 0, 0], 'the takeover burst, back to back');
  h.clock.advanceMs(4999);
  t.is(h.sent.length, 5, 'nothing before the delay');
  h.clock.advanceMs(1);
  t.deepEqual(times(h.sent).slice(5), [5000, 5000, 5000, 5000, 5000]);
  h.clock.advanceMs(600_000);
  t.is(h.sent.length, 10, 'no refresh unless configured');
  t.is(h.clock.timerCount, 0);
  t.is(h.counted(), 10);
  t.true(h.sent.every((s) => s.dev === 'eth0' && s.address === '192.0.2.10' && s.family === 4));
  t.like(h.posts[0], { type: 'vip', action: 'added', address: '192.0.2.10', dev: 'eth0', atMs: 1_700_000_000_000 });
});

test('the takeover burst leaves at the end of take()\'s turn, before the kernel answers; the delayed burst waits for every answer', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24'));
  let answer: (() => void) | undefined;
  h.vips.add = (v) => new Promise((resolve) => { answer = () => { h.vips.held.add(v.address); resolve('added'); }; });
  h.o.take();
  t.deepEqual(h.sent, [], 'nothing inside take(): a takeover undone in the same turn announces nothing');
  await Promise.resolve();
  t.deepEqual(times(h.sent), [0, 0, 0, 0, 0], 'sent in the microtask after take()\'s turn, with the add unanswered');
  h.clock.advanceMs(10_000);
  await settle();
  t.is(h.sent.length, 5, 'no delayed burst while the add is unanswered');
  answer!();
  await settle();
  h.clock.advanceMs(5000);
  t.deepEqual(times(h.sent).slice(5), [15_000, 15_000, 15_000, 15_000, 15_000], 'garp_master_delay counted from the answer');
  t.like(h.posts[0], { type: 'vip', action: 'added', address: '192.0.2.10' });
});

test('take(announceNow): the takeover burst leaves inside take(), after the add requests', (t) => {
  const h = owner(instance('  vip 192.0.2.10/24'));
  const sentAtAdd: number[] = [];
  const add = h.vips.add.bind(h.vips);
  h.vips.add = (v) => {
    sentAtAdd.push(h.sent.length);
    return add(v);
  };
  h.o.take(true);
  t.deepEqual(sentAtAdd, [0], 'the add request first');
  t.is(h.sent.length, 5, 'then garp_master_repeat 5, before take() returned');
});

test('repeat, gap, refresh period and refresh repeat follow the settings', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24 ; vip 192.0.2.11/24\n  garp-repeat 2 ; garp-delay 0 ; garp-refresh 30s ; garp-refresh-repeat 3 ; garp-interval 10ms'));
  h.o.take();
  await settle();
  h.clock.advanceMs(10);
  t.deepEqual(h.sent.map((s) => `${s.atMs} ${s.address}`), ['0 192.0.2.10', '0 192.0.2.11', '10 192.0.2.10', '10 192.0.2.11'],
    'garp-repeat 2 spaced by garp-interval; no second burst with garp-delay 0');
  h.clock.advanceMs(29_990 - 1);
  t.is(h.sent.length, 4, 'nothing until the refresh period');
  h.clock.advanceMs(1 + 20);
  t.deepEqual([...new Set(times(h.sent).slice(4))], [30_000, 30_010, 30_020], 'a refresh of garp-refresh-repeat 3 spaced by the gap');
  t.is(h.sent.length, 4 + 6);
  h.clock.advanceMs(30_000);
  t.deepEqual([...new Set(times(h.sent).slice(10))], [60_000, 60_010, 60_020], 'and again every period');
});

test('a takeover released in the same turn announces nothing', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24'));
  h.o.take();
  const released = h.o.release();
  await settle();
  await released;
  h.clock.advanceMs(60_000);
  t.deepEqual(h.sent, []);
  t.is(h.clock.timerCount, 0);
});

test('release stops the schedule at once and removes the VIPs; a later take starts afresh', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24\n  garp-refresh 10s'));
  h.o.take();
  await settle();
  h.clock.advanceMs(1000);
  await h.o.release();
  t.is(h.clock.timerCount, 0, 'no timer left behind');
  t.deepEqual([...h.vips.held], []);
  const before = h.sent.length;
  h.clock.advanceMs(60_000);
  t.is(h.sent.length, before, 'neither the delayed burst nor a refresh after release');
  h.o.take();
  await settle();
  t.is(h.sent.length, before + 5);
});

test('a take in the same turn as a release keeps the VIPs (a backup releasing on its first advert, then taking over)', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24'));
  void h.o.release();
  h.o.take();
  await settle();
  t.deepEqual([...h.vips.held], ['192.0.2.10']);
});

test('an announcement the kernel refuses is reported; the other VIPs are still announced', async (t) => {
  const h = owner(instance('  vip 192.0.2.10/24 ; vip 192.0.2.11/24\n  garp-repeat 1 ; garp-delay 0'), '192.0.2.10');
  h.o.take();
  await settle();
  t.deepEqual(h.sent.map((s) => s.address), ['192.0.2.11']);
  const err = h.posts.find((m) => m.type === 'error');
  t.like(err, { type: 'error', instance: 'VI_1', what: 'announce 192.0.2.10 on eth0', error: { code: 'ENETDOWN', kernel: { errno: 100, op: 'send gratuitous ARP' } } });
  const back = err?.type === 'error' ? deserializeError(structuredClone(err.error)) : undefined;
  t.true(back instanceof KernelError, 'the main thread gets the KernelError back');
  t.like(back, { errno: 100, code: 'ENETDOWN', op: 'send gratuitous ARP', target: '192.0.2.10 on eth0', syscall: 'sendto',
    message: 'send gratuitous ARP 192.0.2.10 on eth0: sendto: network is down (ENETDOWN)' });
});

test('IPv6 VIPs are announced as IPv6 (unsolicited NA), on the device the VIP names', async (t) => {
  const h = owner(instance('  vip 2001:db8::10/64 dev eth1\n  garp-repeat 1 ; garp-delay 0'));
  h.o.take();
  await settle();
  t.deepEqual(h.sent, [{ atMs: 0, dev: 'eth1', address: '2001:db8::10', family: 6 }]);
});

test('virtual_ipaddress_excluded: added, announced and removed with the VIPs, IPv6 in an IPv4 instance too', async (t) => {
  const text = ['vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  garp_master_delay 0', '  virtual_ipaddress {', '    192.0.2.10/24', '  }',
    '  virtual_ipaddress_excluded {', '    192.0.2.11/24', '    2001:db8::11/64', '  }', '}', ''].join('\n');
  const r = loadConfig({ path: 'k.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) return t.fail(JSON.stringify(r.error));
  const [cfg] = r.value.vrrp;
  if (!cfg) return t.fail('no instance');
  t.deepEqual(cfg.vips.map((v) => v.address), ['192.0.2.10'], 'only the VIP is advertised');
  const h = owner(cfg);
  h.o.take();
  await settle();
  t.deepEqual([...h.vips.held], ['192.0.2.10', '192.0.2.11', '2001:db8::11']);
  t.deepEqual(h.sent.slice(0, 3).map((s) => `${s.address} IPv${s.family}`), ['192.0.2.10 IPv4', '192.0.2.11 IPv4', '2001:db8::11 IPv6']);
  await h.o.release();
  t.deepEqual([...h.vips.held], []);
});

test('garp_lower_prio_repeat / garp_lower_prio_delay: a burst when a lower master is heard and one more after the delay; 0 = none', async (t) => {
  const text = (extra: string): string => ['vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  garp_master_delay 0', extra,
    '  virtual_ipaddress {', '    192.0.2.10/24', '  }', '}', ''].join('\n');
  const cfg = (extra: string): VrrpInstance => {
    const r = loadConfig({ path: 'k.conf', text: text(extra), readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
    if (!r.ok || r.value.vrrp[0] === undefined) throw new Error(JSON.stringify(r));
    return r.value.vrrp[0];
  };
  const d = cfg('');
  t.like(d.garp, { lowerPrioRepeat: 5, lowerPrioDelayMs: 5000 }, 'keepalived\'s defaults: the global garp_master_repeat and garp_master_delay');
  const h = owner(cfg('  garp_lower_prio_repeat 2\n  garp_lower_prio_delay 3'));
  h.o.take();
  await settle();
  const takeover = h.sent.length;
  h.clock.advanceMs(1000);
  h.o.reannounce();
  t.deepEqual(times(h.sent.slice(takeover)), [1000, 1000]);
  h.clock.advanceMs(3000);
  t.deepEqual(times(h.sent.slice(takeover)), [1000, 1000, 4000, 4000]);
  const none = owner(cfg('  garp_lower_prio_repeat 0'));
  none.o.take();
  await settle();
  const before = none.sent.length;
  none.o.reannounce();
  none.clock.advanceMs(10_000);
  t.is(none.sent.length, before);
});

test('virtual_routes / virtual_rules: routes then rules once the VIPs are in; on release rules, routes, then the VIPs', async (t) => {
  const text = ['vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  virtual_ipaddress {', '    192.0.2.10/24', '  }',
    '  virtual_routes {', '    src 192.0.2.10 to 203.0.113.0/24 via 192.0.2.1 dev eth0', '    blackhole 198.51.100.0/24 no_track', '  }',
    '  virtual_rules {', '    from 192.0.2.0/24 table 100 priority 100', '  }', '}', ''].join('\n');
  const r = loadConfig({ path: 'k.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok || r.value.vrrp[0] === undefined) return t.fail(JSON.stringify(r));
  const cfg = r.value.vrrp[0];
  const calls: string[] = [];
  const vips = new FakeVips();
  const clock = new FakeClock();
  const routes = {
    addRoute: async (x: { dst: { address: string } }) => { calls.push(`add route ${x.dst.address} (VIP in: ${vips.held.has('192.0.2.10')})`); return 'added' as const; },
    removeRoute: async (x: { dst: { address: string } }) => { calls.push(`del route ${x.dst.address} (VIP in: ${vips.held.has('192.0.2.10')})`); return 'removed' as const; },
    addRule: async () => { calls.push('add rule'); return 'added' as const; },
    removeRule: async () => { calls.push('del rule'); return 'removed' as const; },
    close: () => undefined,
  };
  const o = new Owner(cfg, { vips, routes, announcer: { announce: () => undefined }, time: clock, post: () => undefined, ifname: 'eth0' });
  o.take();
  for (let i = 0; i < 10 && calls.length < 3; i++) await settle(); // each add answers in its own turn
  await o.release();
  t.deepEqual(calls, ['add route 203.0.113.0 (VIP in: true)', 'add route 198.51.100.0 (VIP in: true)', 'add rule',
    'del rule', 'del route 203.0.113.0 (VIP in: true)', 'del route 198.51.100.0 (VIP in: true)']);
  t.deepEqual([...vips.held], []);
});
