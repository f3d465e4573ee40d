/**
 * The namespaces of bench/checks (lab part): a farm and two directors, each director on its own
 * veth to the farm (IPVS is per namespace: each director has its own table):
 *
 *   dk (keepalived) vk 10.230.1.2/30 ── fk 10.230.1.1/30 ┐
 *                                                          farm: `local 10.210.0.0/16 dev lo`
 *   dl (lvsd)       vl 10.230.2.2/30 ── fl 10.230.2.1/30 ┘       (every farm address is local)
 *
 * Each director routes 10.210.0.0/16 to the farm, so IPVS accepts the real servers and the
 * checks reach them. The farm tells the directors apart by their source address. Names are
 * unique per process; `destroy()` kills every process left in them and removes them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { killNamespace } from '../test/netns/kp-peers.js';
import { FARM_NET } from './checks-conf.js';

export interface Topology {
  readonly farm: string;
  /** Director namespaces by implementation. */
  readonly dir: { readonly lvsd: string; readonly keepalived: string };
  /** The address each director's checks come from, as the farm sees it. */
  readonly source: { readonly lvsd: string; readonly keepalived: string };
  destroy(): void;
}

/** Teardowns of what exists right now: bench/checks runs them on SIGINT/SIGTERM so nothing is left behind. */
export const pendingTeardowns = new Set<() => void>();

const ip = (args: readonly string[]): void => { execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] }); };

export function buildTopology(tag = 'bchk'): Topology {
  const base = `${tag}-${process.pid}`;
  const farm = `${base}-farm`;
  const dir = { keepalived: `${base}-dk`, lvsd: `${base}-dl` };
  const created: string[] = [];
  const destroy = (): void => {
    pendingTeardowns.delete(destroy);
    for (const ns of created.reverse()) {
      killNamespace(ns);
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
    created.length = 0;
  };
  pendingTeardowns.add(destroy);
  try {
    for (const ns of [farm, dir.keepalived, dir.lvsd]) {
      ip(['netns', 'add', ns]);
      created.push(ns);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    ip(['-n', farm, 'route', 'add', 'local', `${FARM_NET}.0.0/16`, 'dev', 'lo']);
    const links = [{ ns: dir.keepalived, d: 'vk', f: 'fk', net: '10.230.1' }, { ns: dir.lvsd, d: 'vl', f: 'fl', net: '10.230.2' }];
    for (const l of links) {
      ip(['link', 'add', l.d, 'netns', l.ns, 'type', 'veth', 'peer', 'name', l.f, 'netns', farm]);
      ip(['-n', farm, 'addr', 'add', `${l.net}.1/30`, 'dev', l.f]);
      ip(['-n', farm, 'link', 'set', l.f, 'up']);
      ip(['-n', l.ns, 'addr', 'add', `${l.net}.2/30`, 'dev', l.d]);
      ip(['-n', l.ns, 'link', 'set', l.d, 'up']);
      ip(['-n', l.ns, 'route', 'add', `${FARM_NET}.0.0/16`, 'via', `${l.net}.1`]);
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { farm, dir, source: { keepalived: '10.230.1.2', lvsd: '10.230.2.2' }, destroy };
}
