/**
 * Runs IPVS backend calls inside a network namespace for the lab tests and the bench:
 *   ip netns exec NS node dist/test/lab/ipvs-runner.js REQUEST.json
 * REQUEST = { backend: 'netlink' | 'ipvsadm', calls: RunnerCall[] }. Prints one JSON line:
 * { results: RunnerResult[] } (bigints as strings), each with the call's own duration in ms.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { KernelError } from '../../src/errors.js';
import { openIpvsBackend } from '../../src/ipvs/backend.js';
import type { IpvsBackend, IpvsDaemon, IpvsOp, IpvsTimeouts, ServiceId } from '../../src/ipvs/types.js';

export type RunnerCall =
  | { readonly method: 'applyBatch'; readonly ops: readonly IpvsOp[] }
  | { readonly method: 'applyEach'; readonly ops: readonly IpvsOp[] }
  /** applyBatch, returning { errors, stats } (netlink: datagrams and ms inside send()). */
  | { readonly method: 'applyBatchStats'; readonly ops: readonly IpvsOp[] }
  | { readonly method: 'dump' | 'info' | 'flush' | 'getTimeouts' | 'getDaemons' }
  | { readonly method: 'zero'; readonly service?: ServiceId }
  | { readonly method: 'setTimeouts'; readonly timeouts: IpvsTimeouts }
  | { readonly method: 'startDaemon'; readonly daemon: IpvsDaemon }
  | { readonly method: 'stopDaemon'; readonly state: 'master' | 'backup' }
  /** Plain `ipvsadm -R` of `text` (the bench's reference), timed like the other calls. */
  | { readonly method: 'restore'; readonly text: string }
  /** Any ipvsadm command (the bench's listing reference), timed; returns its output length. */
  | { readonly method: 'ipvsadm'; readonly args: readonly string[] };

export interface RunnerError { readonly code: string; readonly errno: number; readonly message: string; readonly op?: IpvsOp }
export type RunnerResult =
  | { readonly ok: true; readonly ms: number; readonly value: unknown }
  | { readonly ok: false; readonly ms: number; readonly error: RunnerError };

export interface RunnerRequest { readonly backend: 'netlink' | 'ipvsadm'; readonly calls: readonly RunnerCall[] }

function errorOf(e: unknown): RunnerError {
  if (e instanceof KernelError) return { code: e.code, errno: e.errno, message: e.message };
  return { code: 'EUNKNOWN', errno: 0, message: String(e) };
}

async function call(b: IpvsBackend, c: RunnerCall): Promise<unknown> {
  switch (c.method) {
    case 'applyBatch': {
      const out = b.applyBatch ? await b.applyBatch(c.ops) : [];
      return out.map((o) => (o.error ? errorOf(o.error) : null));
    }
    case 'applyBatchStats': {
      const out = b.applyBatch ? await b.applyBatch(c.ops) : [];
      const stats = 'lastBatch' in b ? (b as { lastBatch?: unknown }).lastBatch : undefined;
      return { errors: out.filter((o) => o.error).map((o) => errorOf(o.error)), stats };
    }
    case 'applyEach': {
      const out: Array<RunnerError | null> = [];
      for (const op of c.ops) out.push(await b.apply(op).then(() => null, errorOf));
      return out;
    }
    case 'dump': return b.dump();
    case 'info': return b.info();
    case 'flush': return b.flush();
    case 'getTimeouts': return b.getTimeouts();
    case 'getDaemons': return b.getDaemons();
    case 'zero': return b.zero(c.service);
    case 'setTimeouts': return b.setTimeouts(c.timeouts);
    case 'startDaemon': return b.startDaemon(c.daemon);
    case 'stopDaemon': return b.stopDaemon(c.state);
    case 'ipvsadm': {
      const r = await execa('ipvsadm', [...c.args], { reject: false });
      return { exitCode: r.exitCode, bytes: r.stdout.length, stderr: r.stderr };
    }
    case 'restore': {
      const r = await execa('ipvsadm', ['-R'], { input: c.text, reject: false });
      return { exitCode: r.exitCode, stderr: r.stderr };
    }
    default: {
      const never: never = c;
      throw new Error(`unknown call ${JSON.stringify(never)}`);
    }
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')) as RunnerRequest;
  const b = await openIpvsBackend({ backend: req.backend, timeoutMs: 5000 });
  const results: RunnerResult[] = [];
  try {
    for (const c of req.calls) {
      const t0 = performance.now();
      try {
        const value = await call(b, c);
        results.push({ ok: true, ms: performance.now() - t0, value: value ?? null });
      } catch (e) {
        results.push({ ok: false, ms: performance.now() - t0, error: errorOf(e) });
      }
    }
  } finally {
    b.close();
  }
  process.stdout.write(`${JSON.stringify({ results }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}\n`);
}

await main();
