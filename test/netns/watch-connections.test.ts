/**
 * lvsd --watch-connections against a real nginx (namespaces, host kernel; the IPVS table is the
 * in-memory one of --debug-ipvs-memory): with delay_loop 30 s, every nginx process killed
 * (kill -9) is noticed by the watching lvsd within a second or two (the kernel resets its idle
 * connection, or closes it and the reconnect is refused; the checks run at once), while an lvsd without the flag,
 * same config, still has the server up when that one has already taken it out. `warmup 0`: a
 * watch connects when its target's first check is due, and keepalived's default warmup
 * (delay_loop) would put that anywhere in the first 30 s.
 */
import test from 'ava';
import { join } from 'node:path';
import { killNamespace } from './kp-peers.js';
import { LVSCTL, startLvsd, tempDir } from './lvsd-harness.js';
import { startNginx } from './health-servers.js';
import { makeLan, nsExec } from './topology.js';
import { STARTUP_MS, waitUntil } from '../fixtures/wait.js';
import { STABLE_MS } from '../../src/health/watch.js';

const conf = (ip: string): string => `virtual_server 192.0.2.10 80 {
  delay_loop 30
  lb_kind NAT
  lb_algo rr
  protocol TCP
  real_server ${ip} 80 {
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 1
      retry 0
      warmup 0
    }
  }
  real_server ${ip} 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
      warmup 0
    }
  }
}
`;

const downs = (lines: ReadonlyArray<Record<string, unknown>>): string[] =>
  lines.filter((l) => l['event'] === 'check.state' && l['to'] === 'down').map((l) => String(l['rs']));

test('a killed nginx is out at once with --watch-connections, not 30 s later; without the flag nothing happens yet', async (t) => {
  const lan = makeLan(t, ['dir', 'srv']);
  const dirNs = lan.ns['dir'] ?? '';
  const srv = lan.ns['srv'] ?? '';
  const ip = lan.ip4['srv'] ?? '';
  const dir = tempDir(t);
  t.teardown(() => killNamespace(srv));
  startNginx(t, srv, join(dir, 'nginx'), ip);
  await waitUntil(() => nsExec(srv, 'ss', ['-Htln']).includes(`${ip}:8080`), 'nginx listening', STARTUP_MS);
  const watching = startLvsd(t, { ns: dirNs, name: 'w', dir, config: conf(ip), extraArgs: ['--debug-ipvs-memory', '--watch-connections'] });
  const plain = startLvsd(t, { ns: dirNs, name: 'p', dir, config: conf(ip), extraArgs: ['--debug-ipvs-memory'] });
  await waitUntil(() => watching.lines.some((l) => l['event'] === 'director.start'), 'lvsd started', STARTUP_MS).catch((e: unknown) => {
    t.log(watching.child.exitCode, watching.child.signalCode, watching.stderr.join(''), JSON.stringify(watching.lines), watching.child.spawnargs.join(' '));
    throw e;
  });
  const established = (): number => nsExec(srv, 'ss', ['-Htn', 'state', 'established', `( sport = :80 or sport = :8080 )`]).split('\n').filter((l) => l.trim() !== '').length;
  await waitUntil(() => established() === 2, 'the two watch connections (the checks close theirs)', STARTUP_MS);
  await waitUntil(() => [watching, plain].every((d) => d.lines.some((l) => l['event'] === 'ipvs.apply')), 'both tables programmed', STARTUP_MS);
  // The realistic case: watch connections that have been idle a while (an idle close then needs a failed reconnect).
  const idleUntil = Date.now() + STABLE_MS + 500;
  await waitUntil(() => Date.now() >= idleUntil, 'the watch connections idle for STABLE_MS', STABLE_MS + 5000, 100);
  t.deepEqual([...downs(watching.lines), ...downs(plain.lines)], [], 'everything up before the kill');
  const checks = (d: { socket: string }): string => nsExec(dirNs, process.execPath, [LVSCTL, '--socket', d.socket, 'checks']);
  t.regex(checks(watching), new RegExp(`http ${ip.replaceAll('.', '\\.')}:80, watched: up`));
  t.regex(checks(watching), new RegExp(`tcp ${ip.replaceAll('.', '\\.')}:8080, watched: up`));
  t.notRegex(checks(plain), /watch/);

  const killed = Date.now();
  killNamespace(srv);
  await waitUntil(() => downs(watching.lines).length === 2, 'the watching lvsd takes both servers out', 10_000);
  const tookMs = Date.now() - killed;
  t.true(tookMs < 4000, `both out ${tookMs} ms after the kill (HTTP_GET: at once; TCP_CHECK: one retry 1 s later)`);
  t.deepEqual(downs(watching.lines).sort(), [`${ip}:80`, `${ip}:8080`]);
  const watchLines = watching.lines.filter((l) => l['event'] === 'check.watch');
  t.true(watchLines.length >= 2 && watchLines.every((l) => l['why'] === 'ECONNRESET' || l['why'] === 'ECONNREFUSED'), JSON.stringify(watchLines));
  t.deepEqual(downs(plain.lines), [], 'without the flag the next check is still up to 30 s away');
  t.true(plain.lines.every((l) => l['event'] !== 'check.watch'));
  for (const d of [watching, plain]) {
    d.kill('SIGTERM');
    t.is(await d.exited, 0, d.stderr.join(''));
  }
});
