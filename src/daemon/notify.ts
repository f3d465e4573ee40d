/**
 * Notify scripts (keepalived notify_master / notify_backup / notify_fault / notify).
 *
 * Unlike keepalived, whose scripts are fire-and-forget and can run out of order (keepalived
 * issues #1055, #996, #584 on github.com/acassen/keepalived; its notify FIFOs came later), lvsd runs them
 * one at a time, in the order the transitions happened: the next starts only when the previous
 * has exited or been killed. Each runs without a shell (execa with an argv array), with stdin,
 * stdout and stderr closed, and with a timeout: SIGTERM, then SIGKILL after killGraceMs.
 */
import { execa } from 'execa';
import type { NotifyScripts } from '../model/index.js';

export interface NotifyJob {
  /** Program and arguments; never passed through a shell. */
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  /** Free text carried into the result for logging, e.g. 'VI_1 MASTER'. */
  readonly label?: string;
  /** Run as this uid/gid (setuid/setgid in the child; libuv also drops supplementary groups). Absent: lvsd's own. */
  readonly uid?: number;
  readonly gid?: number;
}

export interface NotifyResult {
  readonly label?: string;
  readonly argv: readonly string[];
  /** null when killed by a signal or when it never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Wall time from spawn to exit, milliseconds. */
  readonly ms: number;
  /** Set when the program could not be started (ENOENT, EACCES, …). */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface NotifyRunnerOptions {
  /** Called once per job, in order, after it ended. */
  readonly onResult: (r: NotifyResult) => void;
  /** Between SIGTERM and SIGKILL on timeout (default 1000). */
  readonly killGraceMs?: number;
}

export class NotifyRunner {
  private readonly queue: NotifyJob[] = [];
  private running = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly o: NotifyRunnerOptions) {}

  /** Queues a job; it starts when every job queued before it has ended. A job with an empty argv is skipped. */
  enqueue(job: NotifyJob): void {
    if (job.argv.length === 0) return;
    this.queue.push(job);
    if (!this.running) void this.drain();
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Resolves true once nothing is queued or running, or false after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(value);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
      const r = await runJob(job, this.o.killGraceMs ?? 1000);
      this.o.onResult(r);
    }
    this.running = false;
    for (const w of [...this.idleWaiters]) w();
  }
}

async function runJob(job: NotifyJob, killGraceMs: number): Promise<NotifyResult> {
  const [file = '', ...args] = job.argv;
  const started = performance.now();
  const r = await execa(file, args, {
    shell: false,
    reject: false,
    // cleanup: false: the timeout ends a script, not execa's exit hook at lvsd's exit.
    cleanup: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
    timeout: job.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: killGraceMs,
    ...(job.uid !== undefined ? { uid: job.uid } : {}),
    ...(job.gid !== undefined ? { gid: job.gid } : {}),
  });
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const base = {
    ...(job.label !== undefined ? { label: job.label } : {}),
    argv: job.argv,
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    timedOut: r.timedOut,
    ms,
  };
  const code = r.failed && r.exitCode === undefined && !r.timedOut && r.signal === undefined ? errnoCode(r.cause) : undefined;
  return code === undefined ? base : { ...base, error: { code, message: r.shortMessage ?? `cannot run ${file}` } };
}

/** The spawn error's code (ENOENT when the program does not exist), or 'ESPAWN'. */
function errnoCode(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return 'ESPAWN';
}

/** keepalived's state words for the generic `notify` script. */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/**
 * The argv lists to run, in keepalived's order, for an instance (or a sync group: anything with
 * `members`) entering `state`: the state's own script (notify_master, notify_backup,
 * notify_fault, notify_stop) unchanged, then the generic `notify` script with four arguments appended:
 * `INSTANCE|GROUP NAME STATE PRIORITY` (keepalived vrrp_notify.c, notify_script_exec; a group's
 * priority is always 0 there, and here).
 * States without scripts (INIT) give no lists.
 */
export function notifyArgv(
  target: { readonly name: string; readonly notify: NotifyScripts; readonly members?: readonly string[] },
  state: string,
  priority: number,
): string[][] {
  const s = asNotifyState(state);
  if (s === undefined) return [];
  const out: string[][] = [];
  const own = s === 'MASTER' ? target.notify.master : s === 'BACKUP' ? target.notify.backup : s === 'FAULT' ? target.notify.fault : target.notify.stop;
  if (own !== undefined && own.length > 0) out.push([...own]);
  const any = target.notify.any;
  if (any !== undefined && any.length > 0) {
    const group = target.members !== undefined;
    out.push([...any, group ? 'GROUP' : 'INSTANCE', target.name, s, String(group ? 0 : priority)]);
  }
  return out;
}

function asNotifyState(state: string): NotifyState | undefined {
  switch (state) {
    case 'MASTER':
    case 'BACKUP':
    case 'FAULT':
    case 'STOP':
      return state;
    default:
      return undefined;
  }
}
