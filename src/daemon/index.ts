/**
 * The daemon folder's public face, for the CLI: the director and its composition root, reading
 * the config from disk, the logger and the pid file.
 * It may import every folder but cli (docs/design.md "Layers").
 */
export { Director, type DirectorParts } from './director.js';
export { createDirector, type DirectorOptions } from './wiring.js';
export { type ReadConfigResult, readConfig } from './read-config.js';
export { type Logger, createLogger } from './logger.js';
export { type PidFile, acquirePidFile, pidFileStatus, readPid } from './pidfile.js';
