/**
 * How a raw metric recommendation becomes the replica count the HPA writes: stabilization windows,
 * scale rate limits and min/max clamping, mirroring kube-controller-manager's horizontal.go
 * (`normalizeDesiredReplicas` for HPAs without `spec.behavior`, `normalizeDesiredReplicasWithBehaviors`
 * otherwise). Pure: all state lives in the `AutoscalerHistory` the caller keeps per HPA, and time is
 * passed in as epoch milliseconds, so every rule can be tested without a store or a clock.
 *
 * Comparisons keep upstream's strictness (`After`/`Before` are strict), so a sample exactly at a
 * window's edge behaves as it does in the real controller.
 */
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  type AutoscalerHistory,
  type Behavior,
  type CompleteRules,
  type LimitCondition,
  type ScaleEvent,
  type ScalingPolicy,
} from './rates.ts';

export type {
  AutoscalerHistory,
  Behavior,
  CompleteRules,
  LimitCondition,
  PolicyType,
  Recommendation,
  ScaleEvent,
  ScalingPolicy,
  ScalingRules,
  SelectPolicy,
} from './rates.ts';

export interface Normalized {
  replicas: number;
  /** Reason/message for AbleToScale=True (ReadyForNewScale, ScaleUpStabilized, ScaleDownStabilized). */
  ableToScale: LimitCondition;
  /** ScalingLimited: True when the rate or min/max bound changed the stabilized recommendation. */
  scalingLimited: LimitCondition & { status: 'True' | 'False' };
}

export interface NormalizeInput {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: Behavior | null;
  now: number;
  /** The controller-wide window used without `behavior` (and for a scaleDown without its own window). */
  downscaleStabilizationWindowMs: number;
}

const kDefaultScaleUp: CompleteRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

const kDefaultScaleDownPolicies: ScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

export function newHistory(): AutoscalerHistory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** API-server defaulting of a present `behavior` (GenerateHPAScale{Up,Down}Rules), plus the controller's scale-down window. */
export function completeBehavior(
  behavior: Behavior,
  downscaleStabilizationWindowMs: number,
): { scaleUp: CompleteRules; scaleDown: CompleteRules } {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? kDefaultScaleUp.stabilizationWindowSeconds,
      selectPolicy: up.selectPolicy ?? kDefaultScaleUp.selectPolicy,
      policies: up.policies ?? kDefaultScaleUp.policies,
    },
    scaleDown: {
      stabilizationWindowSeconds:
        down.stabilizationWindowSeconds ?? Math.trunc(downscaleStabilizationWindowMs / 1000),
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? kDefaultScaleDownPolicies,
    },
  };
}

export function recordInitialRecommendation(history: AutoscalerHistory, current: number, now: number): void {
  if (!history.recommendations.length) history.recommendations.push({ replicas: current, at: now });
}

/** Legacy (no behavior): the max recommendation within the downscale window; replaces one stale sample. */
export function stabilizeRecommendation(
  history: AutoscalerHistory,
  desired: number,
  now: number,
  windowMs: number,
): number {
  let max = desired;
  let oldIndex = -1;
  const cutoff = now - windowMs;
  history.recommendations.forEach((rec, i) => {
    if (rec.at < cutoff) oldIndex = i;
    else if (rec.replicas > max) max = rec.replicas;
  });
  const sample = { replicas: desired, at: now };
  if (oldIndex >= 0) history.recommendations[oldIndex] = sample;
  else history.recommendations.push(sample);
  return max;
}

/** Behavior path: clamp between the min over the scale-up window and the max over the scale-down window. */
export function stabilizeRecommendationWithBehaviors(
  history: AutoscalerHistory,
  args: { current: number; desired: number; scaleUp: CompleteRules; scaleDown: CompleteRules; now: number },
): { replicas: number } & LimitCondition {
  const { current, desired, now } = args;
  let upRecommendation = desired;
  let downRecommendation = desired;
  const upCutoff = now - args.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - args.scaleDown.stabilizationWindowSeconds * 1000;
  let oldIndex = -1;
  history.recommendations.forEach((rec, i) => {
    if (rec.at > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.at > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.at < upCutoff && rec.at < downCutoff) oldIndex = i;
  });
  let recommendation = current;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  const sample = { replicas: desired, at: now };
  if (oldIndex >= 0) history.recommendations[oldIndex] = sample;
  else history.recommendations.push(sample);
  return desired >= current
    ? {
        replicas: recommendation,
        reason: 'ScaleUpStabilized',
        message:
          'recent recommendations were lower than current one, applying the lowest recent recommendation',
      }
    : {
        replicas: recommendation,
        reason: 'ScaleDownStabilized',
        message:
          'recent recommendations were higher than current one, applying the highest recent recommendation',
      };
}

const kReadyForNewScale: LimitCondition = {
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};

/** The whole normalization step of one reconcile; records the recommendation in `history`. */
export function normalizeDesiredReplicas(history: AutoscalerHistory, input: NormalizeInput): Normalized {
  const { currentReplicas: current, desiredReplicas: desired, now } = input;
  if (!input.behavior) {
    const stabilized = stabilizeRecommendation(history, desired, now, input.downscaleStabilizationWindowMs);
    const ableToScale =
      stabilized !== desired
        ? {
            reason: 'ScaleDownStabilized',
            message:
              'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
        : kReadyForNewScale;
    const converted = convertDesiredReplicasWithRules(
      current,
      stabilized,
      input.minReplicas,
      input.maxReplicas,
    );
    return {
      replicas: converted.replicas,
      ableToScale,
      scalingLimited: {
        status: converted.replicas === stabilized ? 'False' : 'True',
        reason: converted.reason,
        message: converted.message,
      },
    };
  }
  const { scaleUp, scaleDown } = completeBehavior(input.behavior, input.downscaleStabilizationWindowMs);
  const stabilized = stabilizeRecommendationWithBehaviors(history, {
    current,
    desired,
    scaleUp,
    scaleDown,
    now,
  });
  const ableToScale =
    stabilized.replicas !== desired
      ? { reason: stabilized.reason, message: stabilized.message }
      : kReadyForNewScale;
  const converted = convertDesiredReplicasWithBehaviorRate(history, {
    current,
    desired: stabilized.replicas,
    min: input.minReplicas,
    max: input.maxReplicas,
    scaleUp,
    scaleDown,
    now,
  });
  return {
    replicas: converted.replicas,
    ableToScale,
    scalingLimited: {
      status: converted.replicas === stabilized.replicas ? 'False' : 'True',
      reason: converted.reason,
      message: converted.message,
    },
  };
}

function longestPolicyPeriod(rules: CompleteRules): number {
  return rules.policies.reduce((n, p) => Math.max(n, p.periodSeconds), 0);
}

/**
 * Remembers a successful rescale for the rate policies (behavior HPAs only, as upstream): events
 * older than the longest policy period are marked outdated and the last of them is reused.
 */
export function recordScaleEvent(
  history: AutoscalerHistory,
  behavior: Behavior | null | undefined,
  prev: number,
  next: number,
  now: number,
  downscaleStabilizationWindowMs: number,
): void {
  if (!behavior) return;
  const rules = completeBehavior(behavior, downscaleStabilizationWindowMs);
  const up = next > prev;
  const events = up ? history.scaleUpEvents : history.scaleDownEvents;
  const cutoff = now - longestPolicyPeriod(up ? rules.scaleUp : rules.scaleDown) * 1000;
  let oldIndex = -1;
  events.forEach((e, i) => {
    if (e.at < cutoff) e.outdated = true;
    if (e.outdated) oldIndex = i;
  });
  const event: ScaleEvent = { change: Math.abs(next - prev), at: now, outdated: false };
  if (oldIndex >= 0) events[oldIndex] = event;
  else events.push(event);
}
