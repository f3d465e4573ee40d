/**
 * Which kernel IPVS sync daemons should run, and the requests that get there (pure).
 *
 * The kernel runs at most one master and one backup daemon per network namespace
 * (net/netfilter/ipvs/ip_vs_sync.c, start_sync_thread: EEXIST for a second one); the master
 * sends the connection table over multicast, the backup receives it. lvsd follows keepalived
 * 2.2.7 (ipvswrapper.c ipvs_syncd_master / ipvs_syncd_backup, vrrp.c):
 *   - following an instance: MASTER → master only; BACKUP and FAULT → backup only
 *     (keepalived switches to backup when leaving MASTER for any state, FAULT included, and
 *     starts the backup at start-up whenever the instance is not master);
 *   - `both` (active-active): master and backup on every director, whatever the roles.
 * Before the followed instance has a role (INIT, just after lvsd starts) nothing is decided
 * and whatever runs is left alone, so a restarted lvsd adopts the daemons it left behind.
 * A swap stops the daemon that goes before starting the one that comes, as keepalived does.
 */
import type { IpvsDaemon } from '../ipvs/index.js';
import type { SyncDaemonSettings, SyncMode, VrrpRole } from '../model/index.js';

export type DaemonState = IpvsDaemon['state'];

/** The daemon states wanted for this mode and role; undefined = undecided (leave as is). */
export function wantedStates(mode: SyncMode, role: VrrpRole | undefined): readonly DaemonState[] | undefined {
  if (mode.kind === 'both') return ['master', 'backup'];
  switch (role) {
    case 'MASTER': return ['master'];
    case 'BACKUP': case 'FAULT': return ['backup'];
    case 'INIT': case undefined: return undefined;
    default: {
      const never: never = role;
      throw new Error(`unknown role ${String(never)}`);
    }
  }
}

/** The NEW_DAEMON request of one state with these settings (group, port and TTL always explicit). */
export function daemonFor(s: SyncDaemonSettings, state: DaemonState): IpvsDaemon {
  return {
    state, mcastIfn: s.interface, syncId: s.syncId,
    ...(s.maxLen !== undefined ? { maxLen: s.maxLen } : {}),
    mcastGroup: s.group, mcastPort: s.port, mcastTtl: s.ttl,
  };
}

/** The daemons wanted; undefined while the followed instance has no role yet. */
export function wantedDaemons(s: SyncDaemonSettings, role: VrrpRole | undefined): readonly IpvsDaemon[] | undefined {
  return wantedStates(s.mode, role)?.map((state) => daemonFor(s, state));
}

/**
 * Whether a running daemon (a GET_DAEMON reply, which reports every setting with the kernel's
 * defaults filled in) is the wanted one. The max length is compared only when wanted: without
 * one the kernel derives it from the interface MTU.
 */
export function sameDaemon(wanted: IpvsDaemon, running: IpvsDaemon): boolean {
  return wanted.state === running.state && wanted.mcastIfn === running.mcastIfn && wanted.syncId === running.syncId
    && (wanted.maxLen === undefined || wanted.maxLen === running.maxLen)
    && (wanted.mcastGroup === undefined || wanted.mcastGroup === running.mcastGroup)
    && (wanted.mcastPort === undefined || wanted.mcastPort === running.mcastPort)
    && (wanted.mcastTtl === undefined || wanted.mcastTtl === running.mcastTtl);
}

export type SyncOp =
  | { readonly op: 'stop'; readonly state: DaemonState }
  | { readonly op: 'start'; readonly daemon: IpvsDaemon };

/**
 * The requests from `running` to `wanted`: stops first (a daemon not wanted, or running with
 * other settings), then starts. An undecided `wanted` changes nothing; an empty one stops all.
 */
export function syncPlan(wanted: readonly IpvsDaemon[] | undefined, running: readonly IpvsDaemon[]): SyncOp[] {
  if (wanted === undefined) return [];
  const keep = (r: IpvsDaemon): boolean => wanted.some((w) => sameDaemon(w, r));
  const stops: SyncOp[] = running.filter((r) => !keep(r)).map((r) => ({ op: 'stop', state: r.state }));
  const starts: SyncOp[] = wanted.filter((w) => !running.some((r) => sameDaemon(w, r))).map((daemon) => ({ op: 'start', daemon }));
  return [...stops, ...starts];
}

/** `start master on eth0 (syncid 51)` / `stop backup`, for logs and status. */
export function describeSyncOp(o: SyncOp): string {
  return o.op === 'stop' ? `stop ${o.state}` : `start ${o.daemon.state} on ${o.daemon.mcastIfn} (syncid ${o.daemon.syncId})`;
}
