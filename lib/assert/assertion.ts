import type { RunTimeline } from '../result/timeline.ts';
import type { Verdict } from '../result/schema.ts';

/** A verdict source: a pure function of the run's timeline. */
export interface Assertion {
  readonly name: string;
  /**
   * The verdict does not depend on the load (e.g. preflight judges the cluster before it), so an
   * invalid run (the generator fell short) does not make it inconclusive.
   */
  readonly loadIndependent?: boolean;
  evaluate(timeline: RunTimeline): Verdict;
}
