/**
 * `lvsd realserver` in a fresh namespace: sysctls + VIP on lo, idempotent, undone exactly;
 * --persist boot files; IPv6-only VIPs; and the refusals that change nothing (a VIP that is an
 * address of eth0, a corrupt state file, a boot file that is not lvsd's).
 */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { LVSD, tempDir } from './lvsd-harness.js';

const sysctl = (ns: string, key: string): string => nsExec(ns, 'sysctl', ['-n', key]).trim();

interface Rs {
  readonly ns: string;
  readonly dir: string;
  readonly state: string;
  /** Runs lvsd realserver with the state and boot file paths of this test. */
  run(...args: string[]): { code: number | null; out: string; err: string };
}

function realServer(t: ExecutionContext): Rs {
  const lan = makeLan(t, ['rs']);
  const ns = lan.ns.rs!;
  const dir = tempDir(t);
  const state = join(dir, 'rs.json');
  const paths = ['--state', state, '--sysctl-file', join(dir, 'sysctl.d/90-lvsd-realserver.conf'), '--unit-file', join(dir, 'system/lvsd-realserver.service')];
  return {
    ns, dir, state,
    run: (...args) => {
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, LVSD, 'realserver', ...args, ...paths], { encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
  };
}

test('realserver sets arp_ignore/arp_announce and the VIP on lo; a second run changes nothing; --undo restores', (t) => {
  const rs = realServer(t);
  nsExec(rs.ns, 'sysctl', ['-qw', 'net.ipv4.conf.all.arp_announce=1']); // a non-default value to restore
  const first = rs.run('--vip', '192.0.2.10,2001:db8::10');
  t.is(first.code, 0, first.err);
  t.regex(first.out, /arp_ignore: 0 -> 1/);
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '1');
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_announce'), '2');
  t.is(sysctl(rs.ns, 'net.ipv4.conf.lo.arp_ignore'), '1');
  t.true(addresses(rs.ns, 'lo').includes('192.0.2.10'));
  t.true(addresses(rs.ns, 'lo').includes('2001:db8::10'));
  t.regex(nsExec(rs.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'lo']), /192\.0\.2\.10\/32 .*lo:0/);
  t.regex(nsExec(rs.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'lo']), /2001:db8::10\/128/);

  t.regex(rs.run('--vip', '192.0.2.10,2001:db8::10').out, /nothing to change/);

  t.is(rs.run('--undo').code, 0, 'without --vip: every prepared VIP');
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_announce'), '1');
  t.false(addresses(rs.ns, 'lo').includes('192.0.2.10'));
  t.false(addresses(rs.ns, 'lo').includes('2001:db8::10'));
  t.false(existsSync(rs.state));
});

test('an IPv6-only VIP touches no ARP sysctl, enables IPv6 on lo if needed, and restores it', (t) => {
  const rs = realServer(t);
  nsExec(rs.ns, 'sysctl', ['-qw', 'net.ipv6.conf.lo.disable_ipv6=1']);
  const r = rs.run('--vip', '2001:db8::20');
  t.is(r.code, 0, r.err);
  t.regex(r.out, /net\.ipv6\.conf\.lo\.disable_ipv6: 1 -> 0/);
  t.notRegex(r.out, /arp_/);
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.regex(nsExec(rs.ns, 'ip', ['-o', '-6', 'addr', 'show', 'dev', 'lo']), /2001:db8::20\/128/);
  t.is(rs.run('--undo', '--vip', '2001:db8::20').code, 0);
  t.is(sysctl(rs.ns, 'net.ipv6.conf.lo.disable_ipv6'), '1');
});

test('--persist writes a sysctl.d file and an enabled unit; --undo alone keeps and names them; --undo --persist removes them', (t) => {
  const rs = realServer(t);
  const conf = join(rs.dir, 'sysctl.d/90-lvsd-realserver.conf');
  const unit = join(rs.dir, 'system/lvsd-realserver.service');
  const wants = join(rs.dir, 'system/multi-user.target.wants/lvsd-realserver.service');
  const r = rs.run('--vip', '192.0.2.10,2001:db8::10', '--persist');
  t.is(r.code, 0, r.err);
  t.regex(r.out, /boot file .*90-lvsd-realserver\.conf: written/);
  t.regex(readFileSync(conf, 'utf8'), /^net\.ipv4\.conf\.all\.arp_ignore = 1$/m);
  t.regex(readFileSync(conf, 'utf8'), /^net\.ipv4\.conf\.lo\.arp_announce = 2$/m);
  t.regex(readFileSync(unit, 'utf8'), /^ExecStart=ip addr replace 192\.0\.2\.10\/32 dev lo label lo:0$/m);
  t.regex(readFileSync(unit, 'utf8'), /^ExecStart=ip -6 addr replace 2001:db8::10\/128 dev lo nodad$/m);
  t.true(lstatSync(wants).isSymbolicLink());
  t.is(readlinkSync(wants), unit);
  const verify = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
  t.is(verify.status, 0, `systemd-analyze verify: ${verify.stderr}`);
  // the sysctl file as systemd-sysctl applies it at boot: into a fresh namespace
  const fresh = realServer(t);
  nsExec(fresh.ns, 'sysctl', ['-q', '-p', conf]);
  t.is(sysctl(fresh.ns, 'net.ipv4.conf.all.arp_ignore'), '1');

  t.regex(rs.run('--vip', '192.0.2.10', '--persist').out, /nothing to change/, 'a repeated run rewrites nothing');
  const undo = rs.run('--undo');
  t.regex(undo.out, /note: .*90-lvsd-realserver\.conf still applies this at boot; add --persist to remove it/);
  t.true(existsSync(unit));
  const gone = rs.run('--undo', '--persist');
  t.is(gone.code, 0, gone.err);
  t.false(existsSync(conf));
  t.false(existsSync(unit));
  t.false(existsSync(wants));
});

test('a VIP that is already an address of eth0 is refused and nothing changes', (t) => {
  const rs = realServer(t);
  const own = addresses(rs.ns, 'eth0').find((a) => a.includes('.'))!;
  const r = rs.run('--vip', `192.0.2.10,${own}`, '--persist');
  t.is(r.code, 1);
  t.regex(r.err, new RegExp(`${own.replaceAll('.', '\\.')} is already an address of this host on eth0`));
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.false(addresses(rs.ns, 'lo').includes('192.0.2.10'));
  t.false(existsSync(rs.state));
  t.false(existsSync(join(rs.dir, 'system/lvsd-realserver.service')));
});

test('a corrupt or foreign state file is an error naming it, never replaced', (t) => {
  const rs = realServer(t);
  for (const text of ['{"saved": {"net.ipv4.conf.all.arp_ignore": "0"', '{"hello": "not ours"}\n']) {
    writeFileSync(rs.state, text);
    for (const args of [['--vip', '192.0.2.10'], ['--undo']]) {
      const r = rs.run(...args);
      t.is(r.code, 1, args.join(' '));
      t.true(r.err.includes(`${rs.state} is not an lvsd realserver state file`), r.err);
      t.is(readFileSync(rs.state, 'utf8'), text);
    }
  }
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.false(addresses(rs.ns, 'lo').includes('192.0.2.10'));
});

test('a boot file that lvsd did not write is refused before anything changes', (t) => {
  const rs = realServer(t);
  const conf = join(rs.dir, 'sysctl.d/90-lvsd-realserver.conf');
  nsExec(rs.ns, 'mkdir', ['-p', join(rs.dir, 'sysctl.d')]);
  writeFileSync(conf, 'net.ipv4.ip_forward = 1\n');
  const r = rs.run('--vip', '192.0.2.10', '--persist');
  t.is(r.code, 1);
  t.true(r.err.includes(`${conf} exists and was not written by lvsd realserver --persist`), r.err);
  t.is(readFileSync(conf, 'utf8'), 'net.ipv4.ip_forward = 1\n');
  t.is(sysctl(rs.ns, 'net.ipv4.conf.all.arp_ignore'), '0');
  t.false(existsSync(rs.state));
});
