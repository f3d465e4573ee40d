/**
 * The kernel-table watcher of bench/checks, run inside a director's namespace (IPVS tables are
 * per namespace):  node dist/bench/checks-watch.js POLL_MS
 * It polls ONE service's destinations over generic netlink (a GET_DEST dump of ten entries, not
 * the 1,000-destination table), so the watch is cheap and equally fast for both directors.
 * Commands on stdin (one JSON object per line):
 *   {"cmd":"size"}   → {ev:"size", services, dests} (one full dump)
 *   {"cmd":"until","id":N,"vip":A,"port":P,"rip":R,"rport":Q,"present":false,"timeoutMs":T}
 *        → {ev:"until", id, ok, t, resolutionMs, polls}: t = when the first dump showing the
 *          wanted state returned; the change happened within resolutionMs before t (since the
 *          start of the previous dump). Times: CLOCK_MONOTONIC ms, as checks-farm.ts.
 */
import { createInterface } from 'node:readline';
import { openNetlinkIpvs, type NetlinkIpvsClient } from '../src/ipvs/client.js';
import { KernelError } from '../src/errors.js';
import { AF_INET, IPPROTO_TCP, type ServiceId } from '../src/ipvs/types.js';

const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
const emit = (ev: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(ev)}\n`); };
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Until { id: number; vip: string; port: number; rip: string; rport: number; present: boolean; timeoutMs: number }

async function isPresent(c: NetlinkIpvsClient, svc: ServiceId, rip: string, rport: number): Promise<boolean> {
  try {
    return (await c.dests(svc)).some((d) => d.addr === rip && d.port === rport);
  } catch (e) {
    if (e instanceof KernelError && e.code === 'ESRCH') return false; // no service: no destination either
    throw e;
  }
}

async function until(c: NetlinkIpvsClient, u: Until, pollMs: number): Promise<void> {
  const svc: ServiceId = { af: AF_INET, protocol: IPPROTO_TCP, addr: u.vip, port: u.port, fwmark: 0 };
  const deadline = nowMs() + u.timeoutMs;
  let prevStart = nowMs();
  for (let polls = 1; ; polls++) {
    const start = nowMs();
    const present = await isPresent(c, svc, u.rip, u.rport);
    const t = nowMs();
    if (present === u.present) return emit({ ev: 'until', id: u.id, ok: true, t, resolutionMs: t - prevStart, polls });
    if (t > deadline) return emit({ ev: 'until', id: u.id, ok: false, t, polls });
    prevStart = start;
    await pause(pollMs);
  }
}

async function main(): Promise<void> {
  const pollMs = Number(process.argv[2] ?? 2);
  const client = await openNetlinkIpvs({ timeoutMs: 5000 });
  let chain = Promise.resolve();
  const run = async (line: string): Promise<void> => {
    const c = JSON.parse(line) as { cmd: string } & Partial<Until>;
    if (c.cmd === 'size') {
      const t = await client.dump();
      return emit({ ev: 'size', services: t.length, dests: t.reduce((n, s) => n + s.dests.length, 0) });
    }
    if (c.cmd === 'until') return until(client, c as Until, pollMs);
    emit({ ev: 'error', message: `unknown command ${c.cmd}` });
  };
  createInterface({ input: process.stdin }).on('line', (line) => {
    chain = chain.then(() => run(line)).catch((e: Error) => emit({ ev: 'error', message: e.message }));
  }).on('close', () => {
    client.close();
    process.exit(0);
  });
  emit({ ev: 'ready' });
}

await main();
