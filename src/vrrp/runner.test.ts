import test from 'ava';
import type { Clock, WallClock } from '../clock.js';
import { loadConfig } from '../config/index.js';
import type { VrrpInstance } from '../model/index.js';
import { encodeAdvert } from './codec.js';
import { masterDownUs } from './intervals.js';
import type { FromWorker } from './messages.js';
import { InstanceRunner, type RunnerIo } from './runner.js';
import { LatenessRecorder } from './timers.js';
import type { VrrpPacketIn } from './transport.js';

const CONF = ['vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 100',
  '  advert_int 1', '  virtual_ipaddress {', '    192.0.2.10/24', '  }', '}', ''].join('\n');

function instance(): VrrpInstance {
  const r = loadConfig({ path: 'k.conf', text: CONF, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.vrrp[0]!;
}

/** Every read of the clock moves it on 10 µs, so the runner's wait for a deadline ends. */
class TickingClock implements Clock, WallClock {
  constructor(public t: number) {}
  nowUs(): number {
    this.t += 10;
    return this.t;
  }
  nowMs(): number {
    return 1_700_000_000_000 + Math.floor(this.t / 1000);
  }
}

interface Fake {
  io: RunnerIo;
  clock: TickingClock;
  calls: string[];
  timers: Array<{ fn: () => void; delayMs: number }>;
  inbox: VrrpPacketIn[];
}

function fake(): Fake {
  const clock = new TickingClock(0);
  const calls: string[] = [];
  const timers: Fake['timers'] = [];
  const inbox: VrrpPacketIn[] = [];
  const io: RunnerIo = {
    clock, localAddress: '198.51.100.2',
    send: () => { calls.push('send'); },
    drain: () => inbox.splice(0),
    becomeOwner: (now) => { calls.push(now ? 'becomeOwner now' : 'becomeOwner'); },
    prepareOwner: () => { calls.push('prepareOwner'); },
    release: async () => { calls.push('release'); },
    oneShot: (fn) => ({ start: (delayMs) => { timers.push({ fn, delayMs }); }, stop: () => undefined, close: () => undefined }),
    post: (m: FromWorker) => { if (m.type === 'role') calls.push(`role ${m.to}`); },
    lateness: new LatenessRecorder(),
  };
  return { io, clock, calls, timers, inbox };
}

const advertFrom = (src: string, atUs: number): VrrpPacketIn => ({
  payload: encodeAdvert({ version: 2, vrid: 51, priority: 150, intervalCs: 100, addrs: ['192.0.2.10'], authType: 0 },
    { family: 4, src, dst: '224.0.0.18', v3Checksum: 'pseudo' }),
  family: 4, src, dst: '224.0.0.18', ifindex: 2, ttl: 255, atUs,
});

test('master-down timer: armed 2 ms early, takeover prepared, VIPs taken at the deadline before the advert', (t) => {
  const f = fake();
  const r = new InstanceRunner(instance(), f.io);
  r.start();
  const down = masterDownUs(2, 100, 100);
  t.is(r.snapshot().role, 'BACKUP');
  const armed = f.timers.at(-1)!;
  t.is(armed.delayMs, Math.floor(down / 1000) - 2, 'woken 2 ms before the deadline');
  f.calls.length = 0;
  f.clock.t = down + 10 - 1_500; // the libuv timer fired 1.5 ms before the deadline
  armed.fn();
  t.true(f.clock.t >= down + 10, 'waited for the deadline');
  t.deepEqual(f.calls, ['prepareOwner', 'becomeOwner now', 'role MASTER', 'send'], 'a timer takeover announces at once');
  t.is(r.snapshot().role, 'MASTER');
});

test('an advert read after the early wait keeps BACKUP: no takeover, the timer re-armed from its arrival', (t) => {
  const f = fake();
  const r = new InstanceRunner(instance(), f.io);
  r.start();
  const down = masterDownUs(2, 100, 100);
  const armed = f.timers.at(-1)!;
  f.calls.length = 0;
  f.clock.t = down + 10 - 1_500;
  // The advert is not there for the first drain; it is for the one after the wait.
  const drain = f.io.drain;
  let drains = 0;
  (f.io as { drain: () => VrrpPacketIn[] }).drain = () => (++drains === 2 ? [advertFrom('198.51.100.1', down)] : drain());
  armed.fn();
  t.is(drains, 2);
  t.false(f.calls.includes('becomeOwner'));
  t.is(r.snapshot().role, 'BACKUP');
  t.is(r.snapshot().masterAddress, '198.51.100.1');
  t.is(f.timers.length, 2, 're-armed by the advert');
});

test('an advert read in the first drain of the early wake-up ends it at once', (t) => {
  const f = fake();
  const r = new InstanceRunner(instance(), f.io);
  r.start();
  const down = masterDownUs(2, 100, 100);
  const armed = f.timers.at(-1)!;
  f.clock.t = down + 10 - 1_500;
  f.inbox.push(advertFrom('198.51.100.1', down - 1_600));
  f.calls.length = 0;
  const before = f.clock.t;
  armed.fn();
  t.false(f.calls.includes('prepareOwner'));
  t.true(f.clock.t - before < 200, 'no wait for the old deadline');
  t.is(r.snapshot().role, 'BACKUP');
});

test('a master that steps down for a higher-priority advert names its sender as master in the role message', (t) => {
  const f = fake();
  const roles: Array<{ to: string; masterAddress: string | null }> = [];
  const post = f.io.post;
  (f.io as { post: RunnerIo['post'] }).post = (m) => {
    if (m.type === 'role') roles.push({ to: m.to, masterAddress: m.masterAddress });
    post(m);
  };
  const r = new InstanceRunner(instance(), f.io);
  r.start();
  f.clock.t = masterDownUs(2, 100, 100) + 10; // nobody advertised: the master-down timer makes us master
  f.timers.at(-1)!.fn();
  t.is(r.snapshot().role, 'MASTER');
  r.onPacket(advertFrom('198.51.100.1', f.clock.t)); // priority 150 > our 100
  t.deepEqual(roles, [{ to: 'BACKUP', masterAddress: null }, { to: 'MASTER', masterAddress: '198.51.100.2' },
    { to: 'BACKUP', masterAddress: '198.51.100.1' }]);
  t.is(r.snapshot().masterAddress, '198.51.100.1');
});
