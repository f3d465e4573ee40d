/**
 * Streams `tcpdump -l -tt --immediate-mode` of incoming VRRP packets in a namespace, with the
 * kernel's receive timestamps, so the failover bench can measure from the dead master's LAST advert (not
 * only from the kill, whose phase within the advert interval is random).
 */
import { spawn } from 'node:child_process';
import { eachLine } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';
import { wallToPerfMs } from './wall-clock.js';

export interface AdvertWatch {
  /** performance.now() of the last advert from `src` received at or before `atMs`, if any. */
  lastFrom(src: string, atMs: number): number | undefined;
  /** Resolves with the receive time of the first advert from `src` after `afterMs`, once its line is here. */
  nextFrom(src: string, afterMs: number, timeoutMs: number): Promise<number>;
  stop(): void;
}

export async function watchAdverts(ns: string): Promise<AdvertWatch> {
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'eth0', '-n', '-l', '-tt', '--immediate-mode', '--time-stamp-precision=micro', '-Q', 'in', 'ip proto 112 or ip6 proto 112'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: Array<{ atMs: number; src: string }> = [];
  const waiters = new Set<() => void>();
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  eachLine(child.stdout!, (line) => {
    // "1764081324.123456 IP 198.51.100.1 > 224.0.0.18: VRRPv3, ...": the kernel's receive time
    // (wall clock), moved to the performance.now() scale.
    const m = /^(\d+\.\d+) IP6? ([0-9a-f.:]+) > /.exec(line);
    if (m) {
      seen.push({ atMs: wallToPerfMs(Number(m[1]) * 1000), src: m[2]! });
      for (const w of [...waiters]) w();
    }
  });
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    await waitUntil(() => err.includes('listening on') || child.exitCode !== null, `tcpdump in ${ns}`, 5000);
  } catch (e) {
    stop();
    throw e;
  }
  const lastFrom = (src: string, atMs: number): number | undefined => {
    for (let k = seen.length - 1; k >= 0; k--) {
      const s = seen[k]!;
      if (s.atMs <= atMs && s.src === src) return s.atMs;
    }
    return undefined;
  };
  const nextFrom = (src: string, afterMs: number, timeoutMs: number): Promise<number> => new Promise((resolve, reject) => {
    const check = (): void => {
      const hit = seen.find((x) => x.src === src && x.atMs > afterMs);
      if (hit === undefined) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(hit.atMs);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no advert from ${src} within ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
  return { lastFrom, nextFrom, stop };
}
