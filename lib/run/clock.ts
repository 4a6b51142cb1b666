import { performance } from 'node:perf_hooks';

/**
 * The run's one clock. Everything on the timeline (requests, chaos spans, cluster events) is
 * stamped in milliseconds since t0 from this monotonic source, so wall-clock jumps cannot skew it.
 */
export interface Clock {
  /** Milliseconds since t0 (monotonic, fractional). */
  now(): number;
  /** Wall-clock time of t0, for humans and for mapping API timestamps onto the timeline. */
  readonly startedAt: Date;
  /** Map a wall-clock timestamp (e.g. a Kubernetes event time) to ms since t0. */
  fromWall(date: Date | number): number;
}

export function createClock(): Clock {
  const t0 = performance.now();
  const wall0 = Date.now();
  return {
    now: () => performance.now() - t0,
    startedAt: new Date(wall0),
    fromWall: (date) => (typeof date === 'number' ? date : date.getTime()) - wall0,
  };
}
