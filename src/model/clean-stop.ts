/** Which services a stopping daemon removes from IPVS (pure). */
import type { Config, VirtualService } from './types.js';

/**
 * The services to remove from IPVS when the daemon stops: ldirectord's cleanstop per virtual
 * service (4.12 ld_stop: the block's value, else the global one), keepalived's and lvsd's
 * clean-stop for the whole config.
 */
export function cleanStopServices(config: Config): VirtualService[] {
  return config.services.filter((vs) => vs.ldirectord?.cleanStop ?? config.ipvs.cleanStop);
}
