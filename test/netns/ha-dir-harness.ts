/**
 * Two lvsd directors started from ONE heartbeat directory (`lvsd --ha-dir DIR`), as a heartbeat
 * pair runs from identical /etc/ha.d copies: ha.cf with two `node` lines, haresources with an
 * IPaddr2 VIP preferred on lb1, authkeys (sha1). Heartbeat names the local node by `uname -n`,
 * so each lvsd runs in its own UTS namespace with its own host name: a persistent one made by
 * `unshare --uts=FILE hostname NAME`, entered with `nsenter --uts=FILE` (argv only, no shell),
 * inside the director's network namespace. Used by heartbeat-dir.test.ts and bench/ldirectord.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { LVSD, type Director } from './lvsd-harness.js';
import { addresses, sh, startIn } from './topology.js';

type Teardown = Pick<ExecutionContext, 'teardown'> | undefined;

export const NODES = ['lb1', 'lb2'] as const;
export type Node = (typeof NODES)[number];
/** The VRRP instance lvsd makes of haresources' first line (preferred node lb1). */
export const INSTANCE = 'hb1_lb1';

export interface HaTiming {
  /** ha.cf keepalive and deadtime, in seconds. */
  readonly keepaliveS: number;
  readonly deadtimeS: number;
  readonly autoFailback: boolean;
}

/** Writes ha.cf, haresources and authkeys (mode 600) for the pair into `dir`/ha.d; returns that folder. */
export function writeHaDir(dir: string, vip: string, o: HaTiming): string {
  const ha = join(dir, 'ha.d');
  mkdirSync(ha, { recursive: true });
  writeFileSync(join(ha, 'ha.cf'), [
    '# two directors, one broadcast medium (heartbeat 3.0.6 syntax)',
    'logfacility local0',
    `keepalive ${o.keepaliveS}`,
    `deadtime ${o.deadtimeS}`,
    `warntime ${o.deadtimeS / 2}`,
    `initdead ${2 * o.deadtimeS}`,
    'udpport 694',
    'bcast eth0',
    `auto_failback ${o.autoFailback ? 'on' : 'off'}`,
    ...NODES.map((n) => `node ${n}`),
    '',
  ].join('\n'));
  writeFileSync(join(ha, 'haresources'), `lb1 IPaddr2::${vip}/24/eth0\n`);
  const keys = join(ha, 'authkeys');
  writeFileSync(keys, 'auth 1\n1 sha1 7cb2e0a1c9d04d1e\n');
  chmodSync(keys, 0o600);
  return ha;
}

/** A persistent UTS namespace named `node` (host name), bound to a file in `dir`; unmounted in teardown. */
export function utsNamespace(t: Teardown, dir: string, node: string): string {
  const file = join(dir, `uts-${node}`);
  writeFileSync(file, '');
  sh('unshare', [`--uts=${file}`, 'hostname', node]);
  if (t) t.teardown(() => releaseUts(file));
  return file;
}

/** Unmounts a UTS namespace file of utsNamespace() (the namespace goes when its last process does). */
export function releaseUts(file: string): void {
  try {
    sh('umount', [file]);
  } catch (e) {
    process.stderr.write(`umount ${file}: ${(e as Error).message}\n`);
  }
}

export interface HaDirector extends Director {
  readonly node: Node;
}

/** lvsd --ha-dir in network namespace `ns` and UTS namespace `uts` (host name = node). */
export function startHaLvsd(t: Teardown, o: { ns: string; uts: string; haDir: string; node: Node; dir: string; tag?: string; logLevel?: string }): HaDirector {
  const base = join(o.dir, `${o.node}${o.tag ?? ''}`);
  const p = startIn(t, o.ns, 'nsenter', [`--uts=${o.uts}`, process.execPath, LVSD, '-n', '--ha-dir', o.haDir,
    '--socket', `${base}.sock`, '--pid-file', `${base}.pid`, '--log-level', o.logLevel ?? 'debug']);
  return Object.assign(p, { node: o.node, name: o.node, socket: `${base}.sock`, config: o.haDir });
}

export const holdsVip = (ns: string, vip: string): boolean => addresses(ns).includes(vip);

/**
 * Worst case of a takeover after the master's last advert, VRRP at `advertMs` and the backup's
 * `priority`: Master_Down_Interval = 3 × advert + (256 − priority) / 256 × advert (RFC 9568 §6.1).
 */
export const masterDownMs = (advertMs: number, priority: number): number => 3 * advertMs + ((256 - priority) * advertMs) / 256;
