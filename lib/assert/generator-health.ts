import type { Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { Assertion } from './assertion.ts';
import { fmt, pct } from './compare.ts';

export interface GeneratorHealthLimits {
  /** Dropped requests, percent of intended. */
  readonly maxDroppedPct: number;
  /** p99 of how late requests left after their intended time. */
  readonly maxScheduleLagP99Ms: number;
}

export const defaultGeneratorLimits: GeneratorHealthLimits = { maxDroppedPct: 0.1, maxScheduleLagP99Ms: 50 };

/**
 * Is the load the scenario asked for the load the target got? When not, the run is invalid: its
 * SLA verdicts say as much about the generator as about the target, so the run must not be read
 * as the target's pass or failure.
 */
export function generatorHealthAssertion(limits: GeneratorHealthLimits = defaultGeneratorLimits): Assertion {
  return {
    name: 'generator-health',
    evaluate(t: RunTimeline): Verdict {
      const r = t.load.requests;
      const droppedPct = pct(r.dropped, r.intended);
      const lag = t.load.scheduleLagMs.p99;
      const problems: string[] = [];
      if (droppedPct > limits.maxDroppedPct) {
        problems.push(
          `${r.dropped} of ${r.intended} requests dropped (${fmt(droppedPct, 3)} %): the in-flight cap was reached or the generator fell behind; raise options.maxInFlight or lower the rate`,
        );
      }
      if (lag !== null && lag > limits.maxScheduleLagP99Ms) {
        problems.push(
          `schedule lag p99 ${fmt(lag)} ms: the generator could not keep the schedule (CPU-bound?)`,
        );
      }
      return {
        name: this.name,
        claim: `dropped ≤ ${limits.maxDroppedPct} % of intended and schedule lag p99 ≤ ${limits.maxScheduleLagP99Ms} ms`,
        observed: problems.length
          ? problems.join('; ')
          : `${r.dropped} dropped of ${r.intended}; schedule lag p99 ${lag === null ? 'n/a' : `${fmt(lag)} ms`}`,
        pass: problems.length === 0,
        window: { start: 0, end: t.durationS },
        evidence: { dropped: r.dropped, intended: r.intended, scheduleLagMs: t.load.scheduleLagMs },
      };
    },
  };
}
