/**
 * `lvsctl director [--json]`: what the running lvsd is doing: its config, the IPVS backend
 * and operation counts, the VRRP worker's timer lateness, and what tracking follows.
 */
import type { DirectorStatus } from '../../control/index.js';
import type { Io } from '../io.js';
import { ask } from './ask.js';

export async function run(opts: { json: boolean; socket: string }, io: Io): Promise<number> {
  const r = await ask({ socket: opts.socket, method: 'status', params: undefined, io });
  if (!r.ok) return 1;
  io.out(opts.json ? `${JSON.stringify(r.value, null, 2)}\n` : formatDirector(r.value));
  return 0;
}

export function formatDirector(s: DirectorStatus): string {
  const { ipvs, vrrpTimerLateness: late } = s;
  const last = ipvs.lastApply;
  const lines = [
    `config ${s.config} (${s.format})`,
    `ipvs backend ${ipvs.backend ?? '-'}: ${ipvs.applies} reconcile(s), ${ipvs.opsApplied} operation(s) applied, ${ipvs.opsFailed} refused`,
    `ipvs last reconcile ${last ? `${last.at}: ${last.ops} op(s), ${last.failed} refused, ${last.ms} ms` : '-'}`,
    `vrrp timer lateness ${late ? `p99 ${late.p99Us} us, max ${late.maxUs} us over ${late.samples} firings` : '-'}`,
  ];
  const tr = s.tracking;
  if (tr) {
    const how = tr.processMode === 'events' ? ', processes followed by kernel events' : tr.processMode === 'polling' ? ', processes by polling /proc' : '';
    lines.push(`tracking ${tr.scripts.length} script(s), ${tr.files.length} file(s), ${tr.processes.length} process(es)${how}`);
  }
  return `${lines.join('\n')}\n`;
}
