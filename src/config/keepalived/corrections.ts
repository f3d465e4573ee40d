/**
 * keepalived 2.2.7's corrections of preemption settings (keepalived/vrrp/vrrp.c
 * vrrp_complete_instance), made and reported at the keyword's own line as keepalived does
 * (it logs them, and `keepalived -t` exits non-zero): nopreempt is cleared for an address
 * owner (priority 255) and with state MASTER, preempt_delay with state MASTER or nopreempt;
 * unicast_src_ip without unicast_peer means multicast from that address (vrrp_parser.c).
 * An instance with state MASTER and no priority has priority 255, the address owner's, and one
 * with priority 255 and no state starts as MASTER.
 */
import type { Sink } from '../keywords.js';
import type { KeepalivedInstance } from './vrrp.js';

const OWNER_PRIORITY = 255;
const AS_KEEPALIVED = 'as keepalived 2.2.7 does (and reports)';

/** Every correction of one instance, before it is built. */
export function correctInstance(i: KeepalivedInstance, sink: Sink): void {
  // vrrp_complete_instance: "If no priority has been set, derive it from the initial state" (silently).
  if (i.priority === undefined && i.state === 'MASTER') i.priority = OWNER_PRIORITY;
  // "If no initial state has been set, derive it from the priority": the owner starts as MASTER.
  if (i.state === undefined && i.priority === OWNER_PRIORITY) i.state = 'MASTER';
  correctPreemption(i, sink);
  if (i.placed.unicastSrc && i.peers.length === 0) {
    sink.warnings.push({ at: i.placed.unicastSrc, message: `unicast_src_ip without unicast_peer: ${i.name} advertises by multicast from this address, as keepalived 2.2.7 does (and reports as deprecated); add unicast_peer, or drop unicast_src_ip` });
  }
}

function correctPreemption(i: KeepalivedInstance, sink: Sink): void {
  const warn = (at: KeepalivedInstance['placed']['nopreempt'], message: string): void => { if (at) sink.warnings.push({ at, message }); };
  if (i.nopreempt && i.priority === OWNER_PRIORITY) {
    warn(i.placed.nopreempt, `nopreempt is cleared, ${AS_KEEPALIVED}: with priority ${OWNER_PRIORITY} ${i.name} owns the addresses and always takes them back`);
    i.nopreempt = false;
  }
  if (i.state === 'MASTER') {
    if (i.nopreempt) {
      warn(i.placed.nopreempt, `nopreempt is cleared, ${AS_KEEPALIVED}: it does not work with state MASTER; write state BACKUP on every router to keep a running master in place`);
      i.nopreempt = false;
    }
    if ((i.preemptDelayMs ?? 0) > 0) {
      warn(i.placed.preemptDelay, `preempt_delay is cleared, ${AS_KEEPALIVED}: it does not work with state MASTER; write state BACKUP to delay preemption`);
      delete i.preemptDelayMs;
    }
  }
  if (i.nopreempt && (i.preemptDelayMs ?? 0) > 0) {
    warn(i.placed.preemptDelay, `preempt_delay is cleared, ${AS_KEEPALIVED}: with nopreempt there is no preemption to delay`);
    delete i.preemptDelayMs;
  }
}
