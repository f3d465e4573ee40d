/**
 * Runs one attempt of each given check in the current (test) network namespace, through the
 * real checker registry and under its deadline as the health engine runs it, and prints one
 * JSON line per check: {name, ok, reason?, detail, latencyMs}. argv[2]: a JSON file
 * [{ name, spec: AttemptSpec }]. The checks run at the same time; exits 0 when all ended.
 */
import { readFileSync } from 'node:fs';
import { monotonicClock } from '../../src/clock.js';
import { checkerRegistry, nodeTimers, runAttempt, type AttemptSpec } from '../../src/health/index.js';
import { loadNative } from '../../src/native/index.js';

const jobs = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Array<{ name: string; spec: AttemptSpec }>;
const registry = checkerRegistry({ icmp: loadNative, echoId: process.pid });
await Promise.all(jobs.map(async ({ name, spec }) => {
  const checker = registry.get(spec.probe.kind);
  const r = checker === undefined
    ? { ok: false, reason: 'error', detail: `no ${spec.probe.kind} checker` }
    : await runAttempt(checker, spec, { clock: monotonicClock, timers: nodeTimers }).result;
  process.stdout.write(`${JSON.stringify({ name, ...r })}\n`);
}));
process.exit(0);
