/** Tests of the VRRP state machine: feed inputs to one instance, or run several on a tiny LAN under fake time. */
import { initialState, step, type Input, type InstanceState, type MachineConfig, type Output } from './machine.js';
import type { VrrpRole } from '../model/index.js';
import type { Us } from '../clock.js';

export const base: MachineConfig = { version: 3, priority: 100, advertIntervalCs: 100, preempt: true, preemptDelayUs: 0, localAddress: '10.0.0.2' };
export const S = 1_000_000;

/** Feed inputs in order; return the final state and every output. */
export function feed(cfg: MachineConfig, inputs: readonly Input[]): { s: InstanceState; out: Output[] } {
  let s = initialState(cfg);
  const out: Output[] = [];
  for (const i of inputs) {
    const r = step(s, i);
    s = r.s;
    out.push(...r.out);
  }
  return { s, out };
}

export interface Node { readonly name: string; readonly cfg: MachineConfig; s: InstanceState; timerAt: Us | null; up: boolean }
export interface Transition { readonly at: Us; readonly node: string; readonly role: VrrpRole; readonly reason: string }

/** Nodes exchange adverts with a fixed latency; timers fire exactly when due (lateUs 0). */
export class Lan {
  readonly nodes: Node[] = [];
  readonly log: Transition[] = [];
  readonly sent: { at: Us; node: string; priority: number }[] = [];
  readonly announced: { at: Us; node: string }[] = [];
  private queue: { at: Us; to: Node; input: Input }[] = [];
  now: Us = 0;
  constructor(private readonly latencyUs: Us = 100) {}

  add(name: string, cfg: Partial<MachineConfig>): Node {
    const full = { ...base, ...cfg };
    const n: Node = { name, cfg: full, s: initialState(full), timerAt: null, up: true };
    this.nodes.push(n);
    return n;
  }

  input(n: Node, i: Input): void {
    const r = step(n.s, i);
    n.s = r.s;
    for (const o of r.out) this.apply(n, i.at, o);
  }

  private apply(n: Node, at: Us, o: Output): void {
    switch (o.kind) {
      case 'arm': n.timerAt = o.at; break;
      case 'disarm': n.timerAt = null; break;
      case 'role': this.log.push({ at, node: n.name, role: o.role, reason: o.reason }); break;
      case 'announce': this.announced.push({ at, node: n.name }); break;
      case 'send':
        this.sent.push({ at, node: n.name, priority: o.priority });
        for (const to of this.nodes.filter((x) => x !== n)) {
          const input: Input = { kind: 'advert', at: at + this.latencyUs, from: n.cfg.localAddress, priority: o.priority, intervalCs: n.cfg.advertIntervalCs };
          this.queue.push({ at: at + this.latencyUs, to, input });
        }
        break;
      default: { const never: never = o; throw new Error(String(never)); }
    }
  }

  /** Process timers and deliveries in time order up to `until`. */
  run(until: Us): void {
    for (;;) {
      const timer = this.nodes.filter((n) => n.up && n.timerAt !== null).sort((a, b) => (a.timerAt ?? 0) - (b.timerAt ?? 0))[0];
      this.queue.sort((a, b) => a.at - b.at);
      const msg = this.queue[0];
      const tAt = timer?.timerAt ?? Infinity;
      if (msg && msg.at <= tAt && msg.at <= until) {
        this.queue.shift();
        this.now = msg.at;
        if (msg.to.up) this.input(msg.to, msg.input);
      } else if (timer && tAt <= until) {
        this.now = tAt;
        this.input(timer, { kind: 'timer', at: tAt, lateUs: 0 });
      } else break;
    }
    this.now = until;
  }

  /** kill -9: the node stops sending and receiving, nothing announced. */
  crash(n: Node): void { n.up = false; }
  role(n: Node): VrrpRole { return n.s.role; }
  becameMaster(name: string): Transition[] { return this.log.filter((x) => x.node === name && x.role === 'MASTER'); }
}
