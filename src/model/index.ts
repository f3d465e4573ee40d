/**
 * The model folder's public face: the one typed configuration model, address text, the
 * defaults of each front-end, validation and diagnostics. Pure, and the bottom of the stack
 * (docs/design.md "Layers"): it imports no other folder. Other folders import only this file.
 */
export type * from './types.js';
export {
  type IpAddress, bigIntToIp, canonicalAddress, compareAddresses, formatAddress, formatIPv4, formatIPv6, ipToBigInt, netmaskToPrefix,
  parseAddress, parseIp, parseIPv4, parseIPv6,
} from './ip.js';
export { type FormatDefaults, defaultsFor, HEARTBEAT_DEFAULTS, LDIRECTORD_DIRECTIVES } from './defaults.js';
export { diagnosticLine, formatDiagnostic, formatLoc, sortDiagnostics } from './diagnostic.js';
export { FORWARD_METHODS, SCHED_FLAGS, SCHEDULERS, isMulticast, keyText, validInterfaceName, validateConfig } from './validate.js';
export { cleanStopServices } from './clean-stop.js';
