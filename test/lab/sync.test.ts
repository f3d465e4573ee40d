/**
 * Connection sync end to end in the lab (real ip_vs): two directors running lvsd with VRRP and
 * `lvs_sync_daemon eth0 VI_1`, a client and a direct-routing real server on one bridge.
 *   - the kernel sync daemons follow the roles: master on dirA (VRRP master), backup on dirB;
 *   - the client's established connection shows up on dirB (ipvsadm -L -n -c, lvsctl status -c);
 *   - kill -9 dirA's lvsd and take its link down: dirB becomes VRRP master, its daemon becomes
 *     the master, and the same TCP connection still exchanges data through dirB;
 *   - dirA back: it adopts or swaps its leftover daemon, takes over again (priority 150), and
 *     dirB's daemon goes back to backup;
 *   - the same failover without sync loses the connection (dirB never heard of it: the next
 *     segment is not scheduled and dirB's own stack answers it with a reset).
 * Timings are generous: the lab emulates its CPU.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeLan, nsExec, type Lan } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { LVSCTL, LVSD, REPO, roleOf, startLvsd, tempDir, type Director } from '../netns/lvsd-harness.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const VIP = '198.51.100.100';
const SLOW = 60_000;

function conf(o: { name: string; priority: number; rs: string; sync: boolean }): string {
  return `global_defs {
    router_id ${o.name}
    vrrp_version 3
${o.sync ? '    lvs_sync_daemon eth0 VI_1\n' : ''}}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${o.priority}
    advert_int 0.5
    virtual_ipaddress {
        ${VIP}/24
    }
}
virtual_server ${VIP} 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server ${o.rs} 80 {
        weight 1
    }
}
`;
}

interface Setup {
  readonly lan: Lan;
  readonly dir: string;
  readonly a: Director;
  readonly b: Director;
}

/** dirA (priority 150), dirB (100), a client and one real server with an echo server on port 80. */
async function setup(t: ExecutionContext, sync: boolean): Promise<Setup> {
  const lan = makeLan(t, ['dirA', 'dirB', 'client', 'rs']);
  const dir = tempDir(t);
  const rs = lan.ns.rs!;
  nsExec(rs, process.execPath, [LVSD, 'realserver', '--vip', VIP, '--state', join(dir, 'rs.state')]);
  const srv = spawn('ip', ['netns', 'exec', rs, process.execPath, join(REPO, 'dist/test/fixtures/echo-server.js'), '80', 'rs'], { stdio: 'ignore' });
  t.teardown(() => srv.kill('SIGKILL'));
  const start = (name: 'dirA' | 'dirB', priority: number): Director =>
    startLvsd(t, { ns: lan.ns[name]!, name, dir, config: conf({ name, priority, rs: lan.ip4.rs!, sync }) });
  const a = start('dirA', 150);
  const b = start('dirB', 100);
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(b, 'VI_1') === 'BACKUP', 'dirA MASTER, dirB BACKUP', SLOW, 50);
  return { lan, dir, a, b };
}

const daemons = (ns: string): string => nsExec(ns, 'ipvsadm', ['-L', '-n', '--daemon']);
const conns = (ns: string): string => nsExec(ns, 'ipvsadm', ['-L', '-n', '-c']);

/** A client holding one TCP connection to the VIP; `say` sends a line, `got` is all it printed. */
function holdConnection(t: ExecutionContext, lan: Lan): { say: (line: string) => void; got: () => string } {
  const c = spawn('ip', ['netns', 'exec', lan.ns.client!, process.execPath, join(REPO, 'dist/test/fixtures/hold-conn.js'), VIP, '80'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => c.kill('SIGKILL'));
  let got = '';
  c.stdout.setEncoding('utf8').on('data', (s: string) => (got += s));
  return { say: (line) => c.stdin.write(`${line}\n`), got: () => got };
}

/** kill -9 dirA's lvsd (its VIP and kernel daemon stay behind) and take dirA off the wire. */
async function crashDirA(s: Setup): Promise<void> {
  s.a.kill('SIGKILL');
  await s.a.exited;
  nsExec(s.lan.ns.dirA!, 'ip', ['link', 'set', 'eth0', 'down']);
}

const masterLine = /^master sync daemon \(mcast=eth0, syncid=51, maxlen=\d+, group=224\.0\.0\.81, port=8848, ttl=1\)$/m;
const backupLine = /^backup sync daemon \(mcast=eth0, syncid=51, maxlen=\d+, group=224\.0\.0\.81, port=8848, ttl=1\)$/m;

labTest('with sync: the daemons follow the roles, the backup knows the connection, and it survives a failover', async (t) => {
  const s = await setup(t, true);
  const { dirA, dirB, client } = s.lan.ns as Record<string, string>;
  await waitUntil(() => masterLine.test(daemons(dirA!)) && backupLine.test(daemons(dirB!)), 'master daemon on dirA, backup on dirB', SLOW, 100);
  t.notRegex(daemons(dirA!), backupLine, 'dirA runs the master only');
  t.notRegex(daemons(dirB!), masterLine, 'dirB runs the backup only');

  const c = holdConnection(t, s.lan);
  c.say('one');
  await waitUntil(() => /rs: one/.test(c.got()), 'echo through the VIP via dirA', SLOW, 50);
  const clientConn = new RegExp(`TCP\\s+\\S+\\s+ESTABLISHED\\s+${s.lan.ip4.client!.replaceAll('.', '\\.')}:\\d+\\s+${VIP.replaceAll('.', '\\.')}:80\\s+${s.lan.ip4.rs!.replaceAll('.', '\\.')}:80`);
  t.regex(conns(dirA!), clientConn);
  await waitUntil(() => clientConn.test(conns(dirB!)), 'the connection synced to dirB', SLOW, 200);
  t.regex(nsExec(dirB!, process.execPath, [LVSCTL, 'status', '-c']), clientConn, 'lvsctl status -c on the backup shows it too');

  await crashDirA(s);
  await waitUntil(() => roleOf(s.b, 'VI_1') === 'MASTER', 'dirB takes over', SLOW, 50);
  await waitUntil(() => masterLine.test(daemons(dirB!)) && !backupLine.test(daemons(dirB!)), 'dirB swaps to the master daemon', SLOW, 100);
  const view = JSON.parse(nsExec(dirB!, process.execPath, [LVSCTL, '--socket', s.b.socket, 'sync', '--json'])) as
    { kernel: Array<{ state: string }>; lvsd: { role: string; wanted: Array<{ state: string }> } };
  t.deepEqual(view.kernel.map((d) => d.state), ['master']);
  t.is(view.lvsd.role, 'MASTER');
  t.deepEqual(view.lvsd.wanted.map((d) => d.state), ['master']);

  c.say('two');
  await waitUntil(() => /rs: two/.test(c.got()), 'the same connection answers through dirB', SLOW, 50);
  t.notRegex(c.got(), /closed|error/);
  t.regex(conns(dirB!), clientConn);
  t.regex(nsExec(client!, 'ip', ['neigh', 'show', VIP]), new RegExp(nsExec(dirB!, 'cat', ['/sys/class/net/eth0/address']).trim()), 'the client reaches the VIP at dirB');

  // dirA comes back with a new lvsd: it preempts (150 > 100); every transition swaps the daemons
  nsExec(dirA!, 'ip', ['link', 'set', 'eth0', 'up']);
  const a2 = startLvsd(t, { ns: dirA!, name: 'dirA2', dir: s.dir, config: conf({ name: 'dirA', priority: 150, rs: s.lan.ip4.rs!, sync: true }) });
  await waitUntil(() => roleOf(a2, 'VI_1') === 'MASTER' && roleOf(s.b, 'VI_1') === 'BACKUP', 'dirA takes over again', SLOW, 50);
  await waitUntil(() => masterLine.test(daemons(dirA!)) && backupLine.test(daemons(dirB!)), 'master on dirA, backup on dirB again', SLOW, 100);
  t.notRegex(daemons(dirB!), masterLine);
  c.say('three');
  await waitUntil(() => /rs: three/.test(c.got()), 'the connection still answers after the failback', SLOW, 50);
  t.notRegex(c.got(), /closed|error/);
});

labTest('without sync the same failover loses the connection', async (t) => {
  const s = await setup(t, false);
  const { dirA, dirB } = s.lan.ns as Record<string, string>;
  t.is(daemons(dirA!), '', 'no sync daemon configured: none runs');
  const c = holdConnection(t, s.lan);
  c.say('one');
  await waitUntil(() => /rs: one/.test(c.got()), 'echo through the VIP via dirA', SLOW, 50);
  t.regex(conns(dirA!), /ESTABLISHED/);
  t.notRegex(conns(dirB!), /ESTABLISHED/, 'dirB never hears of it');

  await crashDirA(s);
  await waitUntil(() => roleOf(s.b, 'VI_1') === 'MASTER', 'dirB takes over', SLOW, 50);
  // the client's neighbour entry follows dirB's gratuitous ARP; then the segment reaches dirB
  const dirBMac = nsExec(dirB!, 'cat', ['/sys/class/net/eth0/address']).trim();
  await waitUntil(() => nsExec(s.lan.ns.client!, 'ip', ['neigh', 'show', VIP]).includes(dirBMac), 'the client sends to dirB', SLOW, 50);
  c.say('two');
  await waitUntil(() => /closed|error/.test(c.got()), 'the connection is reset', SLOW, 50);
  t.notRegex(c.got(), /rs: two/);
});
