/**
 * A child process of the bench that speaks JSON lines (checks-farm.ts, checks-watch.ts): started
 * in a namespace with `ip netns exec` (which execs: the child's pid is the program's), commands
 * written to its stdin, events read from its stdout and kept in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { eachLine } from '../test/netns/topology.js';

export type Event = Readonly<Record<string, unknown>> & { readonly ev: string };

export class JsonChannel {
  readonly events: Event[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;

  constructor(ns: string, argv: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    eachLine(this.child.stdout!, (line) => {
      try {
        this.events.push(JSON.parse(line) as Event);
      } catch (e) {
        this.events.push({ ev: 'unparsed', line, error: (e as Error).message });
      }
      for (const w of [...this.waiters]) w();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.stderr.push(d));
    this.child.once('exit', (code) => {
      this.exitCode = code;
      for (const w of [...this.waiters]) w();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(cmd: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  /** The first event at index >= `from` that matches; rejects after `timeoutMs` or when the child exits. */
  next(match: (e: Event) => boolean, timeoutMs: number, from = 0): Promise<Event> {
    return new Promise((resolve, reject) => {
      let seen = from;
      const check = (): void => {
        for (; seen < this.events.length; seen++) {
          const e = this.events[seen]!;
          if (match(e)) return done(() => resolve(e));
        }
        if (this.exitCode !== undefined) done(() => reject(new Error(`child exited (${this.exitCode}): ${this.stderr.join('').slice(-500)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching event within ${timeoutMs} ms; stderr: ${this.stderr.join('').slice(-500)}`))), timeoutMs);
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Send `cmd` and wait for the next event named `ev` after it. */
  async ask(cmd: Record<string, unknown>, ev: string, timeoutMs: number, match: (e: Event) => boolean = () => true): Promise<Event> {
    const from = this.events.length;
    this.send(cmd);
    return this.next((e) => e.ev === ev && match(e), timeoutMs, from);
  }

  close(): void {
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
