/**
 * IpvsBackend through the ipvsadm binary (execa with argv arrays; never a shell). The fallback
 * when netlink is unusable, and the reference in the bench. One invocation per operation;
 * dumps are `ipvsadm -S -n` completed with `-L -n --thresholds|--persistent-conn|--stats
 * --exact|--rate --exact` (ipvsadm-text.ts, ipvsadm-listing.ts). applyBatch feeds the whole
 * batch to `ipvsadm -R`. Invocations are serialised (a promise queue) so operations apply in call order.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { KernelError } from '../errors.js';
import { SerialQueue } from '../serial-queue.js';
import { describeDaemon, describeOp, describeService, errnoNumber, ipvsError } from './errno.js';
import type { CmdName } from './family.js';
import { errnoNameOfMessage, mergeListings, parseDaemons, parseInfo, parseListing, parseTimeouts } from './ipvsadm-listing.js';
import { daemonArgs, opArgs, parseSave, serviceArgs, timeoutArgs } from './ipvsadm-text.js';
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
/** The batch marker: a read-only command with a recognisable line (list_timeout in ipvsadm.c). */
const MARKER = ['-L', '--timeout'];
const MARKER_TEXT = 'Timeout (tcp tcpfin udp):';
const EPROTO = errnoNumber('EPROTO') ?? 71;

export class IpvsadmBackend implements IpvsBackend {
  readonly kind = 'ipvsadm' as const;
  private readonly queue = new SerialQueue();
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: IpvsadmOptions = {}) {
    this.bin = opts.bin ?? 'ipvsadm';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
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
    if (r.exitCode !== 0) throw this.failure(what, r.stderr, args, r.exitCode);
    return { stdout: r.stdout, stderr: r.stderr };
  }

  private failure(what: What, stderr: string, args: readonly string[], exitCode?: number): KernelError {
    const line = stderr.split('\n').find((l) => l.trim()) ?? '';
    // exit 2 = ipvsadm's own option check (fail(2, ...)): the kernel never saw the request
    const name = errnoNameOfMessage(line);
    if (exitCode === 2) return ipvsError({ ...what, errno: errnoNumber('EINVAL') ?? 22, syscall: 'ipvsadm', detail: `ipvsadm: ${line.trim()}` });
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
   * goes on, without saying which line failed; so a marker (`-L --timeout`, one GET_CONFIG,
   * printing "Timeout (tcp tcpfin udp): ...") follows every operation, and stdout and stderr
   * go to one file with stdout unbuffered (stdbuf -o0): an error line belongs to the
   * operation before the next marker. Costs one extra ipvsadm command per op; the bench times
   * plain `ipvsadm -R` separately. Settings ipvsadm would refuse with exit 2 (which ends -R)
   * are refused before (opArgs).
   */
  applyBatch(ops: readonly IpvsOp[]): Promise<IpvsOpOutcome[]> {
    return this.serial(async () => {
      const outcomes: IpvsOpOutcome[] = ops.map((op) => ({ op }));
      const lines: string[] = [];
      const sent: number[] = [];
      ops.forEach((op, i) => {
        const a = opArgs(op);
        if (a.ok) { lines.push(a.value.join(' '), MARKER.join(' ')); sent.push(i); return; }
        outcomes[i] = { op, error: ipvsError({ ...describeOp(op), errno: errnoNumber('EINVAL') ?? 22, syscall: 'ipvsadm', detail: a.error }) };
      });
      const what = { cmd: undefined, op: 'restore', target: `${sent.length} operations` };
      const out = await this.restoreMerged(`${lines.join('\n')}\n`, what);
      let i = 0;
      let pending: string[] = [];
      for (const line of out.split('\n')) {
        if (line.startsWith(MARKER_TEXT)) {
          const k = sent[i++];
          const op = k === undefined ? undefined : ops[k];
          if (op && k !== undefined && pending.length) outcomes[k] = { op, error: this.failure(describeOp(op), pending.join('\n'), []) };
          pending = [];
        } else if (line.trim()) {
          pending.push(line);
        }
      }
      if (i !== sent.length || pending.length) {
        throw ipvsError({ ...what, errno: EIO, syscall: 'ipvsadm', detail: `output not matched to operations (${i}/${sent.length}): ${pending.join('; ')}` });
      }
      return outcomes;
    });
  }

  /**
   * `stdbuf -o0 ipvsadm -R` with stdout and stderr on ONE open file (so lines stay in write
   * order). execa copies {file} outputs through the parent, which reorders them, so this one
   * call uses child_process.spawn with the same fd for both (still no shell).
   */
  private async restoreMerged(input: string, what: What): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-ipvsadm-'));
    const file = join(dir, 'out');
    const fd = openSync(file, 'a');
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('stdbuf', ['-o0', this.bin, '-R'], { stdio: ['pipe', fd, fd], shell: false, timeout: this.timeoutMs * 20 });
        child.on('error', reject);
        child.on('close', (c) => resolve(c));
        child.stdin?.end(input);
      });
      const text = readFileSync(file, 'utf8');
      if (code === null) throw ipvsError({ ...what, errno: errnoNumber('ETIMEDOUT') ?? 110, syscall: 'ipvsadm' });
      // an option error ends -R at an unknown line: the batch's state is unknown, say so
      if (code === 2) throw this.failure(what, text.split('\n').filter((l) => !l.startsWith(MARKER_TEXT)).join('\n'), ['-R'], 2);
      return text;
    } catch (e) {
      if (e instanceof KernelError) throw e;
      throw ipvsError({ ...what, errno: errnoNumber('ENOENT') ?? 2, syscall: 'spawn', detail: `cannot run stdbuf ${this.bin}`, cause: e });
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
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
