/**
 * The net folder's public face: the kernel's network side that VRRP and the CLI drive: VIPs
 * over rtnetlink, link state, gratuitous ARP / unsolicited NA frames and their sending,
 * sd_notify, real-server preparation. It imports model, the src/ root files and native only,
 * never vrrp (docs/design.md "Layers").
 */
export { type VipManager, type VipSpec, describeVip, openVipManager, vipProblem } from './vip.js';
export { type RouteManager, describeRoute, describeRule, openRouteManager } from './routes.js';
export { type VmacManager, type VmacSpec, openVmacManager, vrrpMac } from './vmac.js';
export { type LinkState, type LinkWatcher, type LinkWatcherOptions, openLinkWatcher } from './links.js';
export { type AnnounceOptions, ipv6Forwarding, sendGarp, sendUnsolicitedNa } from './announce-io.js';
export { type NotifyEnv, sdNotify, watchdogUs } from './sdnotify.js';
export { type RealServerReport, prepareRealServer, undoRealServer } from './realserver.js';
export { parseVipList } from './realserver-plan.js';
