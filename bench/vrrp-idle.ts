/**
 * What an idle VRRP pair costs (root, host kernel, no ip_vs needed):
 *   node dist/bench/vrrp-idle.js [--advert-int 0.1] [--warmup 15] [--window 20]
 * Two directors in namespaces on one bridge (priorities 200 / 100, the same keepalived.conf),
 * first lvsd, then keepalived 2.2.7; after the warm-up (lvsd's start-up and V8's one-off
 * heap-shrinking GC some seconds later stay out of it), the CPU of every thread of every process
 * in each namespace over the window, from /proc/PID/task/TID/stat (user and system ticks).
 * This is the steady cost of sending and receiving adverts on a director with nothing else to do.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, startPeer, type Peer } from '../test/netns/bench-run.js';
import { killNamespace, namespacePids } from '../test/netns/kp-peers.js';
import { makeLan } from '../test/netns/topology.js';
import { CLK_TCK, parseStat } from './proc-cpu.js';

const arg = (name: string, d: string): string => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] ?? d : d);
const advertInt = arg('--advert-int', '0.1');
const warmupS = Number(arg('--warmup', '15'));
const windowS = Number(arg('--window', '20'));
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** "PID/TID name" → user and system ms so far, for every thread of every process of `ns`. */
function threads(ns: string): Map<string, { user: number; sys: number }> {
  const out = new Map<string, { user: number; sys: number }>();
  for (const pid of namespacePids(ns)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tids) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const t = parseStat(text);
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      if (t) out.set(`${pid}/${tid} ${name}`, { user: (t.utime * 1000) / CLK_TCK, sys: (t.stime * 1000) / CLK_TCK });
    }
  }
  return out;
}

function delta(from: Map<string, { user: number; sys: number }>, to: Map<string, { user: number; sys: number }>): string[] {
  const rows: string[] = [];
  for (const [k, t] of to) {
    const f = from.get(k);
    if (f === undefined) continue;
    const user = t.user - f.user;
    const sys = t.sys - f.sys;
    if (user + sys > 0) rows.push(`${k}: user ${user} ms, sys ${sys} ms`);
  }
  return rows;
}

async function one(impl: 'lvsd' | 'keepalived'): Promise<void> {
  const lan = makeLan(undefined, ['m', 'b']);
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-vrrp-idle-'));
  try {
    const peers: Peer[] = [
      startPeer({ impl, ns: lan.ns.m!, name: 'm', dir, config: benchConfig({ priority: 200, advertInt }) }),
      startPeer({ impl, ns: lan.ns.b!, name: 'b', dir, config: benchConfig({ priority: 100, advertInt }) }),
    ];
    await pause(warmupS * 1000);
    const before = [lan.ns.m!, lan.ns.b!].map(threads);
    await pause(windowS * 1000);
    const after = [lan.ns.m!, lan.ns.b!].map(threads);
    let total = 0;
    for (const [i, who] of ['master', 'backup'].entries()) {
      const rows = delta(before[i]!, after[i]!);
      for (const r of rows) total += [...r.matchAll(/(\d+) ms/g)].reduce((s, m) => s + Number(m[1]), 0);
      process.stdout.write(`  ${impl} ${who} (${peers[i]!.role()}): ${rows.length ? rows.join('; ') : 'no CPU'}\n`);
    }
    process.stdout.write(`  ${impl}: ${total} ms CPU for the pair over ${windowS} s (${(total / windowS).toFixed(1)} ms/s)\n`);
  } finally {
    for (const ns of Object.values(lan.ns)) killNamespace(ns);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`bench/vrrp-idle: a VRRP pair at ${advertInt} s adverts, warm-up ${warmupS} s, window ${windowS} s (${new Date().toISOString()})\n`);
await one('lvsd');
await one('keepalived');
