/**
 * The VRRP worker's entry: compile eagerly (V8 --no-lazy) before the worker's modules load.
 * V8 compiles a function on its first call, and the takeover path is first called at the
 * master-down deadline, between the timer and the VIP request: measured on the failover bench,
 * that path took ~0.4 ms with lazy compilation (after rehearsal, runner.ts) and ~0.2 ms eager.
 * V8 flags are process-wide: code the main thread compiles from now on is eager too (a little
 * memory, nothing else). A V8 that refuses the flag leaves lazy compilation, which is correct.
 */
import { setFlagsFromString } from 'node:v8';

try {
  setFlagsFromString('--no-lazy');
} catch {
  // keep lazy compilation
}
await import('./worker.js');
