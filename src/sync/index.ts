/**
 * sync/: the kernel IPVS connection sync daemon, driven by the VRRP role (docs/design.md
 * "Pure cores and edges":
 * master on the VRRP master, backup on the other). policy.ts decides (pure); manager.ts reads
 * the kernel's daemons and applies the difference.
 */
export { SyncManager, openSyncBackend, type SyncBackend, type SyncLog, type SyncManagerOptions, type SyncStatus } from './manager.js';
export { daemonFor, describeSyncOp, sameDaemon, syncPlan, wantedDaemons, wantedStates, type DaemonState, type SyncOp } from './policy.js';
