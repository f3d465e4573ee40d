/**
 * The ipvs folder's public face: the IPVS table as data (types.ts), the model → desired
 * table mapping, the reconciler, the backends (generic netlink, ipvsadm) and ipvsadm-identical
 * text. It imports only model and the src/ root files (docs/design.md "Layers").
 */
export type * from './types.js';
export { AF_INET, AF_INET6, FWD_DROUTE, FWD_MASQ, FWD_TUNNEL, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_HASHED } from './types.js';
export { type IpvsBackendChoice, type OpenIpvsBackendOptions, openIpvsBackend } from './backend.js';
export { desiredTable } from './desired.js';
export { type ReconcileOptions, countOps, destKey, reconcile, serviceKey } from './reconcile.js';
export { type ListOptions, formatDaemon, formatList, formatTimeout } from './format.js';
export { formatSave } from './format-save.js';
export { formatConns } from './conn.js';
export { ipvsError } from './errno.js';
export { MemoryIpvsBackend, type MemoryIpvsOptions, type MemoryOpRecord } from './memory-backend.js';
