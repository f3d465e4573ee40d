/**
 * keepalived 2.2.7's corrections of preemption settings (keepalived/vrrp/vrrp.c
 * vrrp_complete_instance), made and reported at the keyword's own line as keepalived does
 * (it logs them, and `keepalived -t` exits non-zero): nopreempt is cleared for an address
 * owner (priority 255) and with state MASTER, preempt_delay with state MASTER or nopreempt.
 */
import type { Sink } from '../keywords.js';
import type { KeepalivedInstance } from './vrrp.js';

const OWNER_PRIORITY = 255;
const AS_KEEPALIVED = 'as keepalived 2.2.7 does (and reports)';

export function correctPreemption(i: KeepalivedInstance, sink: Sink): void {
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
