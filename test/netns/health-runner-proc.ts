/**
 * health-runner.ts started in a namespace for a test: the services written to DIR/services.json,
 * the runner's last lines logged when the test fails, and its attempt lines by port.
 */
import type { ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualService } from '../../src/model/index.js';
import { startIn, type Proc } from './topology.js';

const RUNNER = new URL('./health-runner.js', import.meta.url).pathname;

export interface HealthRunnerProc {
  readonly proc: Proc;
  /** The attempts of the checks whose target has this port, in order. */
  attempts(port: number): Array<Record<string, unknown>>;
}

export function startHealthRunner(t: ExecutionContext, ns: string, dir: string, services: readonly VirtualService[]): HealthRunnerProc {
  const file = join(dir, 'services.json');
  writeFileSync(file, JSON.stringify({ services }));
  const proc = startIn(t, ns, process.execPath, [RUNNER, file]);
  t.teardown(() => {
    if (!t.passed) t.log(proc.stderr.join(''), JSON.stringify(proc.lines.filter((l) => l['kind'] !== 'snapshot').slice(-20)));
  });
  return { proc, attempts: (port) => proc.lines.filter((l) => l['kind'] === 'attempt' && l['port'] === port) };
}
