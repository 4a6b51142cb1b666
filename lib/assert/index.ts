import type { Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { ResolvedScenario } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { generatorHealthAssertion } from './generator-health.ts';
import { slaAssertion } from './sla.ts';
import { verifyAssertions } from './verify.ts';

export type { Assertion } from './assertion.ts';
export { slaAssertion, slaObserved } from './sla.ts';
export { generatorHealthAssertion, defaultGeneratorLimits } from './generator-health.ts';
export { zeroDowntimeAssertion, type ZeroDowntimeOptions } from './zero-downtime.ts';
export { recoveryTimeAssertion } from './recovery.ts';
export { autoscalingAssertions, directionChanges } from './autoscaling.ts';
export { preflightAssertions, preflightVerdicts, type PreflightOptions } from './preflight.ts';
export { detectLoadDrop, detectLoadStep } from './load-steps.ts';
export { attribute, causesOf, defaultCauseKinds, type Attribution, type Cause } from './attribution.ts';
export { verifyAssertions } from './verify.ts';
export {
  alertDetectionVerification,
  kMonitoringEventKind,
  monitoringEvent,
  readMonitoring,
  type MonitoringDetail,
} from './detection-verify.ts';

export function assertionsFor(scenario: ResolvedScenario): Assertion[] {
  return [
    generatorHealthAssertion(),
    ...scenario.slas.map(slaAssertion),
    ...scenario.verify.flatMap(verifyAssertions),
  ];
}

export interface Judgement {
  readonly verdicts: Verdict[];
  /** The generator produced the intended load; otherwise SLA verdicts are inconclusive. */
  readonly valid: boolean;
  readonly pass: boolean;
}

/** Evaluate every assertion; an invalid run marks the target's verdicts inconclusive, not failed on the target. */
export function judge(assertions: readonly Assertion[], timeline: RunTimeline): Judgement {
  const verdicts = assertions.map((a) => a.evaluate(timeline));
  const health = verdicts.find((v) => v.name === 'generator-health');
  const valid = health ? health.pass : true;
  const marked = verdicts.map((v, i) =>
    !valid && v !== health && !v.pass && !assertions[i]?.loadIndependent ? { ...v, inconclusive: true } : v,
  );
  return { verdicts: marked, valid, pass: valid && marked.every((v) => v.pass) };
}
