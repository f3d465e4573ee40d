/**
 * `lvsctl checks [--json]`: per virtual service its quorum, per real server its health, its
 * weight in the table lvsd wants (or why it is not there) and the operator's drain; per check
 * its kind, target, state since when, and the last result with its reason and latency.
 */
import { type CheckStatus, controlRequest, type RealCheckStatus, type ServiceChecks } from '../../control/index.js';
import type { Io } from '../io.js';

export async function run(opts: { json: boolean; socket: string }, io: Io): Promise<number> {
  let list: readonly ServiceChecks[];
  try {
    list = await controlRequest(opts.socket, 'checks', undefined, { timeoutMs: 5000 });
  } catch (e) {
    io.err(`lvsctl: ${(e as Error).message}\n`);
    return 1;
  }
  io.out(opts.json ? `${JSON.stringify(list, null, 2)}\n` : formatChecks(list));
  return 0;
}

/** "12 s", "4 min 3 s", "2 h 5 min", "3 d 4 h": the age of a state. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

function latency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}

/** "weight 1", "weight 0 of 3, drained", "not in the table (down)". */
function placement(r: RealCheckStatus, quorum: ServiceChecks['quorum']): string {
  const drained = r.override === 'drain' ? ', drained' : '';
  if (r.weight !== null) return r.weight === r.configuredWeight ? `weight ${r.weight}${drained}` : `weight ${r.weight} of ${r.configuredWeight}${drained}`;
  const why = r.sorry ? 'quorum up' : !r.up ? 'down' : quorum === 'down' ? 'replaced by the sorry server' : 'removed';
  return `not in the table (${why})${drained}`;
}

function formatCheck(c: CheckStatus): string {
  const watch = c.watch === undefined ? '' : c.watch === 'connected' ? ', watched' : ', watch not connected';
  const head = `${c.kind} ${c.target}${c.sharedBy > 1 ? ` (shared by ${c.sharedBy} services)` : ''}${watch}: ${c.state} since ${c.since} (${formatAge(c.forMs)})`;
  if (c.last === undefined) return `${head}, not run yet`;
  const what = c.last.ok ? `ok, ${c.last.detail}` : c.last.detail;
  return `${head}, last ${what}, ${latency(c.last.latencyMs)}, ${formatAge(c.last.agoMs)} ago`;
}

export function formatChecks(list: readonly ServiceChecks[]): string {
  if (list.length === 0) return 'no virtual services\n';
  const lines: string[] = [];
  for (const s of list) {
    lines.push(`${s.service}  quorum ${s.quorum}`);
    for (const r of s.reals) {
      const state = r.sorry ? 'sorry server' : r.up ? 'up' : 'down';
      lines.push(`  ${r.realServer}  ${state}  ${placement(r, s.quorum)}`);
      if (!r.sorry && r.checks.length === 0) lines.push('    no checks (always up)');
      for (const c of r.checks) lines.push(`    ${formatCheck(c)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
