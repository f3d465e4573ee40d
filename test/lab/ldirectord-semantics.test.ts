/**
 * ldirectord.cf semantics on real ip_vs (`ipvsadm -S -n` is the oracle): one director namespace
 * running lvsd on an ldirectord.cf, real servers (echo servers, checktype=connect) in others.
 *   - quiescent=yes (global): a failed server stays at weight 0; quiescent=no (block): removed;
 *   - maintenancedir: a file named after a real server's IP takes it out of every service;
 *   - fallback: with no real server up the fallback joins (quiesced servers stay at weight 0)
 *     and leaves when one returns; fallbackcommand runs start / stop.
 *
 * Run: flock /tmp/lvsd-lab.lock scripts/lab run -- node_modules/.bin/ava --tap --serial --timeout=10m dist/test/lab/ldirectord-semantics.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLan, nsExec, startIn, type Proc } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { REPO, startLvsd, tempDir } from '../netns/lvsd-harness.js';

const inLab = existsSync('/proc/net/ip_vs');
const labTest = inLab ? test.serial : test.skip;
const VIP = '198.51.100.100';
// makeLan numbers hosts in order: dir .1, rs1 .2, rs2 .3, fb .4
const RS1 = '198.51.100.2';
const RS2 = '198.51.100.3';
const FB = '198.51.100.4';

/** Destinations of VIP:port, "RIP:PORT wN", sorted. */
function dests(ns: string, port: number): string[] {
  const out = nsExec(ns, 'ipvsadm', ['-S', '-n']);
  const re = new RegExp(`^-a -t ${VIP.replaceAll('.', '\\.')}:${port} -r (\\S+) -g -w (\\d+)`, 'gm');
  return [...out.matchAll(re)].map((m) => `${m[1]} w${m[2]}`).sort();
}

async function until(ns: string, port: number, want: readonly string[], what: string): Promise<void> {
  let seen: string[] = [];
  const sorted = JSON.stringify([...want].sort());
  try {
    await waitUntil(() => JSON.stringify(seen = dests(ns, port)) === sorted, what, 60_000, 200);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the table has ${JSON.stringify(seen)}`);
  }
}

function echo(t: ExecutionContext, ns: string, port: number): Proc {
  return startIn(t, ns, process.execPath, [join(REPO, 'dist/test/fixtures/echo-server.js'), String(port), `rs-${port}`]);
}

labTest('quiescent (global yes, block no), maintenancedir and fallback with fallbackcommand on real ip_vs', async (t) => {
  const lan = makeLan(t, ['dir', 'rs1', 'rs2', 'fb']);
  const ns = lan.ns as Record<'dir' | 'rs1' | 'rs2' | 'fb', string>;
  const dir = tempDir(t);
  mkdirSync(join(dir, 'maint'));
  writeFileSync(join(dir, 'fb.sh'), `#!/bin/sh\necho "$@" >> ${dir}/fb.log\n`);
  chmodSync(join(dir, 'fb.sh'), 0o755);
  const servers = [echo(t, ns.rs1, 80), echo(t, ns.rs1, 81), echo(t, ns.rs2, 80)];
  await waitUntil(() => servers.every((p) => p.lines.some((l) => l.raw === 'listening')), 'echo servers listening', 30_000, 50);
  const rs2 = servers[2]!;
  startLvsd(t, {
    ns: ns.dir, name: 'd', dir, config: `checkinterval=1
checktimeout=3
quiescent=yes
maintenancedir=${dir}/maint
fallbackcommand="${dir}/fb.sh"
virtual=${VIP}:80
\treal=${RS1}:80 gate
\treal=${RS2}:80 gate
\tchecktype=connect
\tfallback=${FB}:80 gate
virtual=${VIP}:81
\treal=${RS1}:81 gate
\tchecktype=connect
\tquiescent=no
\tfallback=${FB}:81 gate
`,
  });
  await until(ns.dir, 80, [`${RS1}:80 w1`, `${RS2}:80 w1`], 'both real servers of :80');
  await until(ns.dir, 81, [`${RS1}:81 w1`], 'the real server of :81');

  rs2.kill('SIGKILL');
  await until(ns.dir, 80, [`${RS1}:80 w1`, `${RS2}:80 w0`], 'rs2 quiesced (global quiescent=yes)');

  writeFileSync(join(dir, 'maint', RS1), '');
  await until(ns.dir, 80, [`${FB}:80 w1`, `${RS1}:80 w0`, `${RS2}:80 w0`], 'rs1 in maintenance: quiesced, the fallback in');
  await until(ns.dir, 81, [`${FB}:81 w1`], 'quiescent=no in the block: rs1 removed, the fallback in');

  rmSync(join(dir, 'maint', RS1));
  await until(ns.dir, 80, [`${RS1}:80 w1`, `${RS2}:80 w0`], 'rs1 back, the fallback gone');
  await until(ns.dir, 81, [`${RS1}:81 w1`], 'rs1 back on :81');
  const lines = (): string[] => (existsSync(join(dir, 'fb.log')) ? readFileSync(join(dir, 'fb.log'), 'utf8').trim().split('\n') : []);
  await waitUntil(() => lines().length >= 6, 'six fallback commands', 30_000, 100);
  const fb = lines();
  const of = (port: number): string[] => fb.filter((l) => l.includes(`${VIP}:${port} `)).map((l) => l.split(' ')[0] ?? '');
  t.deepEqual(of(80), ['stop', 'start', 'stop'], 'fallbackcommand for :80: settled, fallback in, fallback out');
  t.deepEqual(of(81), ['stop', 'start', 'stop']);
  t.true(fb.every((l) => / tcp$/.test(l)));
});
