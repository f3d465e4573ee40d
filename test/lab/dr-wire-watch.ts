/**
 * bench/dr-failover --wire: what the client's link saw after a takeover, to split "VIP on the
 * backup → first answer" into its steps. `tcpdump -e` in the client namespace keeps ARP packets
 * and TCP SYNs (with the Ethernet addresses, so a SYN to the new master is told from one to the
 * dead one), stamped by the kernel (µs, wall clock, moved to the performance.now() scale as
 * bench-advert-watch.ts does). No ava here: bench code.
 */
import { spawn } from 'node:child_process';
import { eachLine, nsExec } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { wallToPerfMs } from '../netns/wall-clock.js';

interface WireLine {
  readonly atMs: number;
  readonly srcMac: string;
  readonly dstMac: string;
  /**
   * 'garp': an ARP announcing `vip` (request or reply, sender = target = vip); 'syn' client → vip;
   * 'synack' vip → client; 'ask' a client segment with data (PSH) to vip; 'answer' one from vip.
   */
  readonly kind: 'garp' | 'syn' | 'synack' | 'ask' | 'answer';
}

export interface WireSteps {
  /** VIP on the backup → the first announcement of it from the backup's MAC, at the client. */
  readonly garpMs: number;
  /** That announcement → the client's first SYN to the backup's MAC. */
  readonly synMs: number;
  /** That SYN → its SYN-ACK (from a real server, straight to the client). */
  readonly synAckMs: number;
  /** That SYN-ACK → the client's first request (a segment with data) to the backup's MAC. */
  readonly askMs: number;
  /** That request → the first segment with data from the VIP (an answer, from a real server). */
  readonly answerMs: number;
}

export interface WireWatch {
  /** The steps after `vipAtMs` (performance.now() scale); NaN for a step not seen. */
  steps(vipAtMs: number): WireSteps;
  stop(): void;
}

export function macOf(ns: string, dev = 'eth0'): string {
  const [link] = JSON.parse(nsExec(ns, 'ip', ['-j', 'link', 'show', dev])) as Array<{ address: string }>;
  return link!.address.toLowerCase();
}

export async function watchWire(ns: string, vip: string, backupMac: string): Promise<WireWatch> {
  const filter = `arp or (tcp[tcpflags] & (tcp-syn|tcp-push) != 0 and host ${vip})`;
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'eth0', '-n', '-e', '-l', '-tt', '--immediate-mode', '--time-stamp-precision=micro', filter],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: WireLine[] = [];
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const esc = vip.replace(/\./g, '\\.');
  const garp = new RegExp(`(?:who-has ${esc} (?:\\([0-9a-f:]+\\) )?tell ${esc}|Reply ${esc} is-at)`);
  const syn = new RegExp(`> ${esc}\\.\\d+: Flags \\[S\\]`);
  const synack = new RegExp(` ${esc}\\.\\d+ > \\S+: Flags \\[S\\.\\]`);
  const ask = new RegExp(`> ${esc}\\.\\d+: Flags \\[[^\\]S]*P`);
  const answer = new RegExp(` ${esc}\\.\\d+ > \\S+: Flags \\[[^\\]S]*P`);
  eachLine(child.stdout!, (line) => {
    const m = /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}),/.exec(line);
    if (!m) return;
    const kind = garp.test(line) ? 'garp' : syn.test(line) ? 'syn' : synack.test(line) ? 'synack'
      : ask.test(line) ? 'ask' : answer.test(line) ? 'answer' : undefined;
    if (kind) lines.push({ atMs: wallToPerfMs(Number(m[1]) * 1000), srcMac: m[2]!, dstMac: m[3]!, kind });
  });
  const stop = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  try {
    await waitUntil(() => err.includes('listening on') || child.exitCode !== null, `tcpdump in ${ns}`, 5000);
  } catch (e) {
    stop();
    throw e;
  }
  const steps = (vipAtMs: number): WireSteps => {
    const g = lines.find((l) => l.atMs >= vipAtMs - 50 && l.kind === 'garp' && l.srcMac === backupMac);
    const s = g && lines.find((l) => l.atMs >= g.atMs && l.kind === 'syn' && l.dstMac === backupMac);
    const a = s && lines.find((l) => l.atMs >= s.atMs && l.kind === 'synack');
    const q = a && lines.find((l) => l.atMs >= a.atMs && l.kind === 'ask' && l.dstMac === backupMac);
    const r = q && lines.find((l) => l.atMs >= q.atMs && l.kind === 'answer');
    const ms = (x: WireLine | undefined, y: WireLine | undefined): number => (x && y ? y.atMs - x.atMs : Number.NaN);
    return { garpMs: g ? g.atMs - vipAtMs : Number.NaN, synMs: ms(g, s), synAckMs: ms(s, a), askMs: ms(a, q), answerMs: ms(q, r) };
  };
  return { steps, stop };
}
