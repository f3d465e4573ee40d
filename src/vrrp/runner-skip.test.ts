/**
 * keepalived skip_check_adv_addr (vrrp.c vrrp_state_backup): a backup skips the VIP-list check
 * only for an advert from the address whose advert it last accepted; a new sender, or any
 * advert while MASTER, is checked in full.
 */
import test from 'ava';
import { loadConfig } from '../config/index.js';
import type { VrrpInstance } from '../model/index.js';
import { encodeAdvert } from './codec.js';
import { InstanceRunner, type RunnerIo } from './runner.js';
import { LatenessRecorder } from './timers.js';
import type { VrrpPacketIn } from './transport.js';

function instance(skip: string): VrrpInstance {
  const text = ['vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 100', skip,
    '  virtual_ipaddress {', '    192.0.2.10/24', '  }', '}', ''].join('\n');
  const r = loadConfig({ path: 'k.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const [v] = r.value.vrrp;
  if (v === undefined) throw new Error('no instance');
  return v;
}

function runner(cfg: VrrpInstance): InstanceRunner {
  let t = 0;
  const io: RunnerIo = {
    clock: { nowUs: () => (t += 10), nowMs: () => 1_700_000_000_000 + Math.floor(t / 1000) },
    localAddress: '198.51.100.2',
    send: () => undefined, drain: () => [], becomeOwner: () => undefined, prepareOwner: () => undefined,
    release: async () => undefined,
    oneShot: () => ({ start: () => undefined, stop: () => undefined, close: () => undefined }), post: () => undefined,
    lateness: new LatenessRecorder(),
  };
  const r = new InstanceRunner(cfg, io);
  r.start();
  return r;
}

const advert = (src: string, addrs: readonly string[]): VrrpPacketIn => ({
  payload: encodeAdvert({ version: 2, vrid: 51, priority: 150, intervalCs: 100, addrs, authType: 0 },
    { family: 4, src, dst: '224.0.0.18', v3Checksum: 'pseudo' }),
  family: 4, src, dst: '224.0.0.18', ifindex: 2, ttl: 255, atUs: 1,
});

test('skip_check_adv_addr: after one checked advert, the same master\'s adverts skip the address check; another sender\'s do not', (t) => {
  const r = runner(instance('  skip_check_adv_addr'));
  r.onPacket(advert('198.51.100.1', ['192.0.2.99']));
  t.is(r.counters.drops.addr_list, 1, 'the first advert of a sender is checked');
  r.onPacket(advert('198.51.100.1', ['192.0.2.10']));
  r.onPacket(advert('198.51.100.1', ['192.0.2.99']));
  t.is(r.counters.drops.addr_list, 1, 'the known master is not checked again');
  t.is(r.counters.advertsReceived, 2);
  r.onPacket(advert('198.51.100.3', ['192.0.2.99']));
  t.is(r.counters.drops.addr_list, 2, 'a new sender is checked');
});

test('without skip_check_adv_addr every advert is checked', (t) => {
  const r = runner(instance(''));
  r.onPacket(advert('198.51.100.1', ['192.0.2.10']));
  r.onPacket(advert('198.51.100.1', ['192.0.2.99']));
  t.is(r.counters.drops.addr_list, 1);
  t.is(r.counters.advertsReceived, 1);
});
