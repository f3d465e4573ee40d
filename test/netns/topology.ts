/**
 * Test LANs in network namespaces: N hosts, each with `eth0` on one bridge (in its own
 * namespace), IPv4 198.51.100.<n>/24 and an IPv6 link-local address. Names are unique per
 * process and counter; `destroy()` removes everything and is registered in t.teardown.
 * Only addresses inside these namespaces are ever used.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import type { Readable } from 'node:stream';

let counter = 0;

export interface Lan {
  /** namespace name by host name */
  readonly ns: Record<string, string>;
  /** IPv4 address by host name */
  readonly ip4: Record<string, string>;
  readonly bridgeNs: string;
  readonly prefix: string; // "198.51.100"
  destroy(): void;
}

export function sh(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function nsExec(ns: string, cmd: string, args: readonly string[]): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** Build a LAN of `hosts` (names) and register its removal with the test. */
export function makeLan(t: ExecutionContext | undefined, hosts: readonly string[], o: { subnet?: number } = {}): Lan {
  const id = `${process.pid % 100000}-${++counter}`;
  const bridgeNs = `lvt-${id}-sw`;
  const ns: Record<string, string> = {};
  const ip4: Record<string, string> = {};
  const prefix = `198.51.${100 + (o.subnet ?? 0)}`;
  const created: string[] = [];
  const destroy = (): void => {
    for (const n of created.reverse()) {
      try {
        sh('ip', ['netns', 'del', n]);
      } catch {
        // already gone
      }
    }
    created.length = 0;
  };
  t?.teardown(destroy);
  try {
    sh('ip', ['netns', 'add', bridgeNs]);
    created.push(bridgeNs);
    nsExec(bridgeNs, 'ip', ['link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    nsExec(bridgeNs, 'ip', ['link', 'set', 'br0', 'up']);
    hosts.forEach((h, i) => {
      const name = `lvt-${id}-${h}`;
      sh('ip', ['netns', 'add', name]);
      created.push(name);
      ns[h] = name;
      ip4[h] = `${prefix}.${i + 1}`;
      nsExec(name, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0']);
      nsExec(name, 'sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0']);
      const port = `p${i}-${h}`.slice(0, 15);
      sh('ip', ['link', 'add', 'eth0', 'netns', name, 'type', 'veth', 'peer', 'name', port, 'netns', bridgeNs]);
      nsExec(bridgeNs, 'ip', ['link', 'set', port, 'master', 'br0', 'up']);
      nsExec(name, 'ip', ['link', 'set', 'lo', 'up']);
      nsExec(name, 'ip', ['addr', 'add', `${ip4[h]}/24`, 'dev', 'eth0']);
      nsExec(name, 'ip', ['link', 'set', 'eth0', 'up']);
    });
  } catch (e) {
    destroy();
    throw e;
  }
  return { ns, ip4, bridgeNs, prefix, destroy };
}

/** Addresses (without prefix) on `dev` in namespace `ns`. */
export function addresses(ns: string, dev = 'eth0'): string[] {
  const out = nsExec(ns, 'ip', ['-o', 'addr', 'show', 'dev', dev]);
  return out.split('\n').map((l) => /inet6? ([^/ ]+)/.exec(l)?.[1]).filter((a): a is string => a !== undefined);
}

export interface Proc {
  readonly child: ChildProcess;
  /** stdout lines parsed as JSON where possible (pino) */
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: string[];
  kill(signal?: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** Calls `fn` with every complete line of a child's output stream (text, without the newline). */
export function eachLine(stream: Readable, fn: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      fn(line);
    }
  });
}

/** Start `cmd args` in namespace `ns`; collected output; killed at teardown. */
export function startIn(t: Pick<ExecutionContext, 'teardown'> | undefined, ns: string, cmd: string, args: readonly string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  eachLine(child.stdout!, (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ raw: line });
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  t?.teardown(() => kill('SIGKILL'));
  return { child, lines, stderr, kill, exited };
}
