/**
 * IpvsBackend through the ipvsadm binary (execa with argv arrays; never a shell). The fallback
 * when netlink is unusable, and the reference in the bench. One invocation per operation;
 * dumps are `ipvsadm -S -n` completed with `-L -n --thresholds|--persistent-conn|--stats
 * --exact|--rate --exact` (ipvsadm-text.ts). applyBatch feeds the whole batch to `ipvsadm -R`.
 * Invocations are serialised (a promise queue) so operations apply in call order.
 */
import { execa } from 'execa';
import type { KernelError } from '../errors.js';
import { describeDaemon, describeOp, describeService, errnoNumber, ipvsError } from './errno.js';
import type { CmdName } from './family.js';
import {
  daemonArgs, errnoNameOfMessage, mergeListings, messageFits, opArgs, parseDaemons, parseInfo, parseListing,
  parseSave, parseTimeouts, serviceArgs, timeoutArgs,
} from './ipvsadm-text.js';
import type {
  IpvsBackend, IpvsDaemon, IpvsInfo, IpvsOp, IpvsOpOutcome, IpvsServiceWithDests, IpvsTimeouts, ServiceId,
} from './types.js';

export interface IpvsadmOptions {
  /** Per-invocation timeout (default 10000 ms; applyBatch gets 20× that). */
  readonly timeoutMs?: number;
  /** The binary (default "ipvsadm", found on PATH). */
  readonly bin?: string;
}

interface What { readonly cmd: CmdName | undefined; readonly op: string; readonly target: string }

const EIO = errnoNumber('EIO') ?? 5;
const EPROTO = errnoNumber('EPROTO') ?? 71;

export class IpvsadmBackend implements IpvsBackend {
  readonly kind = 'ipvsadm' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: IpvsadmOptions = {}) {
    this.bin = opts.bin ?? 'ipvsadm';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Run ipvsadm once; resolves with stdout, rejects with a KernelError carrying the errno ipvsadm reported. */
  private async exec(args: readonly string[], what: What, input?: string, timeoutMs = this.timeoutMs): Promise<{ stdout: string; stderr: string }> {
    const r = await execa(this.bin, args, {
      reject: false, timeout: timeoutMs, stripFinalNewline: false, ...(input !== undefined ? { input } : {}),
    });
    if (r.timedOut) throw ipvsError({ ...what, errno: errnoNumber('ETIMEDOUT') ?? 110, syscall: 'ipvsadm', detail: `${this.bin} timed out` });
    if (r.exitCode === undefined) {
      throw ipvsError({ ...what, errno: errnoNumber('ENOENT') ?? 2, syscall: 'spawn', detail: `cannot run ${this.bin}`, cause: r });
    }
    if (r.exitCode !== 0) throw this.failure(what, r.stderr, args);
    return { stdout: r.stdout, stderr: r.stderr };
  }

  private failure(what: What, stderr: string, args: readonly string[]): KernelError {
    const line = stderr.split('\n').find((l) => l.trim()) ?? '';
    const name = errnoNameOfMessage(line);
    const errno = name ? errnoNumber(name) ?? EIO : EIO;
    return ipvsError({ ...what, errno, syscall: 'ipvsadm', detail: name ? undefined : `ipvsadm ${args.join(' ')}: ${line.trim()}` });
  }

  private run(args: readonly string[], what: What): Promise<string> {
    return this.serial(async () => (await this.exec(args, what)).stdout);
  }

  async info(): Promise<IpvsInfo> {
    const what = { cmd: 'GET_INFO' as const, op: 'query', target: 'IPVS info' };
    const info = parseInfo(await this.run(['-L', '-n'], what)); // the version line only comes with the full list
    if (!info) throw ipvsError({ ...what, errno: EPROTO, syscall: 'ipvsadm' });
    return info;
  }

  dump(): Promise<IpvsServiceWithDests[]> {
    const what = { cmd: 'GET_SERVICE' as const, op: 'list', target: 'virtual services' };
    return this.serial(async () => {
      const save = parseSave((await this.exec(['-S', '-n'], what)).stdout);
      if (!save.ok) throw ipvsError({ ...what, errno: EPROTO, syscall: 'ipvsadm', detail: save.error });
      const list = async (...mode: string[]): Promise<Map<string, string[]>> =>
        parseListing((await this.exec(['-L', '-n', ...mode], what)).stdout);
      const thresholds = await list('--thresholds');
      const persistent = await list('--persistent-conn');
      const stats = await list('--stats', '--exact');
      const rates = await list('--rate', '--exact');
      return mergeListings(save.value, { thresholds, persistent, stats, rates });
    });
  }

  async apply(op: IpvsOp): Promise<void> {
    const d = describeOp(op);
    const args = opArgs(op);
    if (!args.ok) throw ipvsError({ ...d, errno: errnoNumber('EINVAL') ?? 22, syscall: 'ipvsadm', detail: args.error });
    await this.run(args.value, d);
  }

  /**
   * One `ipvsadm -R` for the whole batch. ipvsadm prints one line per refused operation and
   * goes on; it does not say which line failed, so each error is attributed to the next
   * operation that could have produced it (ipvs_strerror's per-function messages). Exact for
   * distinct error kinds; approximate when several candidates would print the same message.
   */
  applyBatch(ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]> {
    return this.serial(async () => {
      const outcomes: IpvsOpOutcome[] = ops.map((op) => ({ op }));
      const lines: string[] = [];
      const sent: number[] = [];
      ops.forEach((op, i) => {
        const a = opArgs(op);
        if (a.ok) { lines.push(a.value.join(' ')); sent.push(i); return; }
        const d = describeOp(op);
        outcomes[i] = { op, error: ipvsError({ ...d, errno: errnoNumber('EINVAL') ?? 22, syscall: 'ipvsadm', detail: a.error }) };
      });
      const what = { cmd: undefined, op: 'restore', target: `${lines.length} operations` };
      const r = await execa(this.bin, ['-R'], { reject: false, input: `${lines.join('\n')}\n`, timeout: this.timeoutMs * 20 });
      if (r.exitCode === undefined || r.timedOut) throw ipvsError({ ...what, errno: errnoNumber('ETIMEDOUT') ?? 110, syscall: 'ipvsadm' });
      let next = 0;
      for (const line of r.stderr.split('\n').filter((l) => l.trim())) {
        const name = errnoNameOfMessage(line);
        if (!name) throw ipvsError({ ...what, errno: EIO, syscall: 'ipvsadm', detail: line });
        while (next < sent.length && !messageFits(ops[sent[next] ?? 0] as IpvsOp, name)) next++;
        const i = sent[next++];
        if (i === undefined) break;
        const op = ops[i] as IpvsOp;
        outcomes[i] = { op, error: ipvsError({ ...describeOp(op), errno: errnoNumber(name) ?? EIO, syscall: 'ipvsadm' }) };
      }
      return outcomes;
    });
  }

  async flush(): Promise<void> {
    await this.run(['-C'], { cmd: 'FLUSH', op: 'flush', target: 'the IPVS table' });
  }

  async zero(service?: ServiceId): Promise<void> {
    const target = service ? describeService(service) : 'all virtual services';
    await this.run(['-Z', ...(service ? serviceArgs(service) : [])], { cmd: 'ZERO', op: 'zero counters of', target });
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    const what = { cmd: 'GET_CONFIG' as const, op: 'get', target: 'timeouts' };
    const t = parseTimeouts(await this.run(['-L', '--timeout'], what));
    if (!t) throw ipvsError({ ...what, errno: EPROTO, syscall: 'ipvsadm' });
    return t;
  }

  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    await this.run(timeoutArgs(t), { cmd: 'SET_CONFIG', op: 'set', target: `timeouts (tcp ${t.tcp}, tcpfin ${t.tcpFin}, udp ${t.udp})` });
  }

  async getDaemons(): Promise<IpvsDaemon[]> {
    return parseDaemons(await this.run(['-L', '--daemon'], { cmd: 'GET_DAEMON', op: 'list', target: 'sync daemons' }));
  }

  async startDaemon(d: IpvsDaemon): Promise<void> {
    await this.run(daemonArgs(d), { cmd: 'NEW_DAEMON', op: 'start sync daemon', target: describeDaemon(d) });
  }

  async stopDaemon(state: 'master' | 'backup'): Promise<void> {
    await this.run(['--stop-daemon', state], { cmd: 'DEL_DAEMON', op: 'stop sync daemon', target: state });
  }

  /** Nothing to release: each call is its own process. */
  close(): void {}
}

/** Open the ipvsadm backend after checking that `ipvsadm -L --timeout` runs (binary present, IPVS reachable). */
export async function openIpvsadmBackend(opts: IpvsadmOptions = {}): Promise<IpvsadmBackend> {
  const b = new IpvsadmBackend(opts);
  await b.getTimeouts();
  return b;
}
