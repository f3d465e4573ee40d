/**
 * One instance can be in FAULT for several reasons at once (its link, tracked objects, its
 * sync group), while the state machine has one fault flag. The gate keeps a reason per source
 * and tells the machine only when the instance enters FAULT (first reason) or leaves it (last
 * reason cleared); while in FAULT, a new reason only updates the text.
 */
export interface FaultTarget {
  fault(reason: string): void;
  faultClear(): void;
}

export type FaultSource = 'link' | 'track' | 'sync';

export class FaultGate {
  private readonly reasons = new Map<FaultSource, string>();

  constructor(private readonly target: FaultTarget) {}

  get faulted(): boolean {
    return this.reasons.size > 0;
  }

  /** Sets (reason) or clears (null) one source; true when FAULT was entered or left. */
  set(source: FaultSource, reason: string | null): boolean {
    const was = this.faulted;
    const before = this.reasons.get(source);
    if (reason === null) this.reasons.delete(source);
    else this.reasons.set(source, reason);
    if (before === reason || (before === undefined && reason === null)) return false;
    if (this.faulted) {
      this.target.fault([...this.reasons.values()].join('; '));
      return !was;
    }
    if (was) this.target.faultClear();
    return was;
  }
}
