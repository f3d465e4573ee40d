/**
 * Connection watch (`lvsd --watch-connections`, off by default): one idle TCP connection to each
 * checked TCP target (address, port, bind address), kept open between checks. When a server
 * process dies, its kernel closes that connection at once (FIN, or RST), so lvsd learns of it
 * then instead of at the next check, up to delay_loop later: the engine runs the target's next
 * check now (Scheduler.hint). The verdict is still the checks' own (retries, delay_before_retry,
 * rise/fall); the watch only moves a regular check earlier. keepalived and ldirectord have no
 * such thing, hence off by default: each director holds one more connection per real server,
 * which the server sees (idle, no request sent).
 *
 * When a loss is reported (onLost), once per outage:
 *  - an error (reset, refused, timeout) or a connection that lived less than STABLE_MS: at once;
 *  - a clean close (FIN) of a connection that lived STABLE_MS or more: not yet. A server may
 *    close idle connections (nginx after client_header_timeout, 60 s); the watch reconnects
 *    at once, and only a failure of that reconnect is reported.
 * Reconnects after a reported loss back off from 1 s, doubling to 64 s, so a dead target or
 * one that drops every connection costs a connection attempt per back-off step and no more.
 *
 * The policy is pure over the injected connector and timers; `netConnector` is the I/O.
 */
import net from 'node:net';
import type { Clock, Us } from '../clock.js';
import type { TimerHandle, Timers } from './timers.js';

export interface WatchTarget {
  readonly address: string;
  readonly port: number;
  /** Local address (keepalived bindto); absent = the kernel's choice. */
  readonly bindTo?: string;
  /** How long a connect may take before it counts as failed (the check's connect timeout). */
  readonly connectTimeoutMs: number;
}

export interface WatchHandlers {
  connected(): void;
  /** Once per connection, unless closed by close(); `clean`: the peer ended it with a FIN. */
  lost(why: string, clean: boolean): void;
}

/** Opens a connection that reports through `h`; `close()` ends it without a report. */
export type Connector = (t: WatchTarget, h: WatchHandlers) => { close(): void };

export interface WatchOptions {
  readonly connect: Connector;
  readonly timers: Timers;
  readonly clock: Clock;
  /** The target named `id` (a key of update's map) may have failed. */
  readonly onLost: (id: string, why: string) => void;
}

export const STABLE_MS = 5000;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 64_000;

interface Entry {
  target: WatchTarget;
  conn?: { close(): void };
  timer?: TimerHandle;
  /** When the current connection was established; undefined while connecting or idle. */
  upSinceUs?: Us;
  /** A loss was reported and no connection has been established since. */
  reported: boolean;
  backoffMs: number;
  /** Counts connections; a report from an older one is ignored. */
  gen: number;
}

export class ConnectionWatch {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly o: WatchOptions) {}

  /**
   * Watch exactly these targets: new ones connect `delayMs(id)` from now (the engine passes its
   * first check's due time, so 1,000 targets connect over a second as their checks do, not in
   * one burst at start), removed ones close, unchanged ones stay.
   */
  update(targets: ReadonlyMap<string, WatchTarget>, delayMs: (id: string) => number = () => 0): void {
    for (const [id, e] of [...this.entries]) {
      const t = targets.get(id);
      if (t !== undefined && sameTarget(t, e.target)) continue;
      this.stop(e);
      this.entries.delete(id);
    }
    for (const [id, target] of targets) {
      if (this.entries.has(id)) continue;
      const e: Entry = { target, reported: false, backoffMs: FIRST_BACKOFF_MS, gen: 0 };
      this.entries.set(id, e);
      const wait = delayMs(id);
      if (wait > 0) e.timer = this.o.timers.set(() => this.open(id, e), wait);
      else this.open(id, e);
    }
  }

  /** Whether the target's connection is established now (`lvsctl checks`). */
  isConnected(id: string): boolean {
    return this.entries.get(id)?.upSinceUs !== undefined;
  }

  close(): void {
    for (const e of this.entries.values()) this.stop(e);
    this.entries.clear();
  }

  private open(id: string, e: Entry): void {
    e.timer = undefined;
    e.upSinceUs = undefined;
    const gen = ++e.gen;
    e.conn = this.o.connect(e.target, {
      connected: () => {
        if (e.gen !== gen) return;
        e.upSinceUs = this.o.clock.nowUs();
        e.reported = false;
      },
      lost: (why, clean) => {
        if (e.gen === gen) this.lost(id, e, why, clean);
      },
    });
  }

  private lost(id: string, e: Entry, why: string, clean: boolean): void {
    const lived = e.upSinceUs === undefined ? -1 : (this.o.clock.nowUs() - e.upSinceUs) / 1000;
    e.gen++;
    e.conn = undefined;
    e.upSinceUs = undefined;
    if (lived >= STABLE_MS) e.backoffMs = FIRST_BACKOFF_MS;
    if (clean && lived >= STABLE_MS) {
      this.open(id, e); // an idle close: the reconnect decides
      return;
    }
    if (!e.reported) {
      e.reported = true;
      this.o.onLost(id, why);
    }
    const wait = e.backoffMs;
    e.backoffMs = Math.min(MAX_BACKOFF_MS, e.backoffMs * 2);
    e.timer = this.o.timers.set(() => this.open(id, e), wait);
  }

  private stop(e: Entry): void {
    e.gen++;
    if (e.timer !== undefined) this.o.timers.clear(e.timer);
    e.timer = undefined;
    const c = e.conn;
    e.conn = undefined;
    c?.close();
  }
}

function sameTarget(a: WatchTarget, b: WatchTarget): boolean {
  return a.address === b.address && a.port === b.port && a.bindTo === b.bindTo && a.connectTimeoutMs === b.connectTimeoutMs;
}

/** Node sockets: anything the server sends is read and dropped; no data is ever sent. */
export const netConnector: Connector = (t, h) => {
  const s = net.connect({ host: t.address, port: t.port, ...(t.bindTo !== undefined ? { localAddress: t.bindTo } : {}) });
  let done = false;
  let ended = false;
  let error: string | undefined;
  const finish = (why: string, clean: boolean): void => {
    if (done) return;
    done = true;
    h.lost(why, clean);
  };
  s.setTimeout(t.connectTimeoutMs, () => {
    error = 'connect timeout';
    s.destroy();
  });
  s.once('connect', () => {
    s.setTimeout(0);
    h.connected();
  });
  s.on('end', () => (ended = true));
  s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  s.on('close', () => finish(error ?? (ended ? 'closed by the server' : 'closed'), error === undefined && ended));
  s.resume();
  return {
    close: () => {
      done = true;
      s.destroy();
    },
  };
};
