/** The Tracker's events (one log line each, logged by the director) and its snapshot. */
import type { InstanceTracking } from './priority.js';
import type { TrackKind } from './bindings.js';

export type TrackerEvent =
  | { readonly event: 'track.script'; readonly name: string; readonly up: boolean; readonly detail: string }
  | { readonly event: 'track.script.skip'; readonly name: string }
  | { readonly event: 'track.file'; readonly name: string; readonly path: string; readonly value: number }
  | { readonly event: 'track.file.problem'; readonly name: string; readonly kind: 'unavailable' | 'invalid' | 'error'; readonly path: string;
      readonly reason?: string; readonly code?: string; readonly message?: string }
  | { readonly event: 'track.process'; readonly name: string; readonly up: boolean; readonly count: number }
  | { readonly event: 'track.process.polling'; readonly pollMs: number; readonly code: string; readonly reason: string }
  | { readonly event: 'track.process.lost' }
  | { readonly event: 'track.interface'; readonly name: string; readonly up: boolean }
  | { readonly event: 'track.dropped'; readonly instance: string; readonly kind: TrackKind; readonly name: string; readonly why: string }
  | { readonly event: 'track.error'; readonly what: string; readonly code: string; readonly message: string };

export interface TrackerSnapshot {
  readonly instances: readonly InstanceTracking[];
  readonly scripts: ReadonlyArray<{ readonly name: string; readonly up: boolean | undefined; readonly lastResult: string | null;
    readonly runs: number; readonly skipped: number }>;
  readonly files: ReadonlyArray<{ readonly name: string; readonly path: string; readonly value: number | null }>;
  readonly processes: ReadonlyArray<{ readonly name: string; readonly up: boolean; readonly count: number }>;
  /** How processes are followed: kernel events, /proc polling (connector refused), or not at all. */
  readonly processMode: 'events' | 'polling' | 'stopped' | 'none';
}
