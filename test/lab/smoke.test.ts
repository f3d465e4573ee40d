/**
 * Lab smoke test: proves the QEMU guest of scripts/lab is what the IPVS tests need
 * (README.md "The IPVS lab"): ip_vs loaded, ipvsadm working inside a network namespace, schedulers
 * autoloaded, root on the tmpfs overlay, the results folder writable.
 *
 * Run: scripts/lab run -- node_modules/.bin/ava --tap dist/test/lab/smoke.test.js
 * Outside the lab (no /proc/net/ip_vs even after modprobe) every test is skipped.
 */
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsDir = path.join(repoRoot, 'results');

async function inLab(): Promise<boolean> {
  if (!existsSync('/proc/net/ip_vs')) {
    await execa('modprobe', ['ip_vs'], { reject: false });
  }
  return existsSync('/proc/net/ip_vs');
}

const lab = await inLab();
const labTest = lab ? test : test.skip;
if (!lab) {
  console.error('# lab smoke: not in the lab (no /proc/net/ip_vs after modprobe ip_vs); '
    + 'run it with scripts/lab run -- node_modules/.bin/ava --tap dist/test/lab/smoke.test.js');
}

let nsCounter = 0;
/** A fresh network namespace, removed in teardown even when the test fails. */
async function freshNetns(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  nsCounter += 1;
  const name = `lvsd-smoke-${process.pid}-${nsCounter}`;
  await execa('ip', ['netns', 'add', name]);
  t.teardown(async () => {
    await execa('ip', ['netns', 'del', name], { reject: false });
  });
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

const serviceLine = /^TCP {2}10\.0\.0\.1:80 rr\s*$/m;

labTest('the guest has ip_vs loaded and its root on the tmpfs overlay', async (t) => {
  const ipvs = await readFile('/proc/net/ip_vs', 'utf8');
  t.regex(ipvs, /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)/);
  const modules = await readFile('/proc/modules', 'utf8');
  t.regex(modules, /^ip_vs /m, 'ip_vs is a loaded module');
  const mounts = await readFile('/proc/mounts', 'utf8');
  t.regex(mounts, /^\S+ \/ overlay /m, 'root is the overlay on the read-only host root');
});

labTest('ipvsadm adds a service in a fresh namespace and only there', async (t) => {
  const ns = await freshNetns(t);
  await execa('ip', ['netns', 'exec', ns, 'ipvsadm', '-A', '-t', '10.0.0.1:80', '-s', 'rr']);
  const inside = await execa('ip', ['netns', 'exec', ns, 'ipvsadm', '-L', '-n']);
  t.regex(inside.stdout, /^IP Virtual Server version/);
  t.regex(inside.stdout, serviceLine);
  // IPVS state is per network namespace: the lab's own table must not show it.
  const outside = await execa('ipvsadm', ['-L', '-n']);
  t.notRegex(outside.stdout, serviceLine);
  // The rr scheduler module was requested by the kernel on first use.
  t.regex(await readFile('/proc/modules', 'utf8'), /^ip_vs_rr /m);
  // A duplicate add is refused by the kernel (EEXIST), so ipvsadm fails.
  const dup = await execa('ip', ['netns', 'exec', ns, 'ipvsadm', '-A', '-t', '10.0.0.1:80', '-s', 'rr'], { reject: false });
  t.not(dup.exitCode, 0);
  t.regex(`${dup.stderr}`, /exists/i);
});

labTest('the results folder is writable and shared', async (t) => {
  const file = path.join(resultsDir, `.lab-smoke-${process.pid}`);
  t.teardown(async () => {
    await rm(file, { force: true });
  });
  const content = `written in the lab by pid ${process.pid}\n`;
  await writeFile(file, content);
  t.is(await readFile(file, 'utf8'), content);
  const mounts = await readFile('/proc/mounts', 'utf8');
  t.true(mounts.split('\n').some((l) => l.split(' ')[1] === resultsDir && l.split(' ')[2] === '9p'),
    `${resultsDir} is the 9p results share`);
});
