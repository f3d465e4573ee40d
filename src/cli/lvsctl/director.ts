/**
 * `lvsctl director [--json]`: what the running lvsd is doing: its config, the IPVS backend
 * and operation counts, the VRRP worker's timer lateness, and what tracking follows.
 */
import { controlRequest } from '../../control/index.js';
import type { Io } from '../io.js';

export async function run(opts: { json: boolean; socket: string }, io: Io): Promise<number> {
  let status: Readonly<Record<string, unknown>>;
  try {
    status = await controlRequest(opts.socket, 'status', undefined, { timeoutMs: 5000 });
  } catch (e) {
    io.err(`lvsctl: ${(e as Error).message}\n`);
    return 1;
  }
  if (opts.json) {
    io.out(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  }
  io.out(formatDirector(status));
  return 0;
}

export function formatDirector(s: Readonly<Record<string, unknown>>): string {
  const ipvs = (s.ipvs ?? {}) as Record<string, unknown>;
  const last = ipvs.lastApply as { at: string; ops: number; failed: number; ms: number } | null | undefined;
  const late = s.vrrpTimerLateness as { samples: number; maxUs: number; p99Us: number } | undefined;
  const lines = [
    `config ${String(s.config)} (${String(s.format)})`,
    `ipvs backend ${String(ipvs.backend ?? '-')}: ${String(ipvs.applies ?? 0)} reconcile(s), ${String(ipvs.opsApplied ?? 0)} operation(s) applied, ${String(ipvs.opsFailed ?? 0)} refused`,
    `ipvs last reconcile ${last ? `${last.at}: ${last.ops} op(s), ${last.failed} refused, ${last.ms} ms` : '-'}`,
    `vrrp timer lateness ${late ? `p99 ${late.p99Us} us, max ${late.maxUs} us over ${late.samples} firings` : '-'}`,
  ];
  const tr = s.tracking as { processMode: string; scripts: unknown[]; files: unknown[]; processes: unknown[] } | null | undefined;
  if (tr) {
    const how = tr.processMode === 'events' ? ', processes followed by kernel events' : tr.processMode === 'polling' ? ', processes by polling /proc' : '';
    lines.push(`tracking ${tr.scripts.length} script(s), ${tr.files.length} file(s), ${tr.processes.length} process(es)${how}`);
  }
  return `${lines.join('\n')}\n`;
}
