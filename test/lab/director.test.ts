/**
 * lvsd programming IPVS in the lab (real ip_vs, real ipvsadm as the oracle), direct
 * routing end to end: client → VIP on the director → real server in another namespace.
 *   - start programs the table; `ipvsadm -S -n` shows exactly the config
 *   - a reload that changes one destination performs exactly one operation
 *   - kill -9 and restart: zero operations, counters and the open connection untouched
 *   - an operation the kernel refuses is reported; the others still apply
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLan, nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { REPO, startLvsd, tempDir, LVSD, LVSCTL } from '../netns/lvsd-harness.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const VIP = '198.51.100.100';

function conf(weight2: number, extra = ''): string {
  return `virtual_server ${VIP} 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 198.51.100.3 80 {
        weight 1
    }
    real_server 198.51.100.4 80 {
        weight ${weight2}
    }
}
virtual_server ${VIP} 443 {
    lb_algo wlc
    lb_kind DR
    protocol TCP
    persistence_timeout 600
    real_server 198.51.100.3 443 {
        weight 1
    }
}
${extra}`;
}

const applies = (lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> => lines.filter((l) => l.event === 'ipvs.apply');

labTest('start, one-change reload, kill -9 + restart keeps table, counters and the open connection', async (t) => {
  const lan = makeLan(t, ['dir', 'client', 'rs1', 'rs2']);
  const dir = tempDir(t);
  nsExec(lan.ns.dir!, 'ip', ['addr', 'add', `${VIP}/24`, 'dev', 'eth0']); // the VIP (VRRP is not part of this test)
  for (const rs of ['rs1', 'rs2']) {
    nsExec(lan.ns[rs]!, process.execPath, [LVSD, 'realserver', '--vip', VIP, '--state', join(dir, `${rs}.state`)]);
    const srv = spawn('ip', ['netns', 'exec', lan.ns[rs]!, process.execPath, join(REPO, 'dist/test/fixtures/echo-server.js'), '80', rs], { stdio: 'ignore' });
    t.teardown(() => srv.kill('SIGKILL'));
  }
  const d1 = startLvsd(t, { ns: lan.ns.dir!, name: 'd1', dir, config: conf(1) });
  await waitUntil(() => applies(d1.lines).length >= 1, 'first ipvs.apply', 60_000, 50);
  t.is(applies(d1.lines)[0]?.ops, 5, 'two services + three destinations');
  const saved = nsExec(lan.ns.dir!, 'ipvsadm', ['-S', '-n']);
  t.regex(saved, new RegExp(`-A -t ${VIP.replaceAll('.', '\\.')}:80 -s rr`));
  t.regex(saved, /-a -t 198\.51\.100\.100:443 -r 198\.51\.100\.3:443 -g -w 1/);
  t.regex(saved, /-A -t 198\.51\.100\.100:443 -s wlc -p 600/);

  // an open connection through the director
  const client = spawn('ip', ['netns', 'exec', lan.ns.client!, process.execPath, join(REPO, 'dist/test/fixtures/hold-conn.js'), VIP, '80'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => client.kill('SIGKILL'));
  let got = '';
  client.stdout.setEncoding('utf8').on('data', (s: string) => (got += s));
  client.stdin.write('one\n');
  await waitUntil(() => /rs\d: one/.test(got), 'echo through the VIP', 30_000, 50);
  const conns = () => nsExec(lan.ns.dir!, 'ipvsadm', ['-L', '-n', '-c']);
  t.regex(conns(), /ESTABLISHED/);
  // IPVS folds per-CPU counters into what dumps show every 2 s (estimator): read until settled
  const stats = () => nsExec(lan.ns.dir!, 'ipvsadm', ['-L', '-n', '--stats', '--exact']);
  const settled = async (): Promise<string> => {
    for (let prev = stats(); ; ) {
      await new Promise((r) => setTimeout(r, 2500));
      const cur = stats();
      if (cur === prev) return cur;
      prev = cur;
    }
  };
  const statsBefore = await settled();
  t.regex(statsBefore, /TCP  198\.51\.100\.100:80 +1 /, 'the connection is counted');

  // reload changing one destination's weight: exactly one operation
  writeFileSync(d1.config, conf(5));
  d1.kill('SIGHUP');
  await waitUntil(() => applies(d1.lines).length >= 2, 'second ipvs.apply', 30_000, 50);
  const second = applies(d1.lines)[1]!;
  t.is(second.ops, 1);
  t.deepEqual(second.byKind, { 'edit-dest': 1 });
  t.regex(nsExec(lan.ns.dir!, 'ipvsadm', ['-S', '-n']), /-r 198\.51\.100\.4:80 -g -w 5/);
  const info = JSON.parse(nsExec(lan.ns.dir!, process.execPath, [LVSCTL, '--socket', d1.socket, 'director', '--json'])) as
    { ipvs: { opsApplied: number; lastApply: { ops: number } } };
  t.is(info.ipvs.opsApplied, 6, 'operation counts visible through lvsctl');
  t.is(info.ipvs.lastApply.ops, 1);

  // kill -9, restart: adopts the table with zero operations
  d1.kill('SIGKILL');
  await d1.exited;
  const d2 = startLvsd(t, { ns: lan.ns.dir!, name: 'd2', dir, config: conf(5) });
  await waitUntil(() => applies(d2.lines).length >= 1, 'ipvs.apply after restart', 60_000, 50);
  t.is(applies(d2.lines)[0]?.ops, 0, 'restart adopts the table: no operation');
  t.is(await settled(), statsBefore, 'counters untouched (no new traffic meanwhile)');
  t.regex(conns(), /ESTABLISHED/);
  client.stdin.write('two\n');
  await waitUntil(() => /rs\d: two/.test(got), 'the same connection still works', 30_000, 50);
  t.notRegex(got, /closed|error/);
});

labTest('an operation the kernel refuses is reported and the others still apply', async (t) => {
  const lan = makeLan(t, ['dir']);
  const dir = tempDir(t);
  // 198.51.100.255 is the LAN's broadcast address: the kernel refuses it as a destination (EINVAL)
  const extra = `virtual_server ${VIP} 8080 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 198.51.100.255 8080 {
        weight 1
    }
}
`;
  const d = startLvsd(t, { ns: lan.ns.dir!, name: 'd', dir, config: conf(1, extra) });
  await waitUntil(() => applies(d.lines).length >= 1, 'ipvs.apply', 60_000, 50);
  const a = applies(d.lines)[0]!;
  t.is(a.failed, 1);
  const refused = d.lines.find((l) => l.event === 'ipvs.op');
  t.truthy(refused);
  t.regex(JSON.stringify(refused), /198\.51\.100\.255/);
  const saved = nsExec(lan.ns.dir!, 'ipvsadm', ['-S', '-n']);
  t.regex(saved, /-a -t 198\.51\.100\.100:80 -r 198\.51\.100\.4:80/);
  t.regex(saved, /-A -t 198\.51\.100\.100:8080 -s rr/);
  t.notRegex(saved, /198\.51\.100\.255/);
});
