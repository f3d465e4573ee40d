/**
 * checktype external and off: a real program run without a shell with ldirectord's four
 * arguments, judged by its exit; killed at the deadline; off never passes.
 */
import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicClock } from '../../clock.js';
import type { AttemptResult, Checker } from '../checker.js';
import type { CheckProbe } from '../../model/index.js';
import { runAttempt } from '../run-attempt.js';
import { FakeTimers, nodeTimers } from '../timers.js';
import { createExternalChecker, externalArgv } from './external.js';
import { offChecker } from './off.js';

/** Generous: starting a shell takes a second or more on a loaded machine (load 10 on 2 cores). */
const GENEROUS_MS = 10_000;

function attempt(c: Checker, probe: CheckProbe, address: string, port: number, timeoutMs = GENEROUS_MS): Promise<AttemptResult> {
  return runAttempt(c, { probe, address, port, target: {}, timeoutMs }, { clock: monotonicClock, timers: nodeTimers }).result;
}

function script(t: { teardown(fn: () => void): void }, body: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-external-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'check');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, dir };
}

test('external argv: VIP VPORT RIP RPORT after the program; IPv6 in brackets; fwmark and port 0', (t) => {
  t.deepEqual(externalArgv({ address: '10.0.0.2', port: 80 }, { argv: ['/c'], virtual: '192.0.2.10', virtualPort: 80 }), ['/c', '192.0.2.10', '80', '10.0.0.2', '80']);
  t.deepEqual(externalArgv({ address: '2001:db8::2', port: 0 }, { argv: ['/c'], virtual: '7', virtualPort: 0 }), ['/c', '7', '0', '[2001:db8::2]', '0']);
});

test('external: exit 0 is up with the four arguments; exit 1 is down', async (t) => {
  const s = script(t, `echo "$@" > "${'$(dirname "$0")'}/args"; exit "$(cat "$(dirname "$0")/code" 2>/dev/null || echo 0)"`);
  const probe: CheckProbe = { kind: 'external', argv: [s.path], virtual: '192.0.2.10', virtualPort: 80 };
  const checker = createExternalChecker();
  t.like(await attempt(checker, probe, '10.0.0.2', 8080), { ok: true, detail: 'exit 0' });
  t.is(readFileSync(join(s.dir, 'args'), 'utf8'), '192.0.2.10 80 10.0.0.2 8080\n');
  writeFileSync(join(s.dir, 'code'), '1');
  t.like(await attempt(checker, probe, '10.0.0.2', 8080), { ok: false, reason: 'exit', detail: 'exit 1' });
});

test('external: a hung program is killed at the deadline and is down; a missing one is an error', async (t) => {
  const s = script(t, 'exec sleep 30');
  // The deadline runs on fake timers: the program is killed when they reach 200 ms, however slow
  // the machine; the result comes once it has exited.
  const timers = new FakeTimers();
  const hung = createExternalChecker({ timers, clock: timers.clock }).start({ probe: { kind: 'external', argv: [s.path], virtual: '7', virtualPort: 0 }, address: '10.0.0.2', port: 0, target: {}, timeoutMs: 200 });
  await timers.advance(200);
  t.like(await hung.result, { ok: false, reason: 'timeout', detail: 'timeout after 0.2 s' });
  const checker = createExternalChecker();
  t.like(await attempt(checker, { kind: 'external', argv: [join(s.dir, 'missing')], virtual: '7', virtualPort: 0 }, '10.0.0.2', 0), { ok: false, reason: 'error', errno: 'ENOENT' });
});

test('off: never up, with reason off', async (t) => {
  t.like(await attempt(offChecker, { kind: 'off' }, '10.0.0.2', 80), { ok: false, reason: 'off' });
});
