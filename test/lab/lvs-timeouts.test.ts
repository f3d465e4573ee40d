/**
 * keepalived global_defs lvs_timeouts in the lab (real ip_vs; `ipvsadm -L --timeout` as the
 * oracle): lvsd sets the given timeouts in its namespace's IPVS at start, leaves the unnamed
 * one (tcpfin) as the kernel had it, and sets the new ones on a reload that changes them.
 */
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { makeLan, nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { startLvsd, tempDir } from '../netns/lvsd-harness.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;

const conf = (tcp: number): string => `global_defs {
    lvs_timeouts tcp ${tcp} udp 60
}
virtual_server 198.51.100.100 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 198.51.100.3 80 {
    }
}
`;

const timeouts = (ns: string): string => nsExec(ns, 'ipvsadm', ['-L', '--timeout']).trim();

labTest('lvs_timeouts: set at start (tcpfin left alone), set again when a reload changes them', async (t) => {
  const lan = makeLan(t, ['dir']);
  const dir = tempDir(t);
  const ns = lan.ns['dir']!;
  nsExec(ns, 'ipvsadm', ['--set', '900', '77', '300']); // a tcpfin lvsd must not touch
  const d = startLvsd(t, { ns, name: 'd', dir, config: conf(7200) });
  await waitUntil(() => d.lines.some((l) => l.event === 'ipvs.timeouts'), 'ipvs.timeouts', 60_000, 50);
  t.is(timeouts(ns), 'Timeout (tcp tcpfin udp): 7200 77 60');
  writeFileSync(d.config, conf(3600));
  d.child.kill('SIGHUP');
  await waitUntil(() => d.lines.filter((l) => l.event === 'ipvs.timeouts').length === 2, 'the second ipvs.timeouts', 30_000, 50);
  t.is(timeouts(ns), 'Timeout (tcp tcpfin udp): 3600 77 60');
});
