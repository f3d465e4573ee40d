/**
 * `lvsctl drain|enable VIP:PORT RIP:PORT`: weight 0 for a real server (established
 * connections finish, no new ones), or its configured weight back. lvsd keeps the drain across
 * reloads; `lvsctl checks` shows it. Unknown or ambiguous targets are refused by lvsd with a
 * message naming them (exit 1).
 */
import { controlRequest, type WeightResult } from '../../control/index.js';
import type { Io } from '../io.js';

export interface DrainOptions {
  readonly socket: string;
  readonly action: 'drain' | 'enable';
  readonly service: string;
  readonly realServer: string;
}

export async function run(opts: DrainOptions, io: Io): Promise<number> {
  let r: WeightResult;
  try {
    r = await controlRequest(opts.socket, opts.action, { service: opts.service, realServer: opts.realServer }, { timeoutMs: 10_000 });
  } catch (e) {
    io.err(`lvsctl: ${(e as Error).message}\n`);
    return 1;
  }
  io.out(`${formatWeightResult(opts.action, r)}\n`);
  return 0;
}

export function formatWeightResult(action: 'drain' | 'enable', r: WeightResult): string {
  const what = action === 'drain' ? (r.changed ? 'drained' : 'already drained') : r.changed ? 'enabled' : 'was not drained';
  const now = r.weight === null ? 'not in the table now (its health or quorum keeps it out)' : `weight ${r.weight} (configured ${r.configuredWeight})`;
  return `${r.service} ${r.realServer}: ${what}, ${now}`;
}
