/**
 * Packet captures in test namespaces: tcpdump writes a pcap (started and confirmed listening
 * before the test acts), tshark reads it back with Wireshark's dissectors as an independent
 * decoder of what lvsd put on the wire.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { ExecutionContext } from 'ava';
import { startIn, type Proc } from './topology.js';
import { waitUntil } from '../fixtures/wait.js';

export interface Capture {
  readonly file: string;
  readonly proc: Proc;
  /** SIGINT tcpdump and wait until the file is flushed and closed. */
  stop(): Promise<void>;
}

/** tcpdump -U -w FILE on `dev` in `ns` (packet-buffered, runs as root so it may write into the 0700 temp dir). */
export async function startCapture(t: ExecutionContext | undefined, ns: string, file: string, filter: readonly string[] = [], dev = 'eth0'): Promise<Capture> {
  const proc = startIn(t, ns, 'tcpdump', ['-i', dev, '-n', '-U', '-Z', 'root', '-s', '0', '-w', file, ...filter]);
  await waitUntil(() => proc.stderr.join('').includes('listening on') || proc.child.exitCode !== null, `tcpdump listening in ${ns}`, 5000);
  if (proc.child.exitCode !== null) throw new Error(`tcpdump exited ${proc.child.exitCode}: ${proc.stderr.join('')}`);
  const stop = async (): Promise<void> => {
    proc.kill('SIGINT');
    await proc.exited;
  };
  return { file, proc, stop };
}

/** `tshark -r FILE ARGS…` output (HOME set to a temp dir so tshark does not read a user profile). */
export function tshark(file: string, args: readonly string[]): string {
  return execFileSync('tshark', ['-r', file, ...args], {
    encoding: 'utf8', env: { ...process.env, HOME: tmpdir() }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  });
}

/** One row per packet matching `filter`, with the requested fields (empty string when absent). */
export function tsharkFields(file: string, filter: string, fields: readonly string[], prefs: readonly string[] = []): Array<Record<string, string>> {
  const args = [...prefs.flatMap((p) => ['-o', p]), '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,',
    ...fields.flatMap((f) => ['-e', f])];
  return tshark(file, args).split('\n').filter((l) => l.length > 0).map((l) => {
    const cols = l.split('\t');
    return Object.fromEntries(fields.map((f, i) => [f, cols[i] ?? '']));
  });
}

/** The verbose dissection (`-V`) of the packets matching `filter`. */
export function tsharkVerbose(file: string, filter: string, prefs: readonly string[] = []): string {
  return tshark(file, [...prefs.flatMap((p) => ['-o', p]), '-V', '-Y', filter]);
}
