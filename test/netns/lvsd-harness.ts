/**
 * Running real lvsd processes in test namespaces, reading their pino lines and asking
 * `lvsctl vrrp --json` over their control socket.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExecutionContext } from 'ava';
import { startIn, sh, type Proc } from './topology.js';

export const REPO = resolve(new URL('../../..', import.meta.url).pathname);
export const LVSD = join(REPO, 'bin/lvsd');
export const LVSCTL = join(REPO, 'bin/lvsctl');

/** The node options on bin/lvsd's `#!/usr/bin/env -S node …` line: tests run lvsd as the shebang does. */
export function shebangNodeFlags(firstLine: string): string[] {
  const m = /^#!\S*env -S node((?:\s+\S+)*)\s*$/.exec(firstLine);
  return m ? (m[1] ?? '').split(/\s+/).filter((x) => x.length > 0) : [];
}

export const LVSD_NODE_FLAGS: readonly string[] = shebangNodeFlags(readFileSync(LVSD, 'utf8').split('\n')[0] ?? '');

export interface Director extends Proc {
  readonly name: string;
  readonly socket: string;
  readonly config: string;
}

export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function startLvsd(t: Pick<ExecutionContext, 'teardown'> | undefined, o: { ns: string; name: string; dir: string; config: string; extraArgs?: string[] }): Director {
  const config = join(o.dir, `${o.name}.conf`);
  writeFileSync(config, o.config);
  const socket = join(o.dir, `${o.name}.sock`);
  const args = [...LVSD_NODE_FLAGS, LVSD, '-n', '-f', config, '--socket', socket, '--pid-file', join(o.dir, `${o.name}.pid`), '--log-level', 'debug', ...(o.extraArgs ?? [])];
  const p = startIn(t, o.ns, process.execPath, args);
  return Object.assign(p, { name: o.name, socket, config });
}

/** The last VRRP role an lvsd logged for `instance` ('INIT' before any). */
export function roleOf(d: Director, instance: string): string {
  let role = 'INIT';
  for (const l of d.lines) if (l.event === 'vrrp.role' && l.instance === instance) role = String(l.to);
  return role;
}

export interface VrrpStatus {
  name: string;
  state: string;
  drops: Record<string, number>;
  advertsReceived: number;
  advertsSent: number;
  garpsSent: number;
  masterAddress: string | null;
  checksumForms: Record<string, number>;
}

export function vrrpStatus(d: Director, ns: string): VrrpStatus[] {
  const out = sh('ip', ['netns', 'exec', ns, process.execPath, LVSCTL, '--socket', d.socket, 'vrrp', '--json']);
  return JSON.parse(out) as VrrpStatus[];
}

/** A two-line keepalived.conf vrrp_instance for tests. */
export function keepalivedInstance(o: {
  name?: string; state?: 'MASTER' | 'BACKUP'; vrid: number; priority: number; advertInt: string; vips: string[];
  version?: 2 | 3; extra?: string[]; iface?: string;
}): string {
  const lines = [
    `vrrp_instance ${o.name ?? 'VI_1'} {`,
    `    state ${o.state ?? 'BACKUP'}`,
    `    interface ${o.iface ?? 'eth0'}`,
    `    virtual_router_id ${o.vrid}`,
    `    priority ${o.priority}`,
    `    advert_int ${o.advertInt}`,
    ...(o.version ? [`    version ${o.version}`] : []),
    ...(o.extra ?? []).map((l) => `    ${l}`),
    '    virtual_ipaddress {',
    ...o.vips.map((v) => `        ${v}`),
    '    }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
