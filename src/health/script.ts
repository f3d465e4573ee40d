/**
 * Running one check or tracking script, as keepalived 2.2.7 does (lib/notify.c
 * system_call_script, keepalived/vrrp/vrrp_scheduler.c vrrp_script_child_thread,
 * keepalived/check/check_misc.c misc_check_child_thread), but without a shell: the argv is
 * executed as given (the config front-end already split it as keepalived splits scripts).
 *
 * - The child runs in its own process group (keepalived: setpgid(0, 0); here spawn `detached`,
 *   i.e. setsid), so a timeout kills the script and everything it started.
 * - `user`: setuid/setgid to the passwd entry (spawn uid/gid; libuv also drops supplementary
 *   groups, keepalived sets them to the one gid).
 * - Timeout: SIGTERM to the group; if the script is still there `killGraceMs` (2 s) later,
 *   SIGKILL; then SIGKILL again every 10 s. A script that died of our SIGTERM (or of SIGTERM or
 *   SIGKILL after our SIGKILL) timed out; any other signal is a failure of its own. A script that
 *   catches SIGTERM and exits with a code reports that code, as in keepalived. After a script
 *   dies of our SIGTERM its group gets SIGKILL, so no child of it survives.
 * - stdout/stderr are drained (keepalived sends them to /dev/null): at most `outputLimitBytes`
 *   are kept for the operator, the rest is read and dropped, so a chatty script never blocks on
 *   a full pipe. The result does not wait for grandchildren that keep the pipes open.
 *
 * Not done (Node cannot): PR_SET_PDEATHSIG. If lvsd is killed with SIGKILL, a running script is
 * not signalled; it is reaped by init when it ends.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { monotonicClock, type Clock } from '../clock.js';
import { nodeTimers, type TimerHandle, type Timers } from './timers.js';
import { lookupUser, type UserIds, type UserLookupError } from './passwd.js';
import type { Result } from '../errors.js';

export interface ScriptSpec {
  readonly argv: readonly string[];
  /** Run as this user (name or numeric uid, from /etc/passwd); absent = lvsd's own user. */
  readonly user?: string;
  /** Run as these ids, already resolved (the director's script policy); takes precedence over `user`. */
  readonly ids?: { readonly uid: number; readonly gid: number };
  /** 0 or less = no timeout. */
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL (keepalived: 2 s). */
  readonly killGraceMs?: number;
  /** Output kept for diagnostics (default 4096 bytes). */
  readonly outputLimitBytes?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export type ScriptOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string }
  /** Killed by us at the timeout; `signal` is what it died of. */
  | { readonly kind: 'timeout'; readonly signal: string }
  /** Never ran: no such file (ENOENT), not executable (EACCES), unknown user, setuid refused (EPERM). */
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'cancelled' };

export interface ScriptResult {
  readonly outcome: ScriptOutcome;
  readonly latencyMs: number;
  /** The first outputLimitBytes of stdout and stderr, interleaved as they arrived. */
  readonly output: string;
  /** Bytes read and dropped beyond the limit. */
  readonly droppedBytes: number;
}

export interface ScriptRun {
  readonly pid: number | undefined;
  readonly result: Promise<ScriptResult>;
  /** Kills the process group (SIGKILL); the result resolves as 'cancelled'. */
  cancel(): void;
}

export interface ScriptDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly spawn: (cmd: string, args: readonly string[], o: SpawnOptions) => ChildProcess;
  readonly lookupUser: (user: string) => Result<UserIds, UserLookupError>;
  /** Signals a process group (negative pid), as process.kill. */
  readonly kill: (pid: number, signal: NodeJS.Signals) => void;
}

export const defaultScriptDeps: ScriptDeps = {
  clock: monotonicClock,
  timers: nodeTimers,
  spawn: (cmd, args, o) => nodeSpawn(cmd, args, o),
  lookupUser: (u) => lookupUser(u),
  kill: (pid, sig) => process.kill(pid, sig),
};

const DEFAULT_KILL_GRACE_MS = 2000;
/** keepalived: "failed to terminate after kill", retried with a 10 s timer. */
const REKILL_MS = 10_000;
/** How long the result waits, after the script exited, for its pipes to close. */
const CLOSE_GRACE_MS = 50;

type KillState = 'running' | 'term' | 'kill';

export function runScript(spec: ScriptSpec, deps: Partial<ScriptDeps> = {}): ScriptRun {
  const d: ScriptDeps = { ...defaultScriptDeps, ...deps };
  const startUs = d.clock.nowUs();
  const latencyMs = (): number => (d.clock.nowUs() - startUs) / 1000;
  const failed = (code: string, message: string): ScriptRun => ({
    pid: undefined,
    result: Promise.resolve({ outcome: { kind: 'error', code, message }, latencyMs: 0, output: '', droppedBytes: 0 }),
    cancel: () => undefined,
  });
  const [cmd, ...args] = spec.argv;
  if (cmd === undefined || cmd === '') return failed('EINVAL', 'empty script command');
  let ids: Pick<UserIds, 'uid' | 'gid'> | undefined = spec.ids;
  if (ids === undefined && spec.user !== undefined) {
    const u = d.lookupUser(spec.user);
    if (!u.ok) return failed(u.error.code, u.error.message);
    ids = u.value;
  }
  let child: ChildProcess;
  try {
    child = d.spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: spec.env ?? process.env,
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return failed(err.code ?? 'EIO', `run ${cmd}: ${err.message}`);
  }
  return new ScriptProcess(child, spec, d, latencyMs).run();
}

/** The lifecycle of one spawned script: drain, timeout, kill escalation, result. */
class ScriptProcess {
  private state: KillState = 'running';
  private timer: TimerHandle | undefined;
  private cancelled = false;
  private settled = false;
  private output = '';
  private kept = 0;
  private dropped = 0;
  private resolve: (r: ScriptResult) => void = () => undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly spec: ScriptSpec,
    private readonly d: ScriptDeps,
    private readonly latencyMs: () => number,
  ) {}

  run(): ScriptRun {
    const result = new Promise<ScriptResult>((resolve) => (this.resolve = resolve));
    const limit = this.spec.outputLimitBytes ?? 4096;
    for (const s of [this.child.stdout, this.child.stderr]) {
      s?.on('data', (b: Buffer) => this.collect(b, limit));
      s?.on('error', () => undefined); // a pipe torn down by destroy() below
    }
    this.child.once('error', (e: NodeJS.ErrnoException) => {
      if (this.child.pid === undefined) this.finish({ kind: 'error', code: e.code ?? 'EIO', message: `run ${this.spec.argv[0]}: ${e.message}` });
    });
    this.child.once('exit', (code, signal) => this.onExit(code, signal));
    if (this.spec.timeoutMs > 0 && this.child.pid !== undefined) this.arm(() => this.escalate(), this.spec.timeoutMs);
    return { pid: this.child.pid, result, cancel: () => this.cancel() };
  }

  private collect(b: Buffer, limit: number): void {
    const room = Math.max(0, limit - this.kept);
    if (room > 0) {
      const part = b.subarray(0, room);
      this.output += part.toString('utf8');
      this.kept += part.length;
    }
    this.dropped += b.length - Math.min(room, b.length);
  }

  private arm(fn: () => void, ms: number): void {
    if (this.timer !== undefined) this.d.timers.clear(this.timer);
    this.timer = this.d.timers.set(fn, ms);
  }

  /** Timeout reached (or the previous signal did not end it): next signal of the ladder. */
  private escalate(): void {
    this.timer = undefined;
    if (this.settled) return;
    if (this.state === 'running') {
      this.state = 'term';
      if (this.signalGroup('SIGTERM')) this.arm(() => this.escalate(), this.spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      return;
    }
    const wasKill = this.state === 'kill';
    this.state = 'kill';
    if (this.signalGroup('SIGKILL')) this.arm(() => this.escalate(), wasKill ? REKILL_MS : this.spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  }

  /** kill(-pgid); false when the group is gone (ESRCH) or cannot be signalled. */
  private signalGroup(sig: NodeJS.Signals): boolean {
    const pid = this.child.pid;
    if (pid === undefined) return false;
    try {
      this.d.kill(-pid, sig);
      return true;
    } catch (e) {
      return false; // ESRCH: it is gone and its exit is on the way; EPERM: nothing more we can do
    }
  }

  private cancel(): void {
    if (this.settled || this.cancelled) return;
    this.cancelled = true;
    this.signalGroup('SIGKILL');
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.timer !== undefined) this.d.timers.clear(this.timer);
    this.timer = undefined;
    // keepalived: after our SIGTERM ended the script, make sure its children die too.
    if (signal === 'SIGTERM' && this.state === 'term') this.signalGroup('SIGKILL');
    const outcome = this.classify(code, signal);
    const streams = [this.child.stdout, this.child.stderr].filter((s) => s !== null && !s.destroyed);
    if (streams.length === 0) return this.finish(outcome);
    // Wait briefly for the last output; a grandchild holding the pipes must not hold the result.
    let open = streams.length;
    const done = (): void => this.finish(outcome);
    for (const s of streams) s?.once('close', () => (--open === 0 ? done() : undefined));
    this.timer = this.d.timers.set(() => {
      for (const s of streams) s?.destroy();
      done();
    }, CLOSE_GRACE_MS);
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): ScriptOutcome {
    if (this.cancelled) return { kind: 'cancelled' };
    if (code !== null) return { kind: 'exit', code };
    const sig = signal ?? 'unknown';
    const ours = (this.state === 'term' && sig === 'SIGTERM') || (this.state === 'kill' && (sig === 'SIGTERM' || sig === 'SIGKILL'));
    return ours ? { kind: 'timeout', signal: sig } : { kind: 'signal', signal: sig };
  }

  private finish(outcome: ScriptOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) this.d.timers.clear(this.timer);
    this.timer = undefined;
    this.resolve({ outcome, latencyMs: this.latencyMs(), output: this.output, droppedBytes: this.dropped });
  }
}

/** Operator text for an outcome: "exit 1", "killed by SIGSEGV", "timeout after 3 s". */
export function describeOutcome(o: ScriptOutcome, timeoutMs: number): string {
  switch (o.kind) {
    case 'exit': return `exit ${o.code}`;
    case 'signal': return `killed by ${o.signal}`;
    case 'timeout': return `timeout after ${timeoutMs / 1000} s`;
    case 'error': return `${o.message} (${o.code})`;
    case 'cancelled': return 'cancelled';
    default: {
      const never: never = o;
      return String(never);
    }
  }
}
