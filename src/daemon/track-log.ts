/** One log line per tracking event (src/health/track emits, the director logs; docs/design.md "Logging"). */
import type { InstanceTracking, TrackerEvent } from '../health/index.js';
import type { Logger } from './logger.js';

export function logTrackerEvent(log: Logger, e: TrackerEvent): void {
  switch (e.event) {
    case 'track.script': return log.info(e, 'tracked script state change');
    case 'track.script.skip': return log.warn(e, 'tracked script still running, run skipped');
    case 'track.file': return log.info(e, 'track file value change');
    case 'track.file.problem': return log.warn(e, 'track file problem');
    case 'track.process': return log.info(e, 'tracked process quorum change');
    case 'track.process.polling': return log.warn(e, 'process events connector unavailable, polling /proc');
    case 'track.process.lost': return log.warn(e, 'process events lost, rescanning /proc');
    case 'track.interface': return log.info(e, 'tracked interface change');
    case 'track.dropped': return log.warn(e, 'tracked object ignored');
    case 'track.error': return log.error(e, 'tracking failed');
    default: {
      const never: never = e;
      return log.error({ event: 'track.unknown', detail: never }, 'unknown tracking event');
    }
  }
}

export function logTrackedPriority(log: Logger, p: InstanceTracking): void {
  log.info({ event: 'vrrp.track', instance: p.instance, configured: p.configured, priority: p.priority, fault: p.fault }, 'tracked priority or fault change');
}
