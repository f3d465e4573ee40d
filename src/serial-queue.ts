/**
 * Runs async tasks one at a time, in the order they were queued. A task that fails rejects
 * its own promise only; the tasks after it still run. Used where a resource takes one
 * request at a time: an IPVS netlink socket (a second dump gives EBUSY), ipvsadm runs that
 * must apply in call order, a control connection's answers.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Starts `task` once every task queued before it has settled; settles as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    // The caller gets the failure through `next`; the queue itself only waits for it.
    this.tail = next.then(noop, noop);
    return next;
  }
}

function noop(): void {
  // waiting only
}
