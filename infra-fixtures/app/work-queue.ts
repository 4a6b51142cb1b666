/**
 * Serialises API work the way a single-threaded service saturates: each job burns `cpuWorkMs` of
 * CPU and then yields to the event loop, so health checks and metrics scrapes still get turns
 * while API requests queue up behind each other. The queue's depth is what `novel_engine_queue_depth`
 * reports; under overload it grows and latency rises, as in a real saturated backend.
 */
import { performance } from 'node:perf_hooks';

export interface WorkQueue {
  /** Runs `job` after its share of CPU work, in arrival order. */
  run<T>(job: () => T): Promise<T>;
  readonly depth: number;
}

interface Pending {
  readonly job: () => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

export function createWorkQueue(cpuWorkMs: number, onDepth: (depth: number) => void): WorkQueue {
  const pending: Array<Pending | undefined> = [];
  let head = 0; // index of the next job; avoids O(n) shift() on a long queue
  let scheduled = false;

  const depth = (): number => pending.length - head;

  const pump = (): void => {
    scheduled = false;
    const next = pending[head];
    if (next === undefined) return;
    pending[head] = undefined; // let the finished job be collected
    head += 1;
    if (head > 1024 && head * 2 > pending.length) {
      pending.splice(0, head);
      head = 0;
    }
    onDepth(depth());
    try {
      burnCpu(cpuWorkMs);
      next.resolve(next.job());
    } catch (e) {
      next.reject(e);
    }
    // One job per turn of the event loop: I/O (health checks, new connections) runs in between.
    if (depth() > 0) schedule();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };

  return {
    run<T>(job: () => T): Promise<T> {
      // Without CPU cost there is nothing to wait for: answer inline and keep the hot path cheap.
      if (cpuWorkMs === 0) {
        try {
          return Promise.resolve(job());
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return new Promise<T>((resolve, reject) => {
        pending.push({ job, resolve: resolve as (v: unknown) => void, reject });
        onDepth(depth());
        schedule();
      });
    },
    get depth() {
      return depth();
    },
  };
}

/** Spins for `ms` of wall time on this thread; the loop body keeps the optimiser from eliding it. */
export function burnCpu(ms: number): number {
  if (ms <= 0) return 0;
  const end = performance.now() + ms;
  let acc = 1;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) acc = (Math.imul(acc, 1_103_515_245) + 12_345) | 0;
  }
  return acc;
}
