/**
 * keepalived's notify FIFOs (global_defs notify_fifo / vrrp_notify_fifo, lib/notify.c fifo_open
 * and vrrp_notify.c notify_fifo in 2.2.7): one line per VRRP event, `INSTANCE "VI_1" MASTER 100`.
 * As keepalived: a missing FIFO is created (mode 0644) and removed again on close, an existing
 * one is used as it is; the FIFO's script starts first, with the FIFO's path appended, and runs
 * until lvsd closes the FIFO; the FIFO is opened read-write and non-blocking, so lvsd never
 * waits for a reader and a line that does not fit (nobody reading) is dropped, and counted.
 * Unlike keepalived, a path that exists but is not a FIFO is refused (keepalived would write
 * into the file). mkfifo(1) creates it: Node has no mkfifo.
 */
import { execa, type ResultPromise } from 'execa';
import { closeSync, constants, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { NotifyFifo } from '../model/index.js';
import type { Logger } from './logger.js';

/** What a FIFO line says: an instance or a sync group (priority 0, as keepalived) entering a state. */
export interface FifoEvent {
  readonly kind: 'INSTANCE' | 'GROUP';
  readonly name: string;
  /** MASTER BACKUP FAULT STOP, or MASTER_PRIORITY / BACKUP_PRIORITY for a priority change. */
  readonly state: string;
  readonly priority: number;
}

/** keepalived vrrp_notify.c notify_fifo: `%s "%s" %s %d\n`. */
export function fifoLine(e: FifoEvent): string {
  return `${e.kind} "${e.name}" ${e.state} ${e.kind === 'GROUP' ? 0 : e.priority}\n`;
}

interface Open {
  readonly cfg: NotifyFifo;
  readonly fd: number;
  readonly created: boolean;
  readonly script?: ResultPromise;
  /** Lines dropped since the last one written (the FIFO was full). */
  dropped: number;
}

export class NotifyFifos {
  private open: Open[] = [];
  private key = '';

  constructor(private readonly log: Logger) {}

  /** Opens the FIFOs of a config (closing the previous set first when it differs); failures are logged. */
  async configure(fifos: readonly NotifyFifo[] | undefined): Promise<void> {
    const key = JSON.stringify((fifos ?? []).map((f) => [f.path, f.script ?? []]));
    if (key === this.key) return;
    await this.close();
    this.key = key;
    for (const f of fifos ?? []) {
      const o = await this.openOne(f);
      if (o) this.open.push(o);
    }
  }

  /** Writes one event to every FIFO, without waiting. */
  write(e: FifoEvent): void {
    const line = fifoLine(e);
    for (const o of this.open) {
      try {
        writeSync(o.fd, line);
        if (o.dropped > 0) this.log.warn({ event: 'notify.fifo', fifo: o.cfg.path, dropped: o.dropped }, 'notify fifo lines dropped');
        o.dropped = 0;
      } catch (e) {
        if (o.dropped++ === 0) this.log.warn({ event: 'notify.fifo', fifo: o.cfg.path, err: e }, 'notify fifo full, line dropped');
      }
    }
  }

  /** Removes the FIFOs lvsd created, closes them, and ends their scripts (SIGTERM). */
  async close(): Promise<void> {
    const open = this.open;
    this.open = [];
    this.key = '';
    for (const o of open) {
      // keepalived fifo_close: unlink first, so a script that reopens the path cannot get the old FIFO
      if (o.created) unlinkSync(o.cfg.path);
      closeSync(o.fd);
      if (o.script) {
        o.script.kill('SIGTERM');
        await o.script;
      }
    }
  }

  private async openOne(f: NotifyFifo): Promise<Open | undefined> {
    const fail = (what: string, err: unknown): undefined => {
      this.log.error({ event: 'notify.fifo', fifo: f.path, what, err }, 'notify fifo not opened');
      return undefined;
    };
    let created = false;
    let kind: ReturnType<typeof fileKind>;
    try {
      kind = fileKind(f.path);
    } catch (e) {
      return fail('lstat', e);
    }
    if (kind === 'missing') {
      const r = await execa('mkfifo', ['-m', '0644', '--', f.path], { reject: false, stdin: 'ignore' });
      if (r.failed) return fail('mkfifo', new Error(r.stderr || r.shortMessage));
      created = true;
    } else if (kind !== 'fifo') {
      return fail('check', new Error(`${f.path} exists and is not a FIFO`));
    }
    const script = f.script && f.script.length > 0
      // cleanup: false: lvsd's stop ends the script (close()), not execa's exit hook.
      ? execa(f.script[0] ?? '', [...f.script.slice(1), f.path], { reject: false, cleanup: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
      : undefined;
    try {
      const fd = openSync(f.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      this.log.info({ event: 'notify.fifo', fifo: f.path, created, script: f.script ?? null }, 'notify fifo open');
      return { cfg: f, fd, created, ...(script ? { script } : {}), dropped: 0 };
    } catch (e) {
      if (created) unlinkSync(f.path);
      script?.kill('SIGTERM');
      return fail('open', e);
    }
  }
}

function fileKind(path: string): 'missing' | 'fifo' | 'other' {
  try {
    return lstatSync(path).isFIFO() ? 'fifo' : 'other';
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return 'missing';
    throw e;
  }
}
