import test from 'ava';
import { loadConfig } from '../config/index.js';
import type { VrrpInstance } from '../model/index.js';
import type { TransportDropReason } from './codec.js';
import { TransportPool } from './pool.js';
import type { VrrpPacketIn, VrrpTransport, VrrpTransportOptions } from './transport.js';

function instances(): VrrpInstance[] {
  const text = 'vrrp A { interface eth0 ; vrid 1 ; vip 192.0.2.1 }\nvrrp B { interface eth0 ; vrid 2 ; vip 192.0.2.2 }\n';
  const r = loadConfig({ path: 'lvsd.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'native' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return [...r.value.vrrp];
}

function fakeOpen(opened: VrrpTransportOptions[]) {
  return (o: VrrpTransportOptions): VrrpTransport => {
    opened.push(o);
    return { family: o.family, ifname: o.ifname, ifindex: 2, localAddress: '198.51.100.2', send: () => undefined, drain: () => [], counters: () => ({ rxPackets: 0, rxBadIpHeader: 0, rxTruncated: 0, rxErrors: 0 }), close: () => undefined };
  };
}

const packet = (vrid: number): VrrpPacketIn => ({ payload: Buffer.from([0x31, vrid, 100, 1, 0, 100, 0, 0]), family: 4, src: '198.51.100.9', dst: '224.0.0.18', ifindex: 2, ttl: 255, atUs: 0 });

test('one socket per interface; packets go by VRID; a transport drop is counted by every instance on the socket', (t) => {
  const opened: VrrpTransportOptions[] = [];
  const pool = new TransportPool(fakeOpen(opened), () => undefined);
  const heard: string[] = [];
  for (const cfg of instances()) {
    pool.acquire(cfg, {
      packet: (p) => heard.push(`${cfg.name} packet vrid ${p.payload[1]}`),
      drop: (reason: TransportDropReason, from) => heard.push(`${cfg.name} drop ${reason} from ${from}`),
    });
  }
  t.is(opened.length, 1, 'the two instances share the socket');
  const o = opened[0];
  o?.onPacket(packet(2));
  o?.onPacket(packet(9));
  o?.onDrop?.('ip_header', '198.51.100.9', 'IPv4 header: ihl');
  t.deepEqual(heard, ['B packet vrid 2', 'A packet vrid 9', 'B packet vrid 9', 'A drop ip_header from 198.51.100.9', 'B drop ip_header from 198.51.100.9']);
});

test('instances with different advert sources (mcast_src_ip) get their own socket, each sending from its source', (t) => {
  const opened: VrrpTransportOptions[] = [];
  const pool = new TransportPool(fakeOpen(opened), () => undefined);
  const [a, b] = instances();
  if (a === undefined || b === undefined) return t.fail('two instances');
  const listener = { packet: () => undefined, drop: () => undefined };
  pool.acquire({ ...a, unicastSrc: '10.0.0.11' }, listener);
  pool.acquire(b, listener);
  pool.acquire({ ...b, vrid: 3, unicastSrc: '10.0.0.11' }, listener);
  t.deepEqual(opened.map((o) => o.sourceAddress), ['10.0.0.11', undefined], 'A and the third share the 10.0.0.11 socket');
});
