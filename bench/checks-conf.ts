/**
 * bench/checks: the farm's addresses and the one keepalived.conf both implementations read
 * (pure). Real server i (0-based) is FARM_NET.(i / 250).(i % 250 + 1) port 80 (every farm
 * address is local in the farm namespace); virtual service k is VIP:(FIRST_PORT + k) with real
 * servers k × perService … k × perService + perService − 1. NAT forwarding: IPVS keeps the real
 * server's port only for NAT (DR/TUN force the service's port), and NAT needs no VIP anywhere.
 *
 * The services holding the first `detectServers` servers (the ones the bench kills) may check
 * at their own delay_loop (`detectDelayLoopS`), the others at `delayLoopS`: under software
 * emulation the whole farm at a 1 s delay_loop is more than the guest can run, so the load can
 * be scaled down without making every detection wait a long delay_loop.
 */

export const FARM_NET = '10.210';
export const FARM_PORT = 80;
export const VIP = '192.0.2.1';
export const FIRST_PORT = 8001;

export function farmAddress(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 250 * 256) throw new RangeError(`farm server ${i} out of range`);
  return `${FARM_NET}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export interface FarmLayout {
  /** Real servers in all. */
  readonly servers: number;
  /** Real servers per virtual service. */
  readonly perService: number;
  /** The first this many servers (whole services) are the ones killed; all of them when absent. */
  readonly detectServers?: number;
}

/** How many servers the kills choose from (whole services). */
export function detectPool(layout: FarmLayout): number {
  const k = layout.detectServers ?? layout.servers;
  return Math.min(layout.servers, Math.ceil(k / layout.perService) * layout.perService);
}

/** The virtual service port of real server `i`. */
export function servicePortOf(layout: FarmLayout, i: number): number {
  return FIRST_PORT + Math.floor(i / layout.perService);
}

export interface CheckSettings {
  readonly kind: 'http' | 'tcp';
  readonly delayLoopS: number;
  /** delay_loop of the services holding the detection pool; `delayLoopS` when absent. */
  readonly detectDelayLoopS?: number;
  readonly connectTimeoutS: number;
  readonly retry: number;
  readonly retryDelayS: number;
}

export interface VrrpSettings {
  readonly priority: number;
  readonly advertInt: string;
  readonly vip: string;
}

function checkBlock(c: CheckSettings): string[] {
  const head = c.kind === 'http'
    ? ['HTTP_GET {', '    url {', '        path /', '        status_code 200', '    }']
    : ['TCP_CHECK {'];
  return [...head, `    connect_timeout ${c.connectTimeoutS}`, `    retry ${c.retry}`, `    delay_before_retry ${c.retryDelayS}`, '}'];
}

function vrrpBlock(v: VrrpSettings): string[] {
  return [
    'vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', '    virtual_router_id 51',
    `    priority ${v.priority}`, `    advert_int ${v.advertInt}`,
    '    virtual_ipaddress {', `        ${v.vip}/24`, '    }', '}',
  ];
}

/**
 * keepalived.conf text: global_defs (VRRPv3 when there is an instance, as bench/failover), an
 * optional VRRP instance, then one virtual_server per `perService` real servers, each real
 * server with one checker. Both keepalived 2.2.7 and lvsd read it unchanged.
 */
export function farmConfig(layout: FarmLayout, check: CheckSettings, vrrp?: VrrpSettings): string {
  const lines = ['global_defs {', '    router_id bench-checks', ...(vrrp ? ['    vrrp_version 3'] : []), '}'];
  if (vrrp) lines.push(...vrrpBlock(vrrp));
  const indent = (n: number, xs: readonly string[]): string[] => xs.map((x) => `${' '.repeat(n)}${x}`);
  for (let first = 0; first < layout.servers; first += layout.perService) {
    const delay = first < detectPool(layout) ? check.detectDelayLoopS ?? check.delayLoopS : check.delayLoopS;
    lines.push(`virtual_server ${VIP} ${servicePortOf(layout, first)} {`,
      `    delay_loop ${delay}`, '    lb_algo rr', '    lb_kind NAT', '    protocol TCP');
    for (let i = first; i < Math.min(first + layout.perService, layout.servers); i++) {
      lines.push(`    real_server ${farmAddress(i)} ${FARM_PORT} {`, '        weight 1', ...indent(8, checkBlock(check)), '    }');
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

/** Checks per second the config asks of one director. */
export function checkRate(layout: FarmLayout, check: CheckSettings): number {
  const pool = detectPool(layout);
  return pool / (check.detectDelayLoopS ?? check.delayLoopS) + (layout.servers - pool) / check.delayLoopS;
}
