import type { RunTimeline } from '../result/timeline.ts';
import type { Verdict } from '../result/schema.ts';

/** A verdict source: a pure function of the run's timeline. */
export interface Assertion {
  readonly name: string;
  evaluate(timeline: RunTimeline): Verdict;
}
