/**
 * lvsd programs the IPVS table as ldirectord does (issue 10 item 6, lab). For each sample of
 * ldirectord-samples.ts, the real ldirectord (Debian's 4.12 package, `ldirectord -d FILE start`
 * in the foreground) and then lvsd (`lvsd -f FILE`) run in the same director namespace, one
 * after the other with the table flushed between, through four real-server states: all up,
 * one down, all down (fallback), recovered. In each state the table must reach the sample's
 * expected destinations, stay there for two check intervals, and `ipvsadm -S -n` of the two
 * must be identical (compared as sorted lines: the kernel lists destinations in the order they
 * were added). Where lvsd fixes an ldirectord bug on purpose (PER_REAL_RECEIVE), each must reach
 * its own documented table instead.
 * Real servers: one Node HTTP server per real-server host (test/fixtures/http-server.js); a
 * down server is a killed one (connection refused).
 *
 * Run: flock /tmp/lvsd-lab.lock scripts/lab run -- node_modules/.bin/ava --tap --serial --timeout=20m dist/test/lab/ldirectord-table.test.js
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLan, nsExec, startIn, type Proc } from '../netns/topology.js';
import { stillTrue, waitUntil } from '../fixtures/wait.js';
import { LVSD, REPO } from '../netns/lvsd-harness.js';
import { dests, HOST_ADDRESSES, PER_REAL_RECEIVE, RS_BODY, RS_HOSTS, RS_PORTS, SAMPLES, SERVING, sortedLines, STATES, type RsHost, type Sample, type State } from './ldirectord-samples.js';

const inLab = existsSync('/proc/net/ip_vs') && existsSync('/usr/sbin/ldirectord');
const labTest = inLab ? test.serial : test.skip;
/** A state must hold this long once reached (two check intervals: catches flapping). */
const HOLD_MS = 2500;
/** Emulated guest: a check pass plus a transition can take several seconds. */
const REACH_MS = 60_000;

type Impl = 'ldirectord' | 'lvsd';

interface World {
  readonly ns: Record<'dir' | RsHost, string>;
  readonly dir: string;
  readonly servers: Map<RsHost, Proc>;
}

let world: World | undefined;

/** Starts or kills the real-server hosts' servers so that exactly `hosts` serve (they live across tests: killed in after.always). */
async function serve(w: World, hosts: readonly RsHost[]): Promise<void> {
  for (const h of RS_HOSTS) {
    const p = w.servers.get(h);
    const running = p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
    if (hosts.includes(h) && !running) {
      const s = startIn(undefined, w.ns[h], process.execPath, [join(REPO, 'dist/test/fixtures/http-server.js'), RS_BODY, ...RS_PORTS.map(String)]);
      w.servers.set(h, s);
      await waitUntil(() => s.lines.some((l) => l.raw === 'listening'), `${h} listening`, 30_000, 50);
    } else if (!hosts.includes(h) && running) {
      p.kill('SIGKILL');
      await p.exited;
    }
  }
}

const save = (w: World): string => nsExec(w.ns.dir, 'ipvsadm', ['-S', '-n']);

function startDaemon(t: ExecutionContext, w: World, impl: Impl, file: string): Proc {
  if (impl === 'ldirectord') {
    // -d: foreground, log to stderr, no pid file; it would use ./ipvsadm from its cwd, so none there
    return startIn(t, w.ns.dir, 'env', [`--chdir=${w.dir}`, '/usr/sbin/ldirectord', '-d', file, 'start']);
  }
  const base = join(w.dir, `lvsd-${Date.now()}`);
  return startIn(t, w.ns.dir, process.execPath, [LVSD, '-n', '-f', file, '--socket', `${base}.sock`, '--pid-file', `${base}.pid`, '--log-level', 'info']);
}

function logTail(p: Proc): string {
  return `${p.stderr.join('').slice(-1500)}\n${p.lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}`;
}

/** Runs one daemon through the four states; returns `ipvsadm -S -n` in each. */
async function runStates(t: ExecutionContext, w: World, impl: Impl, sample: Sample, file: string): Promise<Record<State, string>> {
  await serve(w, SERVING['all up']);
  nsExec(w.ns.dir, 'ipvsadm', ['-C']);
  const d = startDaemon(t, w, impl, file);
  const out: Partial<Record<State, string>> = {};
  try {
    for (const state of STATES) {
      await serve(w, SERVING[state]);
      const want = JSON.stringify(impl === 'ldirectord' && sample.differs ? sample.differs.ldirectord[state] : sample.expect[state]);
      let seen: string[] = [];
      const ok = (): boolean => JSON.stringify(seen = dests(save(w))) === want;
      try {
        await waitUntil(ok, `${impl}: ${state}`, REACH_MS, 200);
        await stillTrue(ok, `${impl}: ${state} held`, HOLD_MS, 200);
      } catch (e) {
        throw new Error(`${(e as Error).message}; the table has ${JSON.stringify(seen)}, wanted ${want}\n${impl} said:\n${logTail(d)}`);
      }
      out[state] = save(w);
    }
  } finally {
    d.kill('SIGTERM');
    await Promise.race([d.exited, new Promise((r) => setTimeout(r, 20_000))]);
    d.kill('SIGKILL');
    nsExec(w.ns.dir, 'ipvsadm', ['-C']);
  }
  return out as Record<State, string>;
}

let cleanup = (): void => undefined;

test.before(() => {
  if (!inLab) return;
  const lan = makeLan(undefined, ['dir', ...RS_HOSTS]);
  const ns = lan.ns as World['ns'];
  for (const [host, addrs] of Object.entries(HOST_ADDRESSES) as Array<[keyof World['ns'], readonly string[]]>) {
    for (const a of addrs) nsExec(ns[host], 'ip', ['addr', 'add', a, 'dev', 'eth0', ...(a.includes(':') ? ['nodad'] : [])]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-ldtable-'));
  world = { ns, dir, servers: new Map() };
  cleanup = () => {
    for (const p of world?.servers.values() ?? []) p.kill('SIGKILL');
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
});

test.after.always(() => cleanup());

[...SAMPLES, PER_REAL_RECEIVE].forEach((sample, i) => {
  labTest(`ldirectord and lvsd program the same table: ${sample.name}`, async (t) => {
    const w = world!;
    const file = join(w.dir, `sample-${i}.cf`);
    writeFileSync(file, sample.text);
    const ld = await runStates(t, w, 'ldirectord', sample, file);
    const lv = await runStates(t, w, 'lvsd', sample, file);
    for (const state of STATES) {
      const differs = sample.differs !== undefined && JSON.stringify(sample.differs.ldirectord[state]) !== JSON.stringify(sample.expect[state]);
      if (differs) {
        // each reached its own expected table in runStates; the service lines are still the same
        t.notDeepEqual(dests(lv[state]), dests(ld[state]), `${state}: ${sample.differs!.why}`);
        t.deepEqual(sortedLines(lv[state]).filter((l) => l.startsWith('-A')), sortedLines(ld[state]).filter((l) => l.startsWith('-A')));
        t.log(`${state}: differs as documented (${sample.differs!.why}): lvsd ${JSON.stringify(dests(lv[state]))}, ldirectord ${JSON.stringify(dests(ld[state]))}`);
        continue;
      }
      t.deepEqual(sortedLines(lv[state]), sortedLines(ld[state]), `${state}: lvsd's ipvsadm -S -n differs from ldirectord's`);
      if (lv[state] !== ld[state]) t.log(`${state}: same lines, in another order`);
    }
    t.log(`all down, both:\n${ld['all down'].trim()}`);
  });
});
