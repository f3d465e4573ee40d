/**
 * The config folder's public face: files in (text and an injected reader for includes), a
 * validated model or located diagnostics out; pure. It imports only model and the src/ root
 * files (docs/design.md "Layers").
 */
export { type ListDir, type LoadOptions, type LoadReport, type ReadFile, detectFormat, loadConfig, loadConfigDetailed } from './load.js';
export { type NameService, nameServiceFromFiles } from './ldirectord/names.js';
export { type HaDirDeps, readHaDir } from './heartbeat/read-dir.js';
export { type KeywordPolicy, POLICY as KEEPALIVED_KEYWORD_POLICY } from './keepalived/policy.js';
