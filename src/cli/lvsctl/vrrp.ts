/** `lvsctl vrrp [--json]`: per instance state, priorities, master, advert counters, drops. */
import type { VrrpInstanceStatus } from '../../control/index.js';
import type { TrackEffect } from '../../health/index.js';
import type { Io } from '../io.js';
import { ask } from './ask.js';

export async function run(opts: { json: boolean; socket: string }, io: Io): Promise<number> {
  const r = await ask({ socket: opts.socket, method: 'vrrp', params: undefined, io });
  if (!r.ok) return 1;
  io.out(opts.json ? `${JSON.stringify(r.value, null, 2)}\n` : formatVrrp(r.value));
  return 0;
}

export function formatVrrp(list: readonly VrrpInstanceStatus[]): string {
  if (list.length === 0) return 'no VRRP instances\n';
  const lines: string[] = [];
  for (const i of list) {
    const prio = i.priority.configured === i.priority.effective ? `${i.priority.effective}` : `${i.priority.effective} (configured ${i.priority.configured})`;
    lines.push(`${i.name}: ${i.state}  vrid ${i.vrid} on ${i.interface} (VRRPv${i.version}, IPv${i.family})`);
    lines.push(`  priority ${prio}  advert ${i.advertIntervalCs * 10} ms  master ${i.masterAddress ?? '-'}`);
    if (i.faultReason) lines.push(`  fault: ${i.faultReason}`);
    for (const tr of i.tracks ?? []) lines.push(`  ${formatTrack(tr)}`);
    lines.push(`  adverts sent ${i.advertsSent} received ${i.advertsReceived}  became master ${i.becameMaster}  gratuitous ARP/NA ${i.garpsSent}`);
    if (i.staleTimerDeferrals > 0) lines.push(`  late timers deferred ${i.staleTimerDeferrals}`);
    const drops = Object.entries(i.drops).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  drops ${drops || 'none'}`);
    const forms = Object.entries(i.checksumForms).map(([k, v]) => `${k} ${v}`).join(', ');
    if (forms) lines.push(`  checksum forms ${forms}`);
    const t = i.lastTransition;
    lines.push(`  last transition ${t ? `${t.at} ${t.from} -> ${t.to} (${t.reason})` : '-'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** "track script chk_haproxy: down, weight -20, -20" / "track process nginx: down, weight 0, FAULT". */
export function formatTrack(t: TrackEffect): string {
  const weight = `weight ${t.weight}${t.reverse ? ' reverse' : ''}`;
  const effect = t.fault !== null ? 'FAULT' : t.delta > 0 ? `+${t.delta}` : `${t.delta}`;
  return `track ${t.kind} ${t.name}: ${t.state}, ${weight}, ${effect}`;
}
