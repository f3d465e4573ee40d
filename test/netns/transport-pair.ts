/**
 * The harness of transport.test.ts: two namespaces joined by a veth pair (makePair, removed in
 * teardown), and the transport fixture run in one of them (`ip netns exec NS node
 * dist/test/fixtures/vrrp-transport.js`; Node cannot setns per thread), its JSON lines collected.
 */
import type { ExecutionContext } from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForValue } from '../fixtures/wait.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'vrrp-transport.js');
export const DEADLINE_MS = 8000;
let counter = 0;

export type Line = Record<string, unknown>;
export interface Pair { a: string; b: string; ifA: string; ifB: string; ip4A: string; ip4B: string; macA: string; ll6A: string; ll6B: string }

export const run = (args: readonly string[]): string => execFileSync(args[0] ?? '', args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
export const inNs = (ns: string, args: readonly string[]): string => run(['ip', 'netns', 'exec', ns, ...args]);

export const until = <T>(what: string, probe: () => T | undefined): Promise<T> => waitForValue(probe, what, DEADLINE_MS, 20);

function linkLocal(ns: string, ifname: string): string | undefined {
  const m = /inet6 (fe80::[0-9a-f:]+)\//.exec(inNs(ns, ['ip', '-6', 'addr', 'show', 'dev', ifname, 'scope', 'link']));
  return m?.[1];
}

/** Two namespaces, veth vA <-> vB, 10.231.0.1/24 and .2, IPv6 link-local without DAD delay. */
export async function makePair(t: ExecutionContext): Promise<Pair> {
  const id = `lvtr-${process.pid}-${++counter}`;
  const a = `${id}-a`;
  const b = `${id}-b`;
  t.teardown(() => {
    for (const ns of [a, b]) {
      try { run(['ip', 'netns', 'del', ns]); } catch (e) { t.log(`netns del ${ns}: ${String(e)}`); }
    }
  });
  run(['ip', 'netns', 'add', a]);
  run(['ip', 'netns', 'add', b]);
  run(['ip', '-n', a, 'link', 'add', 'vA', 'type', 'veth', 'peer', 'name', 'vB', 'netns', b]);
  for (const [ns, dev, ip] of [[a, 'vA', '10.231.0.1'], [b, 'vB', '10.231.0.2']] as const) {
    inNs(ns, ['sysctl', '-qw', `net.ipv6.conf.${dev}.accept_dad=0`]);
    run(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
    run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
  const ll6A = await until('link-local on vA', () => linkLocal(a, 'vA'));
  const ll6B = await until('link-local on vB', () => linkLocal(b, 'vB'));
  const macA = inNs(a, ['cat', '/sys/class/net/vA/address']).trim();
  return { a, b, ifA: 'vA', ifB: 'vB', ip4A: '10.231.0.1', ip4B: '10.231.0.2', macA, ll6A, ll6B };
}

export interface Proc { lines: Line[]; stderr: () => string; exit: Promise<number | null>; waitFor(event: string, n?: number): Promise<Line[]> }

export function fixture(t: ExecutionContext, ns: string, args: readonly string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const lines: Line[] = [];
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const p of parts) if (p !== '') lines.push(JSON.parse(p) as Line);
  });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = (event: string, n = 1): Promise<Line[]> =>
    until(`${n}× "${event}" from ${args.join(' ')} (stderr: ${err})`, () => {
      const got = lines.filter((l) => l['event'] === event);
      return got.length >= n ? got : undefined;
    });
  return { lines, stderr: () => err, exit, waitFor };
}

export async function sendOnce(t: ExecutionContext, ns: string, args: readonly string[]): Promise<Line> {
  const p = fixture(t, ns, ['send', ...args]);
  const [sent] = await p.waitFor('sent');
  t.is(await p.exit, 0, p.stderr());
  return sent ?? {};
}
