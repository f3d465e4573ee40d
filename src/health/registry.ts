/**
 * The checker types this lvsd runs, by probe kind. MISC_CHECK and FILE_CHECK come from the
 * tracking code (they share its script runner) and are passed in as `extra`; a kind with no
 * checker makes HealthEngine.update report it and its probes fail with reason `error`.
 */
import { loadNative } from '../native/index.js';
import type { Checker } from './checker.js';
import type { CheckerRegistry } from './engine.js';
import { dnsChecker } from './checks/dns.js';
import { httpChecker } from './checks/http.js';
import { IcmpPinger, pingChecker } from './checks/ping.js';
import { smtpChecker } from './checks/smtp.js';
import { tcpChecker } from './checks/tcp.js';
import { udpChecker } from './checks/udp.js';

export interface RegistryOptions {
  /** More checkers (misc, file); a kind given here replaces the built-in one. */
  readonly extra?: readonly Checker[];
  /** The ICMP pinger; default: the addon's sockets, echo id = the low 16 bits of `echoId`. */
  readonly pinger?: IcmpPinger;
  readonly echoId?: number;
}

export function checkerRegistry(o: RegistryOptions = {}): CheckerRegistry {
  const pinger = o.pinger ?? new IcmpPinger(loadNative, o.echoId ?? 0);
  const all: Checker[] = [tcpChecker, httpChecker, smtpChecker, dnsChecker, udpChecker, pingChecker(pinger), ...(o.extra ?? [])];
  return new Map(all.map((c) => [c.kind, c]));
}
