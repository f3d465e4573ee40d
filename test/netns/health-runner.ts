/**
 * Runs a HealthEngine in the current (test) network namespace, as the director will: real clock,
 * real timers, the real checker registry. argv[2]: a JSON file { services: VirtualService[] }.
 * stdout, one JSON line per fact: {kind:'attempt', address, port, probe, ok, reason?, detail, ms}
 * for every attempt (the checkers are wrapped to log), {kind:'check'|'real', ...} engine events,
 * {kind:'ready', ping} once started. SIGTERM closes the engine and exits 0.
 */
import { readFileSync } from 'node:fs';
import { monotonicClock } from '../../src/clock.js';
import { checkerRegistry, HealthEngine, IcmpPinger, nodeTimers, type Checker } from '../../src/health/index.js';
import { useTcpProbeAddon } from '../../src/health/checks/native-stream.js';
import { loadNative } from '../../src/native/index.js';
import type { VirtualService } from '../../src/model/types.js';

const services = (JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as { services: VirtualService[] }).services;
const line = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ t: Date.now(), ...o })}\n`);

function logged(c: Checker): Checker {
  return {
    kind: c.kind,
    start(spec) {
      const t0 = performance.now();
      const a = c.start(spec);
      void a.result.then((r) => line({ kind: 'attempt', probe: c.kind, address: spec.address, port: spec.port, ...r, ms: performance.now() - t0 }));
      const expire = a.expire?.bind(a);
      return {
        result: a.result,
        cancel: () => {
          line({ kind: 'attempt', probe: c.kind, address: spec.address, port: spec.port, ok: expire !== undefined, reason: 'timeout', detail: 'deadline', ms: performance.now() - t0 });
          a.cancel();
        },
        ...(expire ? { expire } : {}),
      };
    },
  };
}

const pinger = new IcmpPinger(loadNative, process.pid);
const registry = checkerRegistry({ pinger });
// As the director: plain TCP/HTTP connections (and fwmark) through the addon (daemon/health-checkers.ts).
useTcpProbeAddon(loadNative);
const engine = new HealthEngine({
  clock: monotonicClock,
  timers: nodeTimers,
  random: Math.random,
  checkers: new Map([...registry].map(([k, c]) => [k, logged(c)])),
  onEvent: (e) => line({ ...e }),
});
const missing = engine.update(services);
line({ kind: 'ready', missing });
const keepAlive = setInterval(() => line({ kind: 'snapshot', reals: engine.snapshot(), ping: pinger.mode(4) ?? null }), 250);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  engine.close();
  process.exit(0);
});
