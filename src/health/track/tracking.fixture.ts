/** Model values built by hand for the tracking tests (until the keepalived front-end reads tracking). */
import type { Loc, TrackFile, Tracking, TrackProcess, TrackRef, TrackScript, VrrpInstance, VrrpSyncGroup } from '../../model/index.js';

export const at: Loc = { file: 'test.conf', line: 1, col: 1 };

export function instance(name: string, priority: number, tracks: TrackRef[], o: Partial<VrrpInstance> = {}): VrrpInstance {
  return {
    name, at, version: 2, family: 4, interface: 'eth0', vrid: 51, priority, advertIntervalCs: 100, initialState: 'BACKUP',
    preempt: true, preemptDelayMs: 0, vips: [], unicastPeers: [], trackInterfaces: [], tracks,
    notify: { timeoutMs: 5000 },
    garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, refreshRepeat: 1, intervalMs: 0 },
    v3Checksum: 'pseudo', ...o,
  };
}

export function group(name: string, members: string[], o: Partial<VrrpSyncGroup> = {}): VrrpSyncGroup {
  return { name, at, members, notify: { timeoutMs: 5000 }, ...o };
}

export const ref = (kind: TrackRef['kind'], name: string, o: { weight?: number; reverse?: boolean } = {}): TrackRef => ({ kind, name, at, ...o });

export function script(name: string, o: Partial<TrackScript> = {}): TrackScript {
  return { name, at, argv: ['/bin/true'], intervalMs: 1000, timeoutMs: 1000, weight: 0, reverse: false, rise: 1, fall: 1, initFail: false, ...o };
}

export function file(name: string, path: string, o: Partial<TrackFile> = {}): TrackFile {
  return { name, at, path, weight: 1, reverse: false, ...o };
}

export function proc(name: string, process: string, o: Partial<TrackProcess> = {}): TrackProcess {
  // as the keepalived front-end resolves `process NAME ARGS...`: exact parameters on the full command line
  const params = o.params !== undefined ? { paramMatch: 'exact' as const, fullCommand: true } : {};
  return { name, at, process, fullCommand: false, quorum: 1, quorumMax: 65535, weight: 0, reverse: false, terminateDelayMs: 0, forkDelayMs: 0, ...params, ...o };
}

export function tracking(o: Partial<Tracking> = {}): Tracking {
  return { scripts: [], files: [], processes: [], ...o };
}
