/**
 * The kubelet's own liveness as a gate. While the node is frozen (paused or powered off) nothing
 * the kubelet would do — probe, restart, react to an exit — happens; the work queues up and runs,
 * in order, when the node comes back, which is how a frozen or rebooted kubelet catches up.
 */
export class Gate {
  private queue: (() => void)[] = [];
  private isFrozen = false;
  /** Bumped at every freeze, so work that started before one can tell its result is stale. */
  epoch = 0;

  get frozen(): boolean {
    return this.isFrozen;
  }

  run(fn: () => void): void {
    if (this.isFrozen) this.queue.push(fn);
    else fn();
  }

  freeze(): void {
    this.isFrozen = true;
    this.epoch++;
  }

  thaw(): void {
    this.isFrozen = false;
    const queued = this.queue;
    this.queue = [];
    for (const fn of queued) fn();
  }

  /** Drops queued work for good (the kubelet is closing). */
  discard(): void {
    this.queue = [];
    this.isFrozen = true;
  }
}
