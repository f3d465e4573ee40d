/**
 * Runs one attempt of each given check in the current (test) network namespace, through the
 * real checker registry and under its deadline as the health engine runs it, and prints one
 * JSON line per check: {name, ok, reason?, detail, latencyMs}. argv[2]: a JSON file
 * [{ name, spec: AttemptSpec }]. The checks run at the same time; exits 0 when all ended.
 * argv[3] "lane": each check runs in the steady lane instead (checks/steady-lane.ts, the addon's
 * repeats every 100 ms): {name, taken} and, when taken, its first miss as judged
 * ({unjudged: true} when the bytes leave it to the checker) or, after 400 ms without one, its
 * last pass.
 */
import { readFileSync } from 'node:fs';
import { monotonicClock } from '../../src/clock.js';
import { checkerRegistry, nodeTimers, runAttempt, steadyLane, type AttemptResult, type AttemptSpec } from '../../src/health/index.js';
import { loadNative } from '../../src/native/index.js';

const jobs = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Array<{ name: string; spec: AttemptSpec }>;
const registry = checkerRegistry({ icmp: loadNative, echoId: process.pid });
function lane(spec: AttemptSpec): Promise<object> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const h = steadyLane.start(spec, 0, 100, (r: AttemptResult | undefined) => {
      clearTimeout(timer);
      resolve(r === undefined ? { taken: true, unjudged: true } : { taken: true, ...r });
    });
    if (h === undefined) return resolve({ taken: false });
    timer = setTimeout(() => resolve({ taken: true, ...(h.stop().last?.result ?? { ok: false, reason: 'error', detail: 'no pass in 400 ms' }) }), 400);
  });
}

if (process.argv[3] === 'lane') {
  for (const { name, spec } of jobs) process.stdout.write(`${JSON.stringify({ name, ...(await lane(spec)) })}\n`);
  process.exit(0);
}

await Promise.all(jobs.map(async ({ name, spec }) => {
  const checker = registry.get(spec.probe.kind);
  const r = checker === undefined
    ? { ok: false, reason: 'error', detail: `no ${spec.probe.kind} checker` }
    : await runAttempt(checker, spec, { clock: monotonicClock, timers: nodeTimers }).result;
  process.stdout.write(`${JSON.stringify({ name, ...r })}\n`);
}));
process.exit(0);
