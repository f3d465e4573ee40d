/**
 * The control folder's public face: the control-socket protocol (newline-delimited JSON over a
 * root-only unix socket) and both of its ends, lvsd's server and lvsctl's client. Kept apart
 * from daemon/ so that lvsctl loads only this, not the director. It imports the src/ root files
 * and the types of vrrp, health and sync (docs/design.md "Layers").
 */
export {
  CONTROL_METHODS, type CheckStatus, type ControlHandlers, type ControlMethod, type DirectorStatus, type ParamsOf, type RealCheckStatus,
  type ReloadResult, type ResultOf, type ServiceChecks, type VrrpInstanceStatus, type WeightParams, type WeightResult,
} from './protocol.js';
export { ControlServer, type ControlServerOptions, controlRequest } from './socket.js';
