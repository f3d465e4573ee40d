import test from 'ava';
import type { TrackProcess } from '../../model/index.js';
import { initialQuorum, matchesProcess, quorumStep, type QuorumInput, type QuorumOutput, type QuorumState } from './process-quorum.js';
import { proc } from './tracking.fixture.js';

const MS = 1000;

/** Feeds inputs in order; returns the final state and every output. */
function feed(defs: TrackProcess[], inputs: QuorumInput[]): { s: QuorumState; out: QuorumOutput[] } {
  let s = initialQuorum(defs);
  const out: QuorumOutput[] = [];
  for (const i of inputs) {
    const r = quorumStep(s, i);
    s = r.s;
    out.push(...r.out);
  }
  return { s, out };
}

const p = (pid: number, comm: string, cmdline?: string[]) => ({ pid, comm, cmdline });
const up = (s: QuorumState, name: string) => s.counts.get(name)?.up;
const n = (s: QuorumState, name: string) => s.counts.get(name)?.count;

test('the initial scan counts by comm and sets the quorum without delay', (t) => {
  const defs = [proc('web', 'nginx', { terminateDelayMs: 5000 }), proc('db', 'postgres', { quorum: 2 })];
  const r = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx'), p(11, 'nginx'), p(20, 'postgres'), p(30, 'sshd')] }]);
  t.is(n(r.s, 'web'), 2);
  t.true(up(r.s, 'web'));
  t.is(n(r.s, 'db'), 1);
  t.false(up(r.s, 'db'));
  t.deepEqual(r.out, [{ kind: 'quorum', name: 'web', up: true, count: 2 }]);
});

test('params match the whole command line exactly', (t) => {
  const def = proc('h', '/usr/sbin/haproxy', { params: ['-f', '/etc/haproxy.cfg'] });
  t.true(matchesProcess(def, p(1, 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg'])));
  t.false(matchesProcess(def, p(1, 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/other.cfg'])));
  t.false(matchesProcess(def, p(1, 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg', '-d'])));
  t.false(matchesProcess(def, p(1, 'haproxy', undefined)));
  t.true(matchesProcess(proc('n', 'nginx'), p(1, 'nginx', ['nginx: worker process'])));
});

test('param_match partial and initial, full_command, and param_match without params (keepalived check_params)', (t) => {
  const argv = ['/usr/bin/agent', '--serve', 'port 80', '-v'];
  const partial = proc('a', '/usr/bin/agent', { params: ['--serve', 'port 80'], paramMatch: 'partial' });
  t.true(matchesProcess(partial, p(1, 'agent', argv)));
  t.false(matchesProcess(partial, p(1, 'agent', ['/usr/bin/agent', '--serve', 'port 8080'])));
  const initial = proc('a', '/usr/bin/agent', { params: ['--serve', 'port 8'], paramMatch: 'initial' });
  t.true(matchesProcess(initial, p(1, 'agent', argv)), 'the last parameter may be a prefix');
  t.false(matchesProcess(initial, p(1, 'agent', ['/usr/bin/agent', '--serve'])));
  const none = proc('n', 'nginx', { paramMatch: 'exact', fullCommand: true });
  t.true(matchesProcess(none, p(1, 'nginx', ['nginx'])), 'param_match alone: no parameters at all');
  t.false(matchesProcess(none, p(1, 'nginx', ['nginx', '-g', 'daemon off;'])));
  const full = proc('f', 'nginx: master process /usr/sbin/nginx', { fullCommand: true });
  t.true(matchesProcess(full, p(1, 'nginx', ['nginx: master process /usr/sbin/nginx'])), 'full_command compares argv[0], not comm');
  t.false(matchesProcess(full, p(1, 'nginx', ['nginx: worker process'])));
});

test('the last process exiting loses the quorum at once without terminate_delay', (t) => {
  const r = feed([proc('web', 'nginx')], [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'exit', at: 5 * MS, pid: 10 }]);
  t.false(up(r.s, 'web'));
  t.deepEqual(r.out.at(-1), { kind: 'quorum', name: 'web', up: false, count: 0 });
});

test('terminate_delay: the loss waits; the process coming back in time cancels it', (t) => {
  const defs = [proc('web', 'nginx', { terminateDelayMs: 2000 })];
  const lost = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'exit', at: 1000 * MS, pid: 10 }]);
  t.deepEqual(lost.out.at(-1), { kind: 'arm', name: 'web', at: 3000 * MS });
  t.true(up(lost.s, 'web'));
  const fired = quorumStep(lost.s, { kind: 'timer', at: 3000 * MS, name: 'web' });
  t.deepEqual(fired.out, [{ kind: 'quorum', name: 'web', up: false, count: 0 }]);
  const back = quorumStep(lost.s, { kind: 'exec', at: 2000 * MS, info: p(11, 'nginx') });
  t.deepEqual(back.out, [{ kind: 'disarm', name: 'web' }]);
  t.true(up(back.s, 'web'));
  t.deepEqual(quorumStep(back.s, { kind: 'timer', at: 3000 * MS, name: 'web' }).out, [], 'a stale timer changes nothing');
});

test('fork_delay: a fork reaching the quorum waits; a fork cancels a pending terminate timer', (t) => {
  const defs = [proc('web', 'nginx', { quorum: 2, forkDelayMs: 500, terminateDelayMs: 2000 })];
  const one = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }]);
  t.false(up(one.s, 'web'));
  const forked = quorumStep(one.s, { kind: 'fork', at: 100 * MS, parent: 10, child: 11 });
  t.deepEqual(forked.out, [{ kind: 'arm', name: 'web', at: 600 * MS }]);
  const gained = quorumStep(forked.s, { kind: 'timer', at: 600 * MS, name: 'web' });
  t.deepEqual(gained.out, [{ kind: 'quorum', name: 'web', up: true, count: 2 }]);
  const dying = quorumStep(gained.s, { kind: 'exit', at: 700 * MS, pid: 11 });
  t.deepEqual(dying.out, [{ kind: 'arm', name: 'web', at: 2700 * MS }]);
  const refork = quorumStep(dying.s, { kind: 'fork', at: 800 * MS, parent: 10, child: 12 });
  t.deepEqual(refork.out, [{ kind: 'disarm', name: 'web' }]);
  t.true(up(refork.s, 'web'));
});

test('an exit while a fork timer is pending cancels it and applies at once', (t) => {
  const defs = [proc('web', 'nginx', { quorum: 2, forkDelayMs: 500, terminateDelayMs: 2000 })];
  const r = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'fork', at: 0, parent: 10, child: 11 }, { kind: 'exit', at: 100 * MS, pid: 11 }]);
  t.deepEqual(r.out, [{ kind: 'arm', name: 'web', at: 500 * MS }, { kind: 'disarm', name: 'web' }]);
  t.false(up(r.s, 'web'));
});

test('quorum_max: one process too many loses the quorum', (t) => {
  const defs = [proc('single', 'daemon', { quorumMax: 1 })];
  const r = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'daemon')] }, { kind: 'exec', at: 1, info: p(11, 'daemon') }]);
  t.deepEqual(r.out.at(-1), { kind: 'quorum', name: 'single', up: false, count: 2 });
  const back = quorumStep(r.s, { kind: 'exit', at: 2, pid: 11 });
  t.deepEqual(back.out, [{ kind: 'quorum', name: 'single', up: true, count: 1 }]);
});

test('an exec into another program stops counting at once', (t) => {
  const defs = [proc('web', 'nginx', { terminateDelayMs: 2000 })];
  const r = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'exec', at: 1, info: p(10, 'sh') }]);
  t.false(up(r.s, 'web'));
  t.false(r.s.pids.has(10));
});

test('a comm change away from the name stops counting; to the same name changes nothing', (t) => {
  const defs = [proc('web', 'nginx')];
  const start = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }]);
  t.deepEqual(quorumStep(start.s, { kind: 'comm', at: 1, pid: 10, comm: 'nginx' }).out, []);
  const renamed = quorumStep(start.s, { kind: 'comm', at: 1, pid: 10, comm: 'other' });
  t.deepEqual(renamed.out, [{ kind: 'quorum', name: 'web', up: false, count: 0 }]);
  const named = quorumStep(renamed.s, { kind: 'comm', at: 2, pid: 10, comm: 'nginx' });
  t.deepEqual(named.out, [{ kind: 'quorum', name: 'web', up: true, count: 1 }]);
});

test('a process exec-ing into the same name is counted once', (t) => {
  const r = feed([proc('web', 'nginx', { quorum: 2 })], [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'exec', at: 1, info: p(10, 'nginx') }]);
  t.is(n(r.s, 'web'), 1);
  t.false(up(r.s, 'web'));
});

test('events about untracked processes return the same state', (t) => {
  const r = feed([proc('web', 'nginx')], [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }]);
  t.is(quorumStep(r.s, { kind: 'exit', at: 1, pid: 999 }).s, r.s);
  t.is(quorumStep(r.s, { kind: 'fork', at: 1, parent: 999, child: 1000 }).s, r.s);
});

test('rescan (polling): a loss waits terminate_delay, a return before it cancels', (t) => {
  const defs = [proc('web', 'nginx', { terminateDelayMs: 2000 })];
  const r = feed(defs, [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'rescan', at: 1000 * MS, procs: [] }]);
  t.deepEqual(r.out.at(-1), { kind: 'arm', name: 'web', at: 3000 * MS });
  const again = quorumStep(r.s, { kind: 'rescan', at: 2000 * MS, procs: [] });
  t.deepEqual(again.out, [], 'still waiting, the timer is not pushed back');
  const back = quorumStep(again.s, { kind: 'rescan', at: 2500 * MS, procs: [p(12, 'nginx')] });
  t.deepEqual(back.out, [{ kind: 'disarm', name: 'web' }]);
  const noDelay = feed([proc('web', 'nginx')], [{ kind: 'scan', at: 0, procs: [p(10, 'nginx')] }, { kind: 'rescan', at: 1, procs: [] }]);
  t.deepEqual(noDelay.out.at(-1), { kind: 'quorum', name: 'web', up: false, count: 0 });
});
