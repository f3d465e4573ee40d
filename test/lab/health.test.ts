/**
 * Health checks driving the IPVS table in the lab (real ip_vs; `ipvsadm -S -n` and
 * `ipvsadm -L -n` are the oracle). One keepalived.conf director in a namespace, real servers
 * in others: an HTTP server whose status the test switches (HTTP_GET), an echo server
 * (TCP_CHECK), a flag file (MISC_CHECK), a sorry server, and an inhibit_on_failure service
 * whose check port is separate from its service port so an open connection can outlive the
 * check.
 *   - a server whose check fails leaves the table; it comes back when the check passes;
 *   - with every real server down the sorry server is alone in the table, and leaves when one
 *     returns;
 *   - inhibit_on_failure: weight 0, the established connection still works, weight 1 again;
 *   - `lvsctl checks` shows the reasons; `lvsctl drain` sets weight 0 and survives `lvsctl reload`.
 *
 * Run: scripts/lab run -- node_modules/.bin/ava --tap --serial --timeout=10m dist/test/lab/health.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLan, nsExec, startIn, type Proc } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { LVSCTL, LVSD, REPO, startLvsd, tempDir } from '../netns/lvsd-harness.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const VIP = '198.51.100.100';
// makeLan numbers hosts in order: dir .1, client .2, rs1 .3, rs2 .4, rs3 .5, sorry .6
const RS1 = '198.51.100.3';
const RS2 = '198.51.100.4';
const RS3 = '198.51.100.5';
const SORRY = '198.51.100.6';

function conf(dir: string): string {
  // Generous timeouts: the lab is emulated and shares a busy host; refusals and 503s are immediate anyway.
  const timing = 'connect_timeout 3\n            retry 2\n            delay_before_retry 0.5';
  return `global_defs {
    router_id lab-health
}
virtual_server ${VIP} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    sorry_server ${SORRY} 80
    real_server ${RS1} 80 {
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            ${timing}
        }
    }
    real_server ${RS2} 80 {
        TCP_CHECK {
            ${timing}
        }
    }
    real_server ${RS3} 80 {
        MISC_CHECK {
            misc_path "/usr/bin/test -e ${join(dir, 'rs3-up')}"
            misc_timeout 3
        }
    }
}
virtual_server ${VIP} 8080 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server ${RS1} 8080 {
        inhibit_on_failure
        TCP_CHECK {
            connect_port 8081
            ${timing}
        }
    }
}
`;
}

/** Destinations of VIP:port in the kernel, "RIP:PORT wN", sorted (ipvsadm -S -n). */
function dests(ns: string, port: number): string[] {
  const out = nsExec(ns, 'ipvsadm', ['-S', '-n']);
  const re = new RegExp(`^-a -t ${VIP.replaceAll('.', '\\.')}:${port} -r (\\S+) -g -w (\\d+)`, 'gm');
  return [...out.matchAll(re)].map((m) => `${m[1]} w${m[2]}`).sort();
}

async function until(ns: string, port: number, want: readonly string[], what: string): Promise<void> {
  let seen: string[] = [];
  try {
    await waitUntil(() => JSON.stringify(seen = dests(ns, port)) === JSON.stringify(want), what, 60_000, 200);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the table has ${JSON.stringify(seen)}`);
  }
}

function server(t: ExecutionContext, ns: string, fixture: string, args: readonly string[]): Proc {
  return startIn(t, ns, process.execPath, [join(REPO, 'dist/test/fixtures', fixture), ...args]);
}

async function listening(p: Proc, what: string): Promise<void> {
  await waitUntil(() => p.lines.some((l) => l.raw === 'listening'), `${what} listening`, 30_000, 50);
}

labTest('checks drive the table: failures leave, recoveries return, the sorry server stands in, inhibit keeps connections, drain survives reload', async (t) => {
  const lan = makeLan(t, ['dir', 'client', 'rs1', 'rs2', 'rs3', 'sorry']);
  const ns = lan.ns as Record<'dir' | 'client' | 'rs1' | 'rs2' | 'rs3' | 'sorry', string>;
  const dir = tempDir(t);
  nsExec(ns.dir, 'ip', ['addr', 'add', `${VIP}/24`, 'dev', 'eth0']); // the VIP (no VRRP in this test)
  nsExec(ns.rs1, process.execPath, [LVSD, 'realserver', '--vip', VIP, '--state', join(dir, 'rs1.state')]);
  const rs1Down = join(dir, 'rs1-down');
  const rs3Up = join(dir, 'rs3-up');
  writeFileSync(rs3Up, '');
  const http = server(t, ns.rs1, 'status-server.js', ['80', rs1Down, 'rs1']);
  const svc8080 = server(t, ns.rs1, 'echo-server.js', ['8080', 'rs1']);
  let check8081 = server(t, ns.rs1, 'echo-server.js', ['8081', 'rs1-check']);
  let echo2 = server(t, ns.rs2, 'echo-server.js', ['80', 'rs2']);
  for (const [p, what] of [[http, 'rs1 http'], [svc8080, 'rs1 8080'], [check8081, 'rs1 8081'], [echo2, 'rs2 echo']] as const) await listening(p, what);

  const d = startLvsd(t, { ns: ns.dir, name: 'd', dir, config: conf(dir) });
  await until(ns.dir, 80, [`${RS1}:80 w1`, `${RS2}:80 w1`, `${RS3}:80 w1`], 'the three real servers');
  await until(ns.dir, 8080, [`${RS1}:8080 w1`], 'the inhibit service');
  const lvsctl = (...args: string[]): string => nsExec(ns.dir, process.execPath, [LVSCTL, '--socket', d.socket, ...args]);

  // HTTP 503, connection refused, exit 1: each server leaves; with none left, the sorry server stands in
  writeFileSync(rs1Down, '');
  await until(ns.dir, 80, [`${RS2}:80 w1`, `${RS3}:80 w1`], 'rs1 gone after HTTP 503');
  echo2.kill('SIGKILL');
  await until(ns.dir, 80, [`${RS3}:80 w1`], 'rs2 gone after connection refused');
  rmSync(rs3Up);
  await until(ns.dir, 80, [`${SORRY}:80 w1`], 'the sorry server alone');
  const checks = lvsctl('checks');
  t.regex(checks, new RegExp(`${RS1}:80  down  not in the table \\(down\\)\\n    http ${RS1}:80: down since .*, last HTTP 503,`));
  t.regex(checks, new RegExp(`tcp ${RS2}:80: down since .*, last connection refused,`));
  t.regex(checks, new RegExp(`misc ${RS3}:80: down since .*, last exit 1,`));
  t.regex(checks, new RegExp(`${SORRY}:80  sorry server  weight 1`));
  const down503 = d.lines.find((l) => l.event === 'check.state' && l.rs === `${RS1}:80` && l.to === 'down' && l.detail === 'HTTP 503');
  t.like(down503, { svc: `TCP ${VIP}:80`, check: 'http', index: 0, from: 'up', reason: 'status' });
  t.is(typeof down503?.ms, 'number');

  // one returns: the sorry server leaves
  echo2 = server(t, ns.rs2, 'echo-server.js', ['80', 'rs2']);
  await until(ns.dir, 80, [`${RS2}:80 w1`], 'rs2 back, the sorry server gone');
  rmSync(rs1Down);
  writeFileSync(rs3Up, '');
  await until(ns.dir, 80, [`${RS1}:80 w1`, `${RS2}:80 w1`, `${RS3}:80 w1`], 'everyone back');

  // inhibit_on_failure: the check fails, the server stays at weight 0 and its open connection works
  const client = spawn('ip', ['netns', 'exec', ns.client, process.execPath, join(REPO, 'dist/test/fixtures/hold-conn.js'), VIP, '8080'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => client.kill('SIGKILL'));
  let got = '';
  client.stdout.setEncoding('utf8').on('data', (s: string) => (got += s));
  client.stdin.write('one\n');
  await waitUntil(() => got.includes('rs1: one'), 'echo through the VIP', 30_000, 50);
  check8081.kill('SIGKILL');
  await until(ns.dir, 8080, [`${RS1}:8080 w0`], 'weight 0 with inhibit_on_failure');
  t.regex(nsExec(ns.dir, 'ipvsadm', ['-L', '-n']), new RegExp(`-> ${RS1}:8080 +Route +0 +1 +0`), 'weight 0, one active connection');
  client.stdin.write('two\n');
  await waitUntil(() => got.includes('rs1: two'), 'the established connection still works at weight 0', 30_000, 50);
  check8081 = server(t, ns.rs1, 'echo-server.js', ['8081', 'rs1-check']);
  await until(ns.dir, 8080, [`${RS1}:8080 w1`], 'weight 1 again');
  t.notRegex(got, /closed|error/);

  // drain: weight 0, kept across a reload, shown in checks; enable restores
  t.regex(lvsctl('drain', `${VIP}:80`, `${RS2}:80`), /drained, weight 0 \(configured 1\)/);
  t.deepEqual(dests(ns.dir, 80), [`${RS1}:80 w1`, `${RS2}:80 w0`, `${RS3}:80 w1`]);
  t.regex(lvsctl('reload'), /^reloaded/);
  t.deepEqual(dests(ns.dir, 80), [`${RS1}:80 w1`, `${RS2}:80 w0`, `${RS3}:80 w1`], 'the drain survives the reload');
  t.regex(lvsctl('checks'), new RegExp(`${RS2}:80  up  weight 0 of 1, drained`));
  // a reload with a broken file changes nothing
  const good = readFileSync(d.config, 'utf8');
  writeFileSync(d.config, good.replace('lb_algo rr', 'lb_algo nonsense'));
  const bad = spawnSync('ip', ['netns', 'exec', ns.dir, process.execPath, LVSCTL, '--socket', d.socket, 'reload'], { encoding: 'utf8' });
  t.is(bad.status, 1);
  t.regex(bad.stderr, /reload refused; the running configuration is unchanged/);
  t.deepEqual(dests(ns.dir, 80), [`${RS1}:80 w1`, `${RS2}:80 w0`, `${RS3}:80 w1`], 'a refused reload changes nothing');
  writeFileSync(d.config, good);
  t.regex(lvsctl('enable', `${VIP}:80`, `${RS2}:80`), /enabled, weight 1/);
  t.deepEqual(dests(ns.dir, 80), [`${RS1}:80 w1`, `${RS2}:80 w1`, `${RS3}:80 w1`]);
  t.is(d.lines.filter((l) => l.event === 'ipvs.op').length, 0, 'the kernel refused nothing');
});
