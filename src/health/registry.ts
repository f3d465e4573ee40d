/**
 * The checker types this lvsd runs, by probe kind (keepalived's, and ldirectord's negotiate,
 * external and off). MISC_CHECK and FILE_CHECK come from the
 * tracking code (they share its script runner) and are passed in as `extra`; a kind with no
 * checker makes HealthEngine.update report it and its probes fail with reason `error`.
 */
import type { Checker } from './checker.js';
import type { CheckerRegistry } from './engine.js';
import { dnsChecker } from './checks/dns.js';
import { createExternalChecker } from './checks/external.js';
import { createNegotiateChecker } from './checks/negotiate/negotiate.js';
import { offChecker } from './checks/off.js';
import { httpChecker } from './checks/http.js';
import { useTcpProbeAddon } from './checks/native-stream.js';
import { IcmpPinger, pingChecker, type IcmpNative } from './checks/ping.js';
import { smtpChecker } from './checks/smtp.js';
import { tcpChecker } from './checks/tcp.js';
import { udpChecker } from './checks/udp.js';

export type RegistryOptions = {
  /** More checkers (misc, file); a kind given here replaces the built-in one. */
  readonly extra?: readonly Checker[];
} & (
  | { readonly pinger: IcmpPinger }
  /** The addon (the director passes `loadNative`): ICMP sockets, loaded on the first ping (echo id on raw sockets), and plain TCP/HTTP connections. */
  | { readonly icmp: () => IcmpNative; readonly echoId: number }
);

export function checkerRegistry(o: RegistryOptions): CheckerRegistry {
  const pinger = 'pinger' in o ? o.pinger : new IcmpPinger(o.icmp, o.echoId);
  // The same addon carries the plain TCP/HTTP connections (checks/native-stream.ts).
  if ('icmp' in o) useTcpProbeAddon(o.icmp);
  const all: Checker[] = [
    tcpChecker, httpChecker, smtpChecker, dnsChecker, udpChecker, pingChecker(pinger),
    // ldirectord.cf's checktypes negotiate (and N), external and off.
    createNegotiateChecker(), createExternalChecker(), offChecker,
    ...(o.extra ?? []),
  ];
  return new Map(all.map((c) => [c.kind, c]));
}
