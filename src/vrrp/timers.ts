/**
 * Timer lateness bookkeeping for the VRRP worker: every timer firing reports how late it
 * was, so the machine can refuse to act on stale data and operators can see the worker's
 * scheduling health (`lvsctl vrrp`).
 */
import type { TimerLateness } from './messages.js';

const WINDOW = 1024;

export class LatenessRecorder {
  private readonly samples: number[] = [];
  private next = 0;
  private maxUs = 0;
  private total = 0;

  record(lateUs: number): void {
    const v = Math.max(0, lateUs);
    if (this.samples.length < WINDOW) this.samples.push(v);
    else this.samples[this.next] = v;
    this.next = (this.next + 1) % WINDOW;
    this.maxUs = Math.max(this.maxUs, v);
    this.total++;
  }

  summary(): TimerLateness {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const idx = Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99));
    return { samples: this.total, maxUs: this.maxUs, p99Us: sorted.length ? (sorted[idx] ?? 0) : 0 };
  }
}
