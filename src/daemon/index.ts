/**
 * The daemon folder's public face, for the CLI: the director (the composition root), reading
 * the config from disk, the logger, the pid file, and both sides of the control socket.
 * It may import every folder but cli (docs/design.md "Layers").
 */
export { Director, type DirectorParts, type ReloadOutcome } from './director.js';
export { createDirector, type DirectorOptions } from './wiring.js';
export { type ReadConfigResult, readConfig } from './read-config.js';
export { type Logger, createLogger } from './logger.js';
export { type PidFile, acquirePidFile, pidFileStatus } from './pidfile.js';
export { ControlServer, controlRequest } from './control.js';
export type {
  CheckStatus, ControlMethod, RealCheckStatus, ReloadResult, ResultOf, ServiceChecks, TrackStatus, VrrpInstanceStatus, WeightResult,
} from './control-protocol.js';
