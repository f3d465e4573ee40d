/**
 * The two other forwarding methods in the lab (real ip_vs), once each, programmed by lvsd from
 * keepalived.conf (DR is dr.test.ts): the table as ipvsadm shows it (and `lvsctl status`, byte
 * for byte), and a request from a client through it.
 *   - NAT (Masq): the real server sits in 198.51.101.0/24 behind the director (its default
 *     route), which rewrites the destination going in and the source coming back;
 *   - tunnel (IPIP): the director wraps the packet for the real server on the same LAN, which
 *     has the VIP on tunl0 (prepared with `lvsd realserver --dev tunl0`) and answers the client
 *     directly.
 * One director, no VRRP: the VIPs are put on its eth0 by hand.
 */
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LVSCTL, LVSD, startLvsd, tempDir } from '../netns/lvsd-harness.js';
import { makeLan, nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { curl, startNginx } from './dr-world.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const NAT_VIP = '198.51.100.110';
const TUN_VIP = '198.51.100.120';
const NAT_RS = '198.51.101.2';
const NAT_GW = '198.51.101.1';

const config = (tunRs: string): string => `virtual_server ${NAT_VIP} 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${NAT_RS} 80 {
        weight 1
    }
}
virtual_server ${TUN_VIP} 80 {
    lb_algo rr
    lb_kind TUN
    protocol TCP
    real_server ${tunRs} 80 {
        weight 2
    }
}
`;

/** A destination line of `ipvsadm -L -n` with no connections (ipvsadm's widths, trailing blanks included). */
const destLine = (addr: string, forward: string, weight: number): string =>
  `  -> ${addr.padEnd(28)} ${forward.padEnd(7)} ${String(weight).padEnd(6)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}`;

const sh = (ns: string, ...argv: string[]): string => nsExec(ns, argv[0]!, argv.slice(1));

labTest('NAT and tunnel forwarding: the table as ipvsadm shows it, and a request through each', async (t) => {
  await execa('modprobe', ['ipip']); // tunl0 in every namespace
  const lan = makeLan(t, ['dir', 'client', 'rsnat', 'rstun']);
  const dir = tempDir(t);
  const { dir: d, rsnat, rstun } = lan.ns as Record<string, string>;
  // NAT: the real server in its own subnet, routed through the director
  sh(d!, 'ip', 'addr', 'add', `${NAT_GW}/24`, 'dev', 'eth0');
  sh(d!, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0');
  sh(rsnat!, 'ip', 'addr', 'flush', 'dev', 'eth0');
  sh(rsnat!, 'ip', 'addr', 'add', `${NAT_RS}/24`, 'dev', 'eth0');
  sh(rsnat!, 'ip', 'route', 'add', 'default', 'via', NAT_GW);
  for (const vip of [NAT_VIP, TUN_VIP]) sh(d!, 'ip', 'addr', 'add', `${vip}/24`, 'dev', 'eth0');
  const lvsd = startLvsd(t, { ns: d!, name: 'dir', dir, config: config(lan.ip4.rstun!) });
  // tunnel: the VIP on tunl0; decapsulated packets arrive on tunl0 from a source routed via eth0
  sh(rstun!, 'ip', 'link', 'set', 'tunl0', 'up');
  await execa('ip', ['netns', 'exec', rstun!, process.execPath, LVSD, 'realserver', '--vip', TUN_VIP, '--dev', 'tunl0', '--state', join(dir, 'rstun.state')]);
  sh(rstun!, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.tunl0.rp_filter=0');
  for (const [ns, name] of [[rsnat!, 'rsnat nginx'], [rstun!, 'rstun nginx']] as const) {
    const stop = startNginx({ ns, dir, name, ports: [80] });
    t.teardown(stop);
  }
  for (const [ip, name] of [[NAT_RS, 'rsnat nginx'], [lan.ip4.rstun!, 'rstun nginx']] as const) {
    await waitUntil(() => curl(d!, `http://${ip}/`) === `${name}\n`, `${name} answering on its own address`, 60_000, 200);
  }
  await waitUntil(() => lvsd.lines.some((l) => l.event === 'ipvs.apply'), 'lvsd programs the table', 60_000, 50);

  const table = sh(d!, 'ipvsadm', '-L', '-n');
  t.is(table, [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    `TCP  ${NAT_VIP}:80 rr`,
    destLine(`${NAT_RS}:80`, 'Masq', 1),
    `TCP  ${TUN_VIP}:80 rr`,
    destLine(`${lan.ip4.rstun!}:80`, 'Tunnel', 2),
    '',
  ].join('\n'));
  t.is(sh(d!, process.execPath, LVSCTL, 'status'), table, 'lvsctl status prints the same bytes');

  t.is(curl(lan.ns.client!, `http://${NAT_VIP}/`), 'rsnat nginx\n', 'a request through NAT');
  t.is(curl(lan.ns.client!, `http://${TUN_VIP}/`), 'rstun nginx\n', 'a request through the tunnel');
  // the kernel folds its per-CPU counters into what a dump shows every 2 s: wait for them
  const stats = (): string => sh(d!, 'ipvsadm', '-L', '-n', '--stats', '--exact');
  const counted = (vip: string): RegExp => new RegExp(`TCP  ${vip}:80 +1 `.replaceAll('.', '\\.'));
  await waitUntil(() => counted(NAT_VIP).test(stats()) && counted(TUN_VIP).test(stats()), 'one connection counted on each service', 20_000, 250);
  // the director saw the NAT answer (it rewrote it) but not the tunnel's (the real server answered directly)
  t.regex(stats(), new RegExp(`-> ${NAT_RS}:80 +1 +\\d+ +[1-9]\\d* `.replaceAll('.', '\\.')), 'NAT: the answer went out through the director');
  t.regex(stats(), new RegExp(`-> ${lan.ip4.rstun!}:80 +1 +\\d+ +0 `.replaceAll('.', '\\.')), 'tunnel: nothing went out through the director');
});
