/** The options `lvsd` parses (cli/lvsd.ts declares them); every verb in cli/lvsd/ reads them. */
export interface LvsdOptions {
  config: string;
  /** --ha-dir: a heartbeat directory, read instead of --config. */
  haDir?: string;
  test?: boolean;
  strict?: boolean;
  /** keepalived.conf's config id (keepalived -i): which `@ID` lines apply. */
  configId?: string;
  foreground?: boolean;
  socket: string;
  pidFile: string;
  logLevel: string;
  logFile: string;
  debugBurnMain?: number;
  /** Debug (bench/checks on a host kernel without ip_vs): program an in-memory IPVS table instead of the kernel's. */
  debugIpvsMemory?: boolean;
  /** --watch-connections: idle connections to the checked TCP targets (health/watch.ts). */
  watchConnections?: boolean;
  vrrpRtPriority: number;
}
