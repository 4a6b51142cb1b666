/**
 * The scale rate rules of the HPA (upstream horizontal.go): the legacy `max(2×current, 4)` step of
 * HPAs without `behavior`, and the Pods/Percent policies per period of `behavior.scaleUp/scaleDown`
 * with selectPolicy Max/Min/Disabled. Pure; time is epoch milliseconds.
 */

export type PolicyType = 'Pods' | 'Percent';
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingPolicy {
  type: PolicyType;
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: SelectPolicy;
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export type CompleteRules = Required<ScalingRules>;

export interface Recommendation {
  replicas: number;
  at: number;
}

export interface ScaleEvent {
  /** Absolute size of the change, never negative. */
  change: number;
  at: number;
  outdated: boolean;
}

/** What the controller remembers per HPA between syncs (upstream keeps the same three lists). */
export interface AutoscalerHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface LimitCondition {
  reason: string;
  message: string;
}

// Upstream starts its policy fold from the int32 extremes; with no policies they leak through.
const kMaxInt32 = 2147483647;
const kMinInt32 = -2147483648;

export const kScaleUpLimitFactor = 2.0;
export const kScaleUpLimitMinimum = 4.0;

const kWithinRange: LimitCondition = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};

/** Legacy rate rule: never more than max(2×current, 4) in one step. */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(kScaleUpLimitFactor * currentReplicas, kScaleUpLimitMinimum));
}

export function convertDesiredReplicasWithRules(
  current: number,
  desired: number,
  min: number,
  max: number,
): { replicas: number } & LimitCondition {
  const scaleUpLimit = calculateScaleUpLimit(current);
  let maximumAllowed: number;
  let limit: LimitCondition;
  if (max > scaleUpLimit) {
    maximumAllowed = scaleUpLimit;
    limit = {
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    };
  } else {
    maximumAllowed = max;
    limit = {
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };
  }
  if (desired < min)
    return {
      replicas: min,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  if (desired > maximumAllowed) return { replicas: maximumAllowed, ...limit };
  return { replicas: desired, ...kWithinRange };
}

/** Sum of the changes recorded strictly after `now - period`. */
export function replicasChangePerPeriod(
  periodSeconds: number,
  events: readonly ScaleEvent[],
  now: number,
): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((n, e) => (e.at > cutoff ? n + e.change : n), 0);
}

/** The replica count at the start of a policy's period: what its limit is measured from. */
function replicasAtPeriodStart(
  current: number,
  periodSeconds: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  now: number,
): number {
  return (
    current -
    replicasChangePerPeriod(periodSeconds, upEvents, now) +
    replicasChangePerPeriod(periodSeconds, downEvents, now)
  );
}

export function calculateScaleUpLimitWithScalingRules(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: CompleteRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? kMaxInt32 : kMinInt32;
  for (const policy of rules.policies) {
    const start = replicasAtPeriodStart(current, policy.periodSeconds, upEvents, downEvents, now);
    // Percent rounds up so that a small percentage can still add a pod.
    const proposed =
      policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export function calculateScaleDownLimitWithBehaviors(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: CompleteRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  // For scale-down the smallest change ('Min') is the largest resulting count.
  const pickLargest = rules.selectPolicy === 'Min';
  let result = pickLargest ? kMinInt32 : kMaxInt32;
  for (const policy of rules.policies) {
    const start = replicasAtPeriodStart(current, policy.periodSeconds, upEvents, downEvents, now);
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pickLargest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export function convertDesiredReplicasWithBehaviorRate(
  history: AutoscalerHistory,
  args: {
    current: number;
    desired: number;
    min: number;
    max: number;
    scaleUp: CompleteRules;
    scaleDown: CompleteRules;
    now: number;
  },
): { replicas: number } & LimitCondition {
  const { current, desired, now } = args;
  if (desired > current) {
    let scaleUpLimit = calculateScaleUpLimitWithScalingRules(
      current,
      history.scaleUpEvents,
      history.scaleDownEvents,
      args.scaleUp,
      now,
    );
    // Until older scale-ups leave the period, do not go further.
    if (scaleUpLimit < current) scaleUpLimit = current;
    let maximumAllowed = args.max;
    let limit: LimitCondition;
    if (maximumAllowed > scaleUpLimit) {
      maximumAllowed = scaleUpLimit;
      limit = {
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      };
    } else {
      limit = {
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      };
    }
    if (desired > maximumAllowed) return { replicas: maximumAllowed, ...limit };
  } else if (desired < current) {
    let scaleDownLimit = calculateScaleDownLimitWithBehaviors(
      current,
      history.scaleUpEvents,
      history.scaleDownEvents,
      args.scaleDown,
      now,
    );
    if (scaleDownLimit > current) scaleDownLimit = current;
    let minimumAllowed = args.min;
    let limit: LimitCondition;
    if (minimumAllowed < scaleDownLimit) {
      minimumAllowed = scaleDownLimit;
      limit = {
        reason: 'ScaleDownLimit',
        message: 'the desired replica count is decreasing faster than the maximum scale rate',
      };
    } else {
      limit = {
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    }
    if (desired < minimumAllowed) return { replicas: minimumAllowed, ...limit };
  }
  return { replicas: desired, ...kWithinRange };
}
