/**
 * FILE_CHECK: a real server follows the number in a track file (keepalived 2.2.7
 * keepalived/check/check_file.c and keepalived/trackers/track_file.c). With weight 0 a
 * non-zero value takes the server down (reverse: a zero value does); otherwise the server
 * stays up and value × weight (× −1 with reverse) is added to its configured weight
 * (AttemptResult.weightDelta); only a product of −2^31 or less takes it down.
 *
 * The file is read on each attempt (first 127 bytes, strtol rules, src/health/track/file-value.ts);
 * a missing file reads as 0; a number keepalived would refuse keeps the last good value.
 * Differs from keepalived: keepalived re-reads on inotify events (IN_CLOSE_WRITE / IN_MOVED_TO,
 * deletion = 0) without polling; here the scheduler's interval decides when the file is read.
 */
import { open } from 'node:fs/promises';
import type { TrackFile } from '../../model/index.js';
import type { Attempt, AttemptResult, AttemptSpec, Checker } from '../checker.js';
import { checkerFileEffect, parseTrackFileValue, TRACK_FILE_READ_BYTES } from '../track/file-value.js';

/** The file's first bytes, or '' when it does not exist (keepalived: open fails → 0). */
export async function readTrackFileHead(path: string): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
  try {
    const buf = Buffer.alloc(TRACK_FILE_READ_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('latin1');
  } finally {
    await fh.close();
  }
}

export interface FileCheckerDeps {
  /** The `track_file NAME { file PATH ... }` definition a FILE_CHECK names. */
  readonly resolve: (name: string) => TrackFile | undefined;
  readonly read?: (path: string) => Promise<string>;
  readonly nowMs?: () => number;
}

export function createFileChecker(deps: FileCheckerDeps): Checker {
  const read = deps.read ?? readTrackFileHead;
  const now = deps.nowMs ?? (() => performance.now());
  /** Last value accepted per path: a refused number keeps it, as keepalived keeps last_status. */
  const last = new Map<string, number>();
  const attempt = async (spec: AttemptSpec): Promise<AttemptResult> => {
    const t0 = now();
    const p = spec.probe;
    if (p.kind !== 'file') return { ok: false, latencyMs: 0, reason: 'error', detail: `file checker given a ${p.kind} probe` };
    const def = deps.resolve(p.track);
    if (!def) return { ok: false, latencyMs: 0, reason: 'error', detail: `no track_file "${p.track}"` };
    let text: string;
    try {
      text = await read(def.path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { ok: false, latencyMs: now() - t0, reason: 'error', detail: `read ${def.path}: ${err.message}`, errno: err.code };
    }
    const parsed = parseTrackFileValue(text);
    const value = parsed.ok ? parsed.value : last.get(def.path) ?? 0;
    if (parsed.ok) last.set(def.path, parsed.value);
    const effect = checkerFileEffect(value, p.weight, p.reverse);
    const latencyMs = now() - t0;
    const detail = `${def.path} = ${value}${parsed.ok ? '' : ` (kept: ${parsed.reason})`}`;
    if (!effect.up) return { ok: false, latencyMs, reason: 'content', detail };
    return { ok: true, latencyMs, detail, weightDelta: effect.weightDelta };
  };
  return {
    kind: 'file',
    start: (spec: AttemptSpec): Attempt => ({ result: attempt(spec), cancel: () => undefined }),
  };
}
