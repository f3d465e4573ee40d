/**
 * The native VRRP transport and announce frames on a real kernel: two namespaces joined by a veth
 * pair, one fixture process per side (`ip netns exec NS node dist/test/fixtures/vrrp-transport.js`;
 * Node cannot setns per thread; harness in transport-pair.ts). Root only. Run: npx ava dist/test/netns/transport.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEADLINE_MS, fixture, inNs, makePair, run, sendOnce, until, type Line, type Pair } from './transport-pair.js';

const payload = '2133640100010000c0a80164'; // a VRRPv2-looking message; the transport does not decode it

test.serial('IPv4 multicast: received with TTL 255, src/dst/ifindex from the wire; receiver exits after close', async (t) => {
  const n = await makePair(t);
  const rx = fixture(t, n.b, ['recv', '--family', '4', '--ifname', n.ifB, '--multicast', '--count', '1']);
  const [ready] = await rx.waitFor('ready');
  const sent = await sendOnce(t, n.a, ['--family', '4', '--ifname', n.ifA, '--multicast', '--dst', '224.0.0.18', '--payload', payload]);
  t.is(sent['localAddress'], n.ip4A);
  const [p] = await rx.waitFor('packet');
  t.like(p, { payload, family: 4, src: n.ip4A, dst: '224.0.0.18', ttl: 255, ifindex: ready?.['ifindex'] });
  t.is(await rx.exit, 0, 'closing the transport lets the process exit by itself');
  t.like((await rx.waitFor('closed'))[0], { counters: { rxPackets: 1, rxBadIpHeader: 0 } });
});

test.serial('IPv6 multicast: hop limit 255 from the sender link-local to ff02::12', async (t) => {
  const n = await makePair(t);
  const rx = fixture(t, n.b, ['recv', '--family', '6', '--ifname', n.ifB, '--multicast', '--count', '1']);
  const [ready] = await rx.waitFor('ready');
  t.is(ready?.['localAddress'], n.ll6B);
  const sent = await sendOnce(t, n.a, ['--family', '6', '--ifname', n.ifA, '--multicast', '--dst', 'ff02::12', '--payload', payload]);
  t.is(sent['localAddress'], n.ll6A);
  const [p] = await rx.waitFor('packet');
  t.like(p, { payload, family: 6, src: n.ll6A, dst: 'ff02::12', ttl: 255, ifindex: ready?.['ifindex'] });
  t.is(await rx.exit, 0);
});

test.serial('unicast IPv4 and IPv6 (no group joined) arrive with TTL / hop limit 255', async (t) => {
  const n = await makePair(t);
  const rx4 = fixture(t, n.b, ['recv', '--family', '4', '--ifname', n.ifB, '--count', '1']);
  const rx6 = fixture(t, n.b, ['recv', '--family', '6', '--ifname', n.ifB, '--count', '1']);
  await rx4.waitFor('ready');
  await rx6.waitFor('ready');
  await sendOnce(t, n.a, ['--family', '4', '--ifname', n.ifA, '--dst', n.ip4B, '--payload', payload]);
  await sendOnce(t, n.a, ['--family', '6', '--ifname', n.ifA, '--dst', n.ll6B, '--payload', payload]);
  t.like((await rx4.waitFor('packet'))[0], { payload, src: n.ip4A, dst: n.ip4B, ttl: 255 });
  t.like((await rx6.waitFor('packet'))[0], { payload, src: n.ll6A, dst: n.ll6B, ttl: 255 });
});

test.serial('a packet sent with TTL 64 / hop limit 64 is reported with 64', async (t) => {
  const n = await makePair(t);
  const rx4 = fixture(t, n.b, ['recv', '--family', '4', '--ifname', n.ifB, '--multicast', '--count', '1']);
  const rx6 = fixture(t, n.b, ['recv', '--family', '6', '--ifname', n.ifB, '--multicast', '--count', '1']);
  await rx4.waitFor('ready');
  await rx6.waitFor('ready');
  await sendOnce(t, n.a, ['--family', '4', '--ifname', n.ifA, '--multicast', '--ttl', '64', '--dst', '224.0.0.18', '--payload', payload]);
  await sendOnce(t, n.a, ['--family', '6', '--ifname', n.ifA, '--multicast', '--ttl', '64', '--dst', 'ff02::12', '--payload', payload]);
  t.like((await rx4.waitFor('packet'))[0], { ttl: 64 });
  t.like((await rx6.waitFor('packet'))[0], { ttl: 64 });
});

test.serial('drain() returns adverts queued while the loop was blocked; multicast loopback is off', async (t) => {
  const n = await makePair(t);
  // The receiver blocks its event loop for 2 s right after opening, then calls drain().
  const rx = fixture(t, n.a, ['drain', '--family', '4', '--ifname', n.ifA, '--multicast', '--block-ms', '2000']);
  await rx.waitFor('ready');
  // Own multicast first (must NOT come back: IP_MULTICAST_LOOP 0), then the peer's two adverts.
  await sendOnce(t, n.a, ['--family', '4', '--ifname', n.ifA, '--multicast', '--dst', '224.0.0.18', '--payload', 'aa']);
  await sendOnce(t, n.b, ['--family', '4', '--ifname', n.ifB, '--multicast', '--dst', '224.0.0.18', '--payload', 'bb01']);
  await sendOnce(t, n.b, ['--family', '4', '--ifname', n.ifB, '--multicast', '--dst', '224.0.0.18', '--payload', 'bb02']);
  const [d] = await rx.waitFor('drained');
  t.is(d?.['viaCallback'], 0, 'the poll callback could not run while the loop was blocked');
  const got = (d?.['packets'] as Line[]).map((p) => [p['payload'], p['src']]);
  t.deepEqual(got, [['bb01', n.ip4B], ['bb02', n.ip4B]]);
  t.is(await rx.exit, 0);
});

test.serial('atUs is when the packet arrived (kernel stamp), not when a blocked loop read it', async (t) => {
  const n = await makePair(t);
  const rx = fixture(t, n.a, ['drain', '--family', '4', '--ifname', n.ifA, '--multicast', '--block-ms', '900']);
  await rx.waitFor('ready');
  const sent = await sendOnce(t, n.b, ['--family', '4', '--ifname', n.ifB, '--multicast', '--dst', '224.0.0.18', '--payload', 'cc01']);
  const [d] = await rx.waitFor('drained');
  const [p] = d?.['packets'] as Line[];
  const sentAt = sent['sentAtUs'] as number, at = p?.['atUs'] as number, drainedAt = d?.['drainedAtUs'] as number;
  t.is(d?.['viaCallback'], 0, 'read by drain() only, after the loop was blocked');
  t.true(at >= sentAt && at - sentAt < 50_000, `arrival ${at - sentAt} µs after the send`);
  t.true(drainedAt - at > 100_000, `read ${drainedAt - at} µs after arrival`);
  t.is(await rx.exit, 0);
});

test.serial('works inside a worker_threads Worker; terminating the worker with the socket open is clean', async (t) => {
  const n = await makePair(t);
  const rx = fixture(t, n.b, ['recv', '--worker', '--family', '6', '--ifname', n.ifB, '--multicast', '--count', '2']);
  const [ready] = await rx.waitFor('ready');
  t.is(ready?.['thread'], 'worker');
  for (const pl of ['01', '02']) {
    await sendOnce(t, n.a, ['--family', '6', '--ifname', n.ifA, '--multicast', '--dst', 'ff02::12', '--payload', pl]);
  }
  const packets = await rx.waitFor('packet', 2);
  t.deepEqual(packets.map((p) => p['payload']), ['01', '02']);
  t.like((await rx.waitFor('worker-exit'))[0], { code: 1 }); // terminate() => exit code 1
  t.is(await rx.exit, 0, `no libuv abort at worker teardown: ${rx.stderr()}`);
});

/** Captures `count` frames matching `filter` on vB while `act` runs; returns tshark's fields. */
async function capture(t: ExecutionContext, n: Pair, filter: string, fields: readonly string[], act: () => Promise<unknown>): Promise<string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-cap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cap.pcap');
  const dump = spawn('ip', ['netns', 'exec', n.b, 'tcpdump', '-i', n.ifB, '-U', '-c', '1', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { if (dump.exitCode === null) dump.kill('SIGKILL'); });
  let err = '';
  dump.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => dump.on('exit', (c) => r(c)));
  await until('tcpdump listening', () => (err.includes('listening on') ? true : undefined));
  await act();
  const timer = setTimeout(() => dump.kill('SIGKILL'), DEADLINE_MS);
  t.is(await exited, 0, err);
  clearTimeout(timer);
  const out = run(['tshark', '-r', file, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])]);
  return out.replace(/\n+$/, '').split('\n').map((l) => l.split('\t'));
}

test.serial('a gratuitous ARP is on the wire as keepalived sends it (tshark)', async (t) => {
  const n = await makePair(t);
  const fields = ['eth.dst', 'eth.src', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4', 'arp.isgratuitous', '_ws.malformed'];
  const rows = await capture(t, n, 'arp', fields, async () => {
    const p = fixture(t, n.a, ['garp', '--ifname', n.ifA, '--ip', '10.231.0.100']);
    await p.waitFor('sent');
    t.is(await p.exit, 0, p.stderr());
  });
  t.deepEqual(rows, [['ff:ff:ff:ff:ff:ff', n.macA, '1', n.macA, '10.231.0.100', 'ff:ff:ff:ff:ff:ff', '10.231.0.100', '1', '']]);
});

test.serial('a failed AF_PACKET open is not kept: refused without CAP_NET_RAW, the next send opens it and goes out', async (t) => {
  const n = await makePair(t);
  let refused: Line | undefined;
  const rows = await capture(t, n, 'arp', ['arp.src.proto_ipv4', 'arp.isgratuitous'], async () => {
    const p = fixture(t, n.a, ['garp-retry', '--ifname', n.ifA, '--ip', '10.231.0.101']);
    [refused] = await p.waitFor('refused');
    await p.waitFor('sent');
    t.is(await p.exit, 0, p.stderr());
  });
  t.like(refused, { code: 'EPERM', syscall: 'socket' });
  t.deepEqual(rows, [['10.231.0.101', '1']]);
});

test.serial('a VRRP handle and a netlink handle are refused by the functions of the other kind', async (t) => {
  const n = await makePair(t);
  const p = fixture(t, n.a, ['kinds', '--ifname', n.ifA]);
  const [k] = await p.waitFor('kinds');
  t.is(await p.exit, 0, p.stderr());
  t.like(k, {
    nlSendVrrp: 'TypeError: not a netlink socket handle (from nlOpen)',
    nlCloseVrrp: 'TypeError: not a netlink socket handle (from nlOpen)',
    vrrpSendNl: 'TypeError: not a vrrp socket handle (from vrrpOpen)',
    vrrpDrainNl: 'TypeError: not a vrrp socket handle (from vrrpOpen)',
    vrrpCloseNl: 'TypeError: not a vrrp socket handle (from vrrpOpen)',
  });
});

test.serial('an unsolicited NA is on the wire with hop limit 255, O=1, target LL option and a good checksum', async (t) => {
  const n = await makePair(t);
  const fields = ['eth.dst', 'eth.src', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'icmpv6.type', 'icmpv6.nd.na.flag.r',
    'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr', 'icmpv6.checksum.status', '_ws.malformed'];
  const rows = await capture(t, n, 'icmp6 and ip6[40] == 136', fields, async () => {
    const p = fixture(t, n.a, ['na', '--ifname', n.ifA, '--ip', '2001:db8::100']);
    await p.waitFor('sent');
    t.is(await p.exit, 0, p.stderr());
  });
  // R=0: forwarding is off in the namespace (keepalived's rule); checksum.status 1 = good.
  t.deepEqual(rows, [['33:33:00:00:00:01', n.macA, '2001:db8::100', 'ff02::1', '255', '136', '0', '0', '1', '2001:db8::100', n.macA, '1', '']]);
});

/** RFC 1071 checksum (the test's own, independent of src/vrrp/codec). */
function inetChecksum(...parts: Buffer[]): number {
  const b = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] ?? 0) * 256 + (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** VRRPv2 (RFC 3768 §5.1) advert, VRID 51, priority 250, 1 s, no auth, one VIP. */
function v2Advert(vip: string): string {
  const m = Buffer.from([0x21, 51, 250, 1, 0, 1, 0, 0, ...vip.split('.').map(Number), 0, 0, 0, 0, 0, 0, 0, 0]);
  m.writeUInt16BE(inetChecksum(m), 6);
  return m.toString('hex');
}

/** VRRPv3 IPv6 (RFC 9568 §5.1) advert, VRID 10, priority 250, 100 cs; checksum over the pseudo-header of src. */
function v3Advert6(src: string, vipHex: string): string {
  const m = Buffer.from(`310afa010064 0000 ${vipHex}`.replace(/ /g, ''), 'hex');
  const v6 = (a: string): Buffer => {
    const [h = '', tl = ''] = a.split('::');
    const hw = h === '' ? [] : h.split(':');
    const tw = tl === '' ? [] : tl.split(':');
    const words = [...hw, ...Array<string>(8 - hw.length - tw.length).fill('0'), ...tw];
    return Buffer.from(words.map((w) => w.padStart(4, '0')).join(''), 'hex');
  };
  const pseudo = Buffer.concat([v6(src), v6('ff02::12'), Buffer.from([0, 0, 0, m.length, 0, 0, 0, 112])]);
  m.writeUInt16BE(inetChecksum(pseudo, m), 6);
  return m.toString('hex');
}

test.serial('keepalived 2.2.7 accepts our sends: its MASTER steps down on our higher-priority IPv4 and IPv6 adverts', async (t) => {
  const n = await makePair(t);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-ka-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'keepalived.conf');
  const instance = (name: string, vrid: number, extra: string, vip: string): string =>
    `vrrp_instance ${name} {\n state MASTER\n interface ${n.ifA}\n virtual_router_id ${vrid}\n priority 200\n` +
    ` advert_int 1\n${extra} virtual_ipaddress {\n  ${vip}\n }\n}\n`;
  writeFileSync(conf, `global_defs {\n router_id ka-${process.pid}\n}\n` +
    instance('V4', 51, '', '10.231.0.10/24') + instance('V6', 10, ' version 3\n', '2001:db8::10'));
  const ka = spawn('ip', ['netns', 'exec', n.a, 'stdbuf', '-oL', '-eL', 'keepalived', '-n', '-l', '--vrrp', '-f', conf,
    '-p', join(dir, 'ka.pid'), '-r', join(dir, 'vrrp.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kaExit = new Promise<void>((r) => ka.on('exit', () => r()));
  t.teardown(async () => { // TERM lets keepalived stop its VRRP child; KILL only as a last resort
    if (ka.exitCode !== null) return;
    ka.kill('SIGTERM');
    const timer = setTimeout(() => ka.kill('SIGKILL'), 3000);
    await kaExit;
    clearTimeout(timer);
  });
  let log = '';
  ka.stdout.on('data', (d: Buffer) => { log += d.toString(); });
  ka.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  const inLog = (s: string, from = 0): Promise<true> =>
    until(`keepalived log "${s}" (log: ${log})`, () => (log.slice(from).includes(s) ? true : undefined));
  // Observable without the log too: a keepalived MASTER holds its VIPs, a BACKUP does not.
  const vips = (): string => inNs(n.a, ['ip', 'addr', 'show', 'dev', n.ifA]);
  await until('keepalived MASTER with both VIPs', () => (/10\.231\.0\.10\//.test(vips()) && /2001:db8::10\//.test(vips()) ? true : undefined));
  await inLog('(V4) Entering MASTER STATE');
  await inLog('(V6) Entering MASTER STATE');
  const mark = log.length; // keepalived logs "Entering BACKUP STATE (init)" at start: look only after this
  await sendOnce(t, n.b, ['--family', '4', '--ifname', n.ifB, '--multicast', '--dst', '224.0.0.18', '--payload', v2Advert('10.231.0.10')]);
  await sendOnce(t, n.b, ['--family', '6', '--ifname', n.ifB, '--multicast', '--dst', 'ff02::12', '--payload',
    v3Advert6(n.ll6B, '20010db8000000000000000000000010')]);
  await inLog('(V4) Entering BACKUP STATE', mark);
  await inLog('(V6) Entering BACKUP STATE', mark);
  t.false(/10\.231\.0\.10\/|2001:db8::10\//.test(vips()), 'keepalived removed its VIPs as BACKUP');
  t.notRegex(log, /TTL|checksum|invalid/i, 'keepalived logged no receive error');
});
