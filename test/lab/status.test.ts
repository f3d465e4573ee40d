/**
 * `lvsctl status` is byte-identical to `ipvsadm -L -n` (issue 3 item 6), in the IPVS lab.
 *
 * Topology (fresh namespaces): cli 198.51.100.2 —— 198.51.100.1 dir 10.0.0.254 —— 10.0.0.1/.2 rs.
 * `dir` holds a rich table programmed with ipvsadm (every service kind, scheduler flags,
 * persistence masks, one-packet, tunnel types, thresholds, fwmark ≥ 2^31, VIPs spread over
 * the address space so the wrapping comparator matters). A NAT service on 198.51.100.1 gets
 * real TCP and UDP traffic from `cli` to servers in `rs`, so counters, rates, connection
 * entries and persistence templates are non-zero. Sync daemons run for --daemon.
 *
 * Run: npx tsc -p . && scripts/lab run -- node_modules/.bin/ava --serial dist/test/lab/status.test.js
 * Golden material for the unit tests is written to results/status-lab/ (ipvsadm outputs
 * and the netlink dump they were taken from).
 */
import test, { type ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FixtureCase, FixtureResult } from './status-fixture.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const lvsctl = path.join(repo, 'bin/lvsctl');
const fixture = path.join(repo, 'dist/test/lab/status-fixture.js');

if (!existsSync('/proc/net/ip_vs')) await execa('modprobe', ['ip_vs'], { reject: false });
const lab = existsSync('/proc/net/ip_vs');
const labTest = lab ? test.serial : test.skip;
if (!lab) console.error('# status lab test: not in the lab; run it with scripts/lab run -- node_modules/.bin/ava dist/test/lab/status.test.js');

let counter = 0;
async function netns(t: ExecutionContext, role: string): Promise<string> {
  counter += 1;
  const name = `lvs-st-${role}-${process.pid}-${counter}`;
  await execa('ip', ['netns', 'add', name]);
  t.teardown(async () => { await execa('ip', ['netns', 'del', name], { reject: false }); });
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}
const inNs = (ns: string, argv: readonly string[], input?: string) =>
  execa('ip', ['netns', 'exec', ns, ...argv], { reject: false, stripFinalNewline: false, ...(input !== undefined ? { input } : {}) });
async function must(ns: string, argv: readonly string[]): Promise<void> {
  const r = await inNs(ns, argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} in ${ns}: ${r.stderr}`);
}

/** Addresses and a catch-all route so every real-server address is unicast-routable. */
async function routable(ns: string): Promise<void> {
  await must(ns, ['ip', 'link', 'add', 'dum0', 'type', 'dummy']);
  await must(ns, ['ip', 'link', 'set', 'dum0', 'up']);
  await must(ns, ['ip', 'route', 'add', 'default', 'dev', 'dum0']);
  await must(ns, ['ip', '-6', 'route', 'add', 'default', 'dev', 'dum0']);
}

async function topology(t: ExecutionContext): Promise<{ dir: string; cli: string; rs: string }> {
  const [dir, cli, rs] = [await netns(t, 'dir'), await netns(t, 'cli'), await netns(t, 'rs')];
  await must(dir, ['ip', 'link', 'add', 'vc0', 'type', 'veth', 'peer', 'name', 'vc1', 'netns', cli]);
  await must(dir, ['ip', 'link', 'add', 'vr0', 'type', 'veth', 'peer', 'name', 'vr1', 'netns', rs]);
  for (const [ns, dev, addrs] of [[dir, 'vc0', ['198.51.100.1/24']], [cli, 'vc1', ['198.51.100.2/24']],
    [dir, 'vr0', ['10.0.0.254/24']], [rs, 'vr1', ['10.0.0.1/24', '10.0.0.2/24']]] as const) {
    for (const a of addrs) await must(ns, ['ip', 'addr', 'add', a, 'dev', dev]);
    await must(ns, ['ip', 'link', 'set', dev, 'up']);
  }
  await must(rs, ['ip', 'route', 'add', 'default', 'via', '10.0.0.254']);
  await must(dir, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await routable(dir);
  return { dir, cli, rs };
}

/** The rich table, as ipvsadm command lines (kept in the order they were run). */
const TABLE: string[][] = [
  ['-A', '-t', '198.51.100.1:80', '-s', 'wlc', '-p', '300'],
  ['-a', '-t', '198.51.100.1:80', '-r', '10.0.0.1:8080', '-m', '-w', '1'],
  ['-a', '-t', '198.51.100.1:80', '-r', '10.0.0.2:8080', '-m', '-w', '2', '-x', '100', '-y', '50'],
  ['-A', '-u', '198.51.100.1:53', '-s', 'rr', '-o'],
  ['-a', '-u', '198.51.100.1:53', '-r', '10.0.0.1:5353', '-m'],
  ['-A', '-t', '192.168.10.100:443', '-s', 'sh', '-b', 'sh-fallback,sh-port', '-p', '120', '-M', '255.255.255.0'],
  ['-a', '-t', '192.168.10.100:443', '-r', '10.0.0.11', '-g', '-w', '3'],
  ['-A', '--sctp-service', '192.168.10.100:5000', '-s', 'lc'],
  ['-a', '--sctp-service', '192.168.10.100:5000', '-r', '10.0.0.12:5001', '-m', '-w', '0'],
  ['-A', '-t', '[2001:db8::100]:80', '-s', 'wrr'],
  ['-a', '-t', '[2001:db8::100]:80', '-r', '[2001:db8:1::11]:80', '-g', '-w', '4'],
  ['-a', '-t', '[2001:db8::100]:80', '-r', '[2001:db8:1::2]:80', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-remcsum'],
  ['-A', '-f', '100', '-s', 'mh', '-b', 'mh-fallback,mh-port'],
  ['-a', '-f', '100', '-r', '10.0.0.13', '-i', '-w', '1'],
  ['-a', '-f', '100', '-r', '10.0.0.14', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum'],
  ['-a', '-f', '100', '-r', '10.0.0.15', '-i', '--tun-type', 'gre', '--tun-csum'],
  ['-A', '-f', '2147483649', '-s', 'rr', '-b', 'flag-3'],
  ['-A', '-f', '7', '-6', '-s', 'sed', '-p', '60', '-M', '64'],
  ['-a', '-f', '7', '-6', '-r', '[2001:db8:1::7]:0', '-g'],
  ['-A', '-u', '192.168.10.100:5060', '-s', 'rr', '-p', '60', '--pe', 'sip'],
  ...['10.1.1.1', '172.16.0.1', '192.168.20.1', '200.0.0.1', '1.2.3.4', '127.0.0.9', '224.0.0.1', '100.64.0.1', '10.200.0.1']
    .flatMap((vip, i) => [['-A', '-t', `${vip}:${80 + i}`, '-s', i % 2 ? 'nq' : 'dh'],
      ['-a', '-t', `${vip}:${80 + i}`, '-r', `10.0.0.${100 + i}:8${i}`, '-m', '-w', `${i}`],
      ['-a', '-t', `${vip}:${80 + i}`, '-r', `172.31.${i}.1:80`, '-m', '-w', `${i + 1}`]]),
];

async function program(ns: string): Promise<string[][]> {
  const done: string[][] = [];
  for (const cmd of TABLE) {
    const r = await inNs(ns, ['ipvsadm', ...cmd]);
    if (r.exitCode === 0) done.push(cmd);
    else console.error(`# skipped (kernel refused): ipvsadm ${cmd.join(' ')}: ${r.stderr.trim()}`);
  }
  await must(ns, ['ipvsadm', '--start-daemon', 'master', '--mcast-interface', 'vc0', '--syncid', '7']);
  await must(ns, ['ipvsadm', '--start-daemon', 'backup', '--mcast-interface', 'vc0', '--syncid', '7', '--sync-maxlen', '1400']);
  return done;
}

const SERVER = `const net=require('net'),dgram=require('dgram');
net.createServer(s=>{s.on('data',d=>s.write(d));s.on('error',()=>{})}).listen(8080,'0.0.0.0');
const u=dgram.createSocket('udp4');u.on('message',(m,r)=>u.send(m,r.port,r.address));u.bind(5353,()=>console.log('up'));`;
const CLIENT = `const net=require('net'),dgram=require('dgram');const keep=[];
function one(close){return new Promise((ok,ko)=>{const s=net.connect(80,'198.51.100.1',()=>s.write('hello'));
s.on('data',()=>{close?s.end():keep.push(s);ok()});s.on('error',ko);setTimeout(()=>ko(new Error('timeout')),10000)})}
(async()=>{for(let i=0;i<8;i++)await one(i%2===0);const u=dgram.createSocket('udp4');
for(let i=0;i<3;i++)await new Promise(ok=>{u.once('message',ok);u.send('ping',53,'198.51.100.1')});
console.log('done');setInterval(()=>{},1000)})().catch(e=>{console.error(e);process.exit(1)});`;

/** Background node process in a namespace; resolves once it printed `word`; killed in teardown. */
async function background(t: ExecutionContext, ns: string, code: string, word: string): Promise<void> {
  const p: ResultPromise = execa('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { reject: false, buffer: false });
  t.teardown(() => { p.kill('SIGKILL'); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${word} not seen from ${ns} in 60 s`)), 60_000);
    p.stdout?.on('data', (d: Buffer) => { if (d.toString().includes(word)) { clearTimeout(timer); resolve(); } });
    p.stderr?.on('data', (d: Buffer) => console.error(`# ${ns}: ${d}`));
  });
}

const CASES: FixtureCase[] = [
  { name: 'list', ours: { numeric: true }, ipvsadm: ['-L', '-n'] },
  { name: 'stats', ours: { stats: true }, ipvsadm: ['-L', '-n', '--stats'] },
  { name: 'stats-exact', ours: { stats: true, exact: true }, ipvsadm: ['-L', '-n', '--stats', '--exact'] },
  { name: 'rate', ours: { rate: true }, ipvsadm: ['-L', '-n', '--rate'] },
  { name: 'rate-exact', ours: { rate: true, exact: true }, ipvsadm: ['-L', '-n', '--rate', '--exact'] },
  { name: 'thresholds', ours: { thresholds: true }, ipvsadm: ['-L', '-n', '--thresholds'] },
  { name: 'persistent-conn', ours: { persistentConn: true }, ipvsadm: ['-L', '-n', '--persistent-conn'] },
  { name: 'tun-info', ours: { tunInfo: true }, ipvsadm: ['-L', '-n', '--tun-info'] },
  { name: 'exact', ours: { exact: true }, ipvsadm: ['-L', '-n', '--exact'] },
  { name: 'conn', ours: { connection: true }, ipvsadm: ['-L', '-n', '-c'] },
  { name: 'conn-persistent', ours: { connection: true, persistentConn: true }, ipvsadm: ['-L', '-n', '-c', '--persistent-conn'] },
  { name: 'timeout', ours: { timeout: true }, ipvsadm: ['-L', '--timeout'] },
  { name: 'daemon', ours: { daemon: true }, ipvsadm: ['-L', '--daemon'] },
  { name: 'save', ours: { save: true }, ipvsadm: ['-S', '-n'] },
];

labTest('lvsctl status equals ipvsadm for every listing flag, with traffic, daemons and a rich table', async (t) => {
  const { dir, cli, rs } = await topology(t);
  const programmed = await program(dir);
  t.is(programmed.length, TABLE.length, 'the kernel accepted every command');
  await background(t, rs, SERVER, 'up');
  await background(t, cli, CLIENT, 'done');
  await must(dir, ['ipvsadm', '--set', '600', '90', '200']);

  const out = path.join(repo, 'results', 'status-lab');
  await mkdir(out, { recursive: true });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lvs-status-'));
  t.teardown(() => rm(tmp, { recursive: true, force: true }));
  await writeFile(path.join(tmp, 'cases.json'), JSON.stringify(CASES));
  const r = await inNs(dir, [process.execPath, fixture, path.join(tmp, 'cases.json'), out]);
  t.is(r.exitCode, 0, r.stderr);
  const results = JSON.parse(r.stdout) as FixtureResult[];
  for (const res of results) {
    t.is(res.code, 0, `${res.name}: exit code`);
    t.is(res.ours, res.theirs, `${res.name}: lvsctl status differs from ipvsadm (after ${res.tries} tries)`);
  }
  const byName = new Map(results.map((x) => [x.name, x.theirs]));
  t.regex(byName.get('conn') ?? '', /ESTABLISHED/, 'traffic produced connection entries');
  t.regex(byName.get('stats') ?? '', /198\.51\.100\.1:80 +[1-9]/, 'traffic produced non-zero counters');
  t.regex(byName.get('daemon') ?? '', /^master sync daemon \(mcast=vc0, syncid=7/m);
  await writeFile(path.join(out, 'COMMANDS.txt'), `${programmed.map((c) => `ipvsadm ${c.join(' ')}`).join('\n')}\n`);

  // The real binary, end to end, for the default listing.
  const bin = await inNs(dir, [process.execPath, lvsctl, 'status', '-n']);
  const ref = await inNs(dir, ['ipvsadm', '-L', '-n']);
  t.is(bin.exitCode, 0);
  t.is(bin.stdout, ref.stdout, 'bin/lvsctl status -n');

  // ipvsadm -R accepts our -S output and rebuilds the same table in a fresh namespace.
  // Except marks >= 2^31: ipvsadm 1.31 saves them as negative ("-f -2147483647", %d) and its
  // own parser then refuses them; being byte-identical we print the same, so leave them out.
  const save = (byName.get('save') ?? '').split('\n').filter((l) => !/ -f -\d/.test(l)).join('\n');
  t.regex(byName.get('save') ?? '', /^-A -f -2147483647 -s rr -b flag-3$/m);
  const other = await netns(t, 'restore');
  await routable(other);
  const restored = await inNs(other, ['ipvsadm', '-R'], save);
  t.is(restored.exitCode, 0, restored.stderr);
  // Compared block by block: the kernel's hash (and so dump) order differs per namespace
  // (ip_vs_svc_hashkey mixes in the netns pointer), and with VIPs spread over the address
  // space ipvsadm's non-transitive comparator then orders the services differently.
  const blocks = (text: string): string[] => text.split(/\n(?=-A )/).map((b) => b.trim()).filter(Boolean).sort();
  t.deepEqual(blocks((await inNs(other, ['ipvsadm', '-S', '-n'])).stdout), blocks(save));
});

labTest('without privileges lvsctl status says so plainly', async (t) => {
  const r = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, lvsctl, 'status'], { reject: false });
  t.is(r.exitCode, 1);
  t.is(r.stdout, '');
  t.regex(r.stderr, /permission denied: reading the IPVS table needs root \(CAP_NET_ADMIN\)/);
  const c = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, lvsctl, 'status', '-c'], { reject: false });
  t.is(c.exitCode, 1);
  t.regex(c.stderr, /permission denied/);
  t.truthy(await readFile('/proc/net/ip_vs_conn', 'utf8'));
});
