/**
 * vrrp_track_file: follows the number in one file, as keepalived 2.2.7
 * keepalived/trackers/track_file.c (inotify on the file's directory, so the file may be
 * created, replaced by a rename, or deleted; deletion reads as 0). Here fs.watch on the
 * directory (inotify underneath) triggers a re-read `settleMs` after the first event, so a
 * writer's truncate-then-write is read once it is complete. keepalived re-reads on
 * IN_CLOSE_WRITE / IN_MOVED_TO only; a writer that keeps the file open longer than settleMs
 * between writes can be seen half-written here.
 *
 * A missing directory makes the file unavailable (keepalived: "Track file directory ... does
 * not exist - removing"), so it takes no part in the priority. `init` creates a missing file
 * with that value (keepalived init_file without `overwrite`).
 */
import { closeSync, existsSync, openSync, readSync, realpathSync, watch as fsWatch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TrackFile } from '../../model/index.js';
import type { TimerHandle, Timers } from '../timers.js';
import { parseTrackFileValue, TRACK_FILE_READ_BYTES } from './file-value.js';

export type FileNotice =
  | { readonly kind: 'unavailable'; readonly path: string; readonly reason: string }
  | { readonly kind: 'invalid'; readonly path: string; readonly reason: string }
  | { readonly kind: 'error'; readonly path: string; readonly code: string; readonly message: string };

export interface FileAccess {
  /** The first 127 bytes, or undefined when the file does not exist. */
  readHead(path: string): string | undefined;
  dirExists(dir: string): boolean;
  realDir(dir: string): string;
  writeInit(path: string, value: number): void;
  /** Calls `onEvent` with the changed entry's name (null when the kernel did not say). */
  watch(dir: string, onEvent: (name: string | null) => void, onError: (e: NodeJS.ErrnoException) => void): { close(): void };
}

export const nodeFileAccess: FileAccess = {
  readHead(path) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const buf = Buffer.alloc(TRACK_FILE_READ_BYTES);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  },
  dirExists: (dir) => existsSync(dir),
  realDir: (dir) => realpathSync(dir),
  writeInit: (path, value) => writeFileSync(path, `${value}\n`, { flag: 'wx' }),
  watch(dir, onEvent, onError) {
    const w: FSWatcher = fsWatch(dir, { persistent: true }, (_type, name) => onEvent(name === null ? null : String(name)));
    w.on('error', onError);
    return { close: () => w.close() };
  },
};

export interface FileWatchOptions {
  readonly file: TrackFile;
  readonly timers: Timers;
  readonly onChange: (value: number) => void;
  readonly onNotice: (n: FileNotice) => void;
  readonly settleMs?: number;
  readonly fs?: FileAccess;
}

export class TrackFileWatch {
  private current: number | undefined;
  private path: string;
  private watcher: { close(): void } | undefined;
  private pending: TimerHandle | undefined;
  private readonly fs: FileAccess;

  constructor(private readonly o: FileWatchOptions) {
    this.fs = o.fs ?? nodeFileAccess;
    this.path = o.file.path;
  }

  /** The last value, or undefined while the file cannot be watched. */
  value(): number | undefined {
    return this.current;
  }

  /** Creates the file if asked, reads it, and starts watching its directory. */
  start(): void {
    const dir = dirname(this.o.file.path);
    if (!this.fs.dirExists(dir)) {
      this.o.onNotice({ kind: 'unavailable', path: this.o.file.path, reason: `directory ${dir} does not exist` });
      return;
    }
    this.path = join(this.fs.realDir(dir), basename(this.o.file.path));
    const name = basename(this.path);
    try {
      this.watcher = this.fs.watch(dirname(this.path), (n) => (n === null || n === name ? this.schedule() : undefined),
        (e) => this.o.onNotice({ kind: 'error', path: this.path, code: e.code ?? 'EIO', message: `watch ${dirname(this.path)}: ${e.message}` }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.o.onNotice({ kind: 'unavailable', path: this.path, reason: `cannot watch ${dirname(this.path)}: ${err.code ?? err.message}` });
      return;
    }
    if (this.o.file.init !== undefined && this.fs.readHead(this.path) === undefined) this.createInit(this.o.file.init);
    this.current = this.read() ?? 0;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.pending !== undefined) this.o.timers.clear(this.pending);
    this.pending = undefined;
  }

  private createInit(value: number): void {
    try {
      this.fs.writeInit(this.path, value);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST') this.o.onNotice({ kind: 'error', path: this.path, code: err.code ?? 'EIO', message: `create ${this.path}: ${err.message}` });
    }
  }

  private schedule(): void {
    if (this.pending !== undefined) return; // one read covers every event until it runs
    this.pending = this.o.timers.set(() => {
      this.pending = undefined;
      const v = this.read();
      if (v === undefined || v === this.current) return;
      this.current = v;
      this.o.onChange(v);
    }, this.o.settleMs ?? 10);
  }

  /** The file's value (0 when missing), or undefined when it holds a number keepalived refuses. */
  private read(): number | undefined {
    let text: string | undefined;
    try {
      text = this.fs.readHead(this.path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.o.onNotice({ kind: 'error', path: this.path, code: err.code ?? 'EIO', message: `read ${this.path}: ${err.message}` });
      return undefined;
    }
    if (text === undefined) return 0;
    const v = parseTrackFileValue(text);
    if (v.ok) return v.value;
    this.o.onNotice({ kind: 'invalid', path: this.path, reason: v.reason });
    return undefined;
  }
}
