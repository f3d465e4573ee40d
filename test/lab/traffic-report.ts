/**
 * The demo's closing summary (scripts/demo-inner), from what it recorded:
 *   node traffic-report.js CLIENT_EVENTS KILLED_AT_WALL_MS BACKUP_LOG ADVERT_MS PRIORITY
 * CLIENT_EVENTS: dr-client.js's JSON lines; BACKUP_LOG: the pino lines of the backup's lvsd
 * (its vrrp.role / vrrp.vip events say when it took over, in wall-clock time, as does
 * KILLED_AT_WALL_MS). Prints a few plain lines.
 */
import { readFileSync } from 'node:fs';
import type { ClientEvent } from '../fixtures/dr-client.js';
import { masterDownMs } from './dr-world.js';
import { summarize } from './dr-traffic.js';

const [eventsPath = '', killedText = '', backupLog = '', advertMsText = '500', priorityText = '100'] = process.argv.slice(2);
const killedAt = Number(killedText);
const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('{'));
const events = lines(eventsPath).map((l) => JSON.parse(l) as ClientEvent);
const logged = lines(backupLog).map((l) => JSON.parse(l) as Record<string, unknown>);
const vipAdded = logged.find((l) => l.event === 'vrrp.vip' && l.action !== 'removed' && Date.parse(String(l.at)) >= killedAt);

const out: string[] = [];
const advertInt = String(Number(advertMsText) / 1000);
const downMs = masterDownMs(advertInt, Number(priorityText));
out.push(vipAdded
  ? `takeover:         dir-b owned the VIP ${Date.parse(String(vipAdded.at)) - killedAt} ms after dir-a died (VRRP allows 3 x ${advertMsText} ms + skew = ${downMs.toFixed(0)} ms)`
  : 'takeover:         dir-b never logged the VIP (see its log)');

const reqs = events.filter((e) => e.ev === 'req');
const first = reqs[0]?.t0 ?? 0;
const last = Math.max(...reqs.map((e) => e.t1), first);
const s = summarize(events, first, last);
const fails = Object.entries(s.failures).map(([k, v]) => `${v} ${k}`).join(', ');
out.push(`request loop:     ${s.requests} requests, ${s.ok} answered, ${s.failed} failed${fails ? ` (${fails})` : ''}`);
out.push(`client gap:       ${s.maxGapMs.toFixed(0)} ms without an answer (the longest: the crash)`);
const gapEnd = s.gapFrom + s.maxGapMs;
for (const h of s.held) {
  const answers = events.filter((e): e is Extract<ClientEvent, { ev: 'held' }> => e.ev === 'held' && e.id === h.id);
  const before = answers.filter((e) => e.t1 <= s.gapFrom).length;
  const after = answers.filter((e) => e.t1 >= gapEnd);
  const servers = [...new Set(answers.map((e) => e.rs))].join(', ');
  out.push(h.lost
    ? `open connection:  LOST (${h.lost.err}) after ${answers.length} answers`
    : `open connection:  alive, the same TCP connection (client port ${h.local}) to ${servers}: ${before} answers before the gap, ${after.length} after it`);
}
process.stdout.write(`${out.join('\n')}\n`);
