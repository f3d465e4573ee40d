/**
 * bench/ldirectord: the one ldirectord.cf both ldirectord and lvsd read (pure). The farm of
 * bench/checks (checks-conf.ts: real server i is farmAddress(i) port 80, virtual service k is
 * VIP:(FIRST_PORT + k) with `perService` real servers), NAT forwarding (the kernel keeps the
 * real port), negotiate http every `checkIntervalS` (request "/", receive "ok": the farm answers
 * "ok"), quiescent=no (a failed server leaves the table), supervised=yes (ldirectord stays in
 * the foreground and logs only transitions, to stdout: no debug output costs it CPU).
 */
import { farmAddress, FARM_PORT, servicePortOf, VIP, type FarmLayout } from './checks-conf.js';

export interface LdCheckSettings {
  readonly checkIntervalS: number;
  /** checktimeout = negotiatetimeout (ldirectord's http check runs under negotiatetimeout). */
  readonly checkTimeoutS: number;
}

export function ldirectordFarmConfig(layout: FarmLayout, c: LdCheckSettings): string {
  const lines = [
    '# bench/ldirectord: negotiate http on every real server of the farm',
    `checkinterval=${c.checkIntervalS}`,
    `checktimeout=${c.checkTimeoutS}`,
    `negotiatetimeout=${c.checkTimeoutS}`,
    'quiescent=no',
    'supervised=yes',
    'autoreload=no',
  ];
  for (let first = 0; first < layout.servers; first += layout.perService) {
    lines.push(`virtual=${VIP}:${servicePortOf(layout, first)}`);
    for (let i = first; i < Math.min(first + layout.perService, layout.servers); i++) lines.push(`\treal=${farmAddress(i)}:${FARM_PORT} masq`);
    lines.push('\tservice=http', '\tchecktype=negotiate', '\trequest="/"', '\treceive="ok"', '\tscheduler=rr', '\tprotocol=tcp');
  }
  return `${lines.join('\n')}\n`;
}
