/**
 * Every checker against real Debian servers in a namespace: nginx (HTTP, HTTPS with a
 * self-signed certificate made now), dnsmasq, aiosmtpd; ICMP from the addon. The health engine
 * runs in the director's namespace (test/netns/health-runner.ts), as lvsd will, and reports
 * every attempt and event. Phases: all up (and the wrong-content checks down), servers frozen
 * (SIGSTOP: timeouts), thawed (recovery), killed (refused / ICMP unreachable), restarted
 * (recovery), with the rise/fall counts of one check verified attempt by attempt.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killNamespace } from './kp-peers.js';
import { tempDir } from './lvsd-harness.js';
import { BODY, startDnsmasq, startNginx, startSmtp } from './health-servers.js';
import { makeLan, nsExec, startIn, type Proc } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { check, real, service } from '../fixtures/health-model.js';
import { encodeQuery } from '../../src/health/checks/dns-packet.js';
import type { CheckProbe, CheckTiming, VirtualService } from '../../src/model/types.js';

const RUNNER = new URL('./health-runner.js', import.meta.url).pathname;
const FAST: Partial<CheckTiming> = { intervalMs: 300, timeoutMs: 400, retries: 0, retryDelayMs: 100 };
const http = (path: string, o: Partial<Extract<CheckProbe, { kind: 'http' }>> = {}, digest?: string): CheckProbe => ({
  kind: 'http', tls: false, method: 'GET', sni: false, httpVersion: '1.0', fastRecovery: false, urls: [{ path, status: [], ...(digest ? { digest } : {}), ...(o.sni && o.virtualhost ? { virtualhost: o.virtualhost, sniName: o.virtualhost } : {}) }], ...o,
});
const QUERY = encodeQuery(0x1234, 'up.test', 'A');
const QUERY_HEX = QUERY.ok ? QUERY.query.toString('hex') : '';

/** One virtual service per check so each check's events are told apart by service. */
function services(ip: string): Record<string, VirtualService> {
  const vs = (port: number, rsPort: number, probe: CheckProbe, t: Partial<CheckTiming> = FAST, proto: 'tcp' | 'udp' = 'tcp'): VirtualService =>
    service(port, [real(ip, { port: rsPort, checks: [check(probe, t)] })], { key: { kind: 'addr', family: 4, protocol: proto, address: '192.0.2.10', port } });
  return {
    tcp: vs(1, 80, { kind: 'tcp' }),
    http: vs(2, 80, http('/health', {}, createHash('md5').update(BODY).digest('hex'))),
    https: vs(3, 443, http('/health', { tls: true, sni: true, virtualhost: 'www.example.test', httpVersion: '1.1' })),
    status: vs(4, 80, http('/teapot')),
    digest: vs(5, 80, http('/health', {}, '0'.repeat(32))),
    dns: vs(6, 53, { kind: 'dns', type: 'A', name: 'up.test' }, FAST, 'udp'),
    nxdomain: vs(7, 53, { kind: 'dns', type: 'A', name: 'down.test' }, FAST, 'udp'),
    smtp: vs(8, 25, { kind: 'smtp', heloName: 'lvsd.test' }),
    udp: vs(9, 53, { kind: 'udp', payloadHex: QUERY_HEX, requireReply: true, replyHex: '1234', minReplyLength: 0, maxReplyLength: 255 }, FAST, 'udp'),
    udpWrong: vs(10, 53, { kind: 'udp', payloadHex: QUERY_HEX, requireReply: true, replyHex: 'beef', minReplyLength: 0, maxReplyLength: 255 }, FAST, 'udp'),
    ping: vs(11, 80, { kind: 'ping' }),
    hyst: vs(12, 8080, http('/health'), { intervalMs: 200, timeoutMs: 300, retries: 0, retryDelayMs: 100, fall: 3, rise: 2 }),
  };
}

type Line = Record<string, unknown>;

class Engine {
  constructor(readonly proc: Proc, readonly names: ReadonlyMap<string, string>) {}
  get lines(): Line[] {
    return this.proc.lines;
  }
  /** Check events of one named check (service → name). */
  events(name: string, from = 0): Line[] {
    return this.lines.slice(from).filter((l) => l['kind'] === 'check' && this.names.get(String(l['service'])) === name);
  }
  async state(name: string, to: 'up' | 'down', from: number, ms = 8000): Promise<Line> {
    await waitUntil(() => this.events(name, from).some((e) => e['to'] === to), `${name} ${to}`, ms);
    const e = this.events(name, from).find((x) => x['to'] === to);
    return e ?? {};
  }
}

function startEngine(t: ExecutionContext, ns: string, dir: string, svcs: Record<string, VirtualService>): Engine {
  const file = join(dir, 'services.json');
  writeFileSync(file, JSON.stringify({ services: Object.values(svcs) }));
  const names = new Map(Object.entries(svcs).map(([name, vs]) => [`${vs.key.kind === 'addr' ? vs.key.protocol.toUpperCase() : ''} 192.0.2.10:${vs.key.kind === 'addr' ? vs.key.port : 0}`, name]));
  const e = new Engine(startIn(t, ns, process.execPath, [RUNNER, file]), names);
  // On failure, show what the engine said last (ava prints t.log lines of failed tests).
  t.teardown(() => {
    if (t.passed) return;
    t.log(e.proc.stderr.join(''));
    for (const l of e.lines.filter((x) => x['kind'] !== 'snapshot').slice(-25)) t.log(JSON.stringify(l));
  });
  return e;
}

function startServers(t: ExecutionContext, ns: string, dir: string, ip: string): void {
  startNginx(t, ns, dir, ip);
  startDnsmasq(t, ns, ip);
  startSmtp(t, ns, ip);
}

const GOOD = ['tcp', 'http', 'https', 'dns', 'smtp', 'udp', 'ping', 'hyst'];

test('checkers against nginx, dnsmasq, aiosmtpd and ICMP: up, wrong content, timeout, recovery, down, recovery, rise/fall', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const srv = lan.ns['srv'] ?? '';
  const ip = lan.ip4['srv'] ?? '';
  const dir = tempDir(t);
  t.teardown(() => killNamespace(srv));
  startServers(t, srv, dir, ip);
  await waitUntil(() => /:443 /.test(nsExec(srv, 'ss', ['-ltn'])) && /:25 /.test(nsExec(srv, 'ss', ['-ltn'])), 'servers listening');
  const e = startEngine(t, lan.ns['dir'] ?? '', dir, services(ip));

  // 1. up: every good check passes at least twice and never goes down; the wrong ones go down.
  const attemptsOk = (port: number, probe: string): number => e.lines.filter((l) => l['kind'] === 'attempt' && l['port'] === port && l['probe'] === probe && l['ok'] === true).length;
  await waitUntil(() => [[80, 'tcp'], [443, 'http'], [53, 'dns'], [25, 'smtp'], [53, 'udp'], [80, 'ping'], [8080, 'http']].every(([p, k]) => attemptsOk(Number(p), String(k)) >= 2), 'two passes of every good check', 10_000);
  t.like(await e.state('status', 'down', 0), { reason: 'status', detail: 'HTTP 418' });
  t.like(await e.state('digest', 'down', 0), { reason: 'content' });
  t.like(await e.state('nxdomain', 'down', 0), { reason: 'content', detail: 'DNS rcode 3 (NXDOMAIN)' });
  t.like(await e.state('udpWrong', 'down', 0), { reason: 'content' });
  for (const n of GOOD) t.deepEqual(e.events(n), [], `${n} stayed up`);
  const snap = [...e.lines].reverse().find((l) => l['kind'] === 'snapshot');
  t.truthy(snap?.['ping'], 'the ping socket kind is known');
  t.log(`ICMP socket: ${String(snap?.['ping'])}`);

  // 2. freeze every server process: application checks time out; TCP connects (the kernel
  //    accepts) and ping answers (the kernel replies).
  let mark = e.lines.length;
  killNamespace(srv, 'SIGSTOP');
  for (const n of ['http', 'https', 'dns', 'smtp', 'udp']) t.like(await e.state(n, 'down', mark), { reason: 'timeout' }, n);
  t.deepEqual(e.events('tcp', mark), []);
  t.deepEqual(e.events('ping', mark), []);

  // 3. thaw: recovery.
  mark = e.lines.length;
  killNamespace(srv, 'SIGCONT');
  for (const n of ['http', 'https', 'dns', 'smtp', 'udp']) await e.state(n, 'up', mark);

  // 4. kill the servers and ignore pings: refused (TCP RST, ICMP port unreachable) and timeout.
  mark = e.lines.length;
  nsExec(srv, 'sysctl', ['-qw', 'net.ipv4.icmp_echo_ignore_all=1']);
  killNamespace(srv, 'SIGKILL');
  for (const n of ['tcp', 'http', 'https', 'smtp']) t.like(await e.state(n, 'down', mark), { reason: 'refused', detail: 'connection refused' }, n);
  for (const n of ['dns', 'udp']) t.like(await e.state(n, 'down', mark), { reason: 'refused' }, n);
  t.like(await e.state('ping', 'down', mark), { reason: 'timeout' });
  const hystDown = await e.state('hyst', 'down', mark);
  const failedBefore = e.lines.slice(mark, e.lines.indexOf(hystDown)).filter((l) => l['kind'] === 'attempt' && l['port'] === 8080 && l['ok'] === false);
  t.is(failedBefore.length, 3, 'fall 3: down on the third failure in a row');

  // 5. restart: every good check comes back; rise 2 needs two passes.
  mark = e.lines.length;
  nsExec(srv, 'sysctl', ['-qw', 'net.ipv4.icmp_echo_ignore_all=0']);
  startServers(t, srv, dir, ip);
  for (const n of GOOD) await e.state(n, 'up', mark, 10_000);
  const hystUp = await e.state('hyst', 'up', mark);
  const passedBefore = e.lines.slice(mark, e.lines.indexOf(hystUp)).filter((l) => l['kind'] === 'attempt' && l['port'] === 8080 && l['ok'] === true);
  t.is(passedBefore.length, 2, 'rise 2: up on the second pass in a row');
  const reals = e.lines.slice(mark).filter((l) => l['kind'] === 'real' && e.names.get(String(l['service'])) === 'http');
  t.deepEqual(reals.map((l) => (l['to'] as { up: boolean }).up), [true], 'one real-server event per change');
});

test('ping uses the unprivileged ICMP datagram socket when ping_group_range allows root', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const dirNs = lan.ns['dir'] ?? '';
  nsExec(dirNs, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=0 2147483647']);
  const ip = lan.ip4['srv'] ?? '';
  const e = startEngine(t, dirNs, tempDir(t), { ping: service(11, [real(ip, { checks: [check({ kind: 'ping' }, FAST)] })]) });
  await waitUntil(() => e.lines.some((l) => l['kind'] === 'snapshot' && l['ping'] === 'dgram'), 'a dgram ping socket');
  await waitUntil(() => e.lines.filter((l) => l['kind'] === 'attempt' && l['ok'] === true).length >= 2, 'two echo replies');
  nsExec(lan.ns['srv'] ?? '', 'ip', ['link', 'set', 'eth0', 'down']);
  t.like(await e.state('ping', 'down', 0), { reason: 'timeout' });
});
