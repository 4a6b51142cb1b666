/**
 * HPA normalization (stabilization, rate policies, min/max) against upstream horizontal.go
 * semantics, including its edge cases: strict window edges, outdated scale events being reused,
 * Percent rounding up on scale-up and truncating on scale-down, and the legacy no-behavior path.
 */
import { describe, expect, it } from 'vitest';
import {
  completeBehavior,
  newHistory,
  normalizeDesiredReplicas,
  recordInitialRecommendation,
  recordScaleEvent,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  type Behavior,
  type CompleteRules,
  type ScaleEvent,
} from '../../infra-fixtures/local-cluster/controllers/hpa/behavior.ts';
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimit,
  calculateScaleUpLimitWithScalingRules,
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  replicasChangePerPeriod,
} from '../../infra-fixtures/local-cluster/controllers/hpa/rates.ts';

const T = 1_700_000_000_000;
const s = (n: number) => n * 1000;
const defaults = completeBehavior({}, s(300));
const rules = (r: Partial<CompleteRules>, base: CompleteRules = defaults.scaleUp): CompleteRules => ({
  ...base,
  ...r,
});
const ev = (change: number, agoS: number, outdated = false): ScaleEvent => ({
  change,
  at: T - s(agoS),
  outdated,
});

describe('behavior defaults', () => {
  it('fills upstream defaults for a present behavior and uses the controller window for scale-down', () => {
    expect(defaults.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    expect(defaults.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    const partial = completeBehavior(
      { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      s(120),
    );
    expect(partial.scaleDown.stabilizationWindowSeconds).toBe(120);
    expect(partial.scaleDown.selectPolicy).toBe('Max');
    expect(partial.scaleUp).toEqual(defaults.scaleUp);
  });
});

describe('scale rate limits', () => {
  it('default scale-up allows max(current+4, 2×current) per 15 s', () => {
    expect(calculateScaleUpLimitWithScalingRules(3, [], [], defaults.scaleUp, T)).toBe(7);
    expect(calculateScaleUpLimitWithScalingRules(10, [], [], defaults.scaleUp, T)).toBe(20);
    expect(calculateScaleUpLimitWithScalingRules(0, [], [], defaults.scaleUp, T)).toBe(4);
  });

  it('counts changes within each policy period from the period start', () => {
    // 7 now, +4 ten seconds ago: the period started at 3, so still at most 7.
    expect(calculateScaleUpLimitWithScalingRules(7, [ev(4, 10)], [], defaults.scaleUp, T)).toBe(7);
    // A scale-down inside the period raises the start again.
    expect(calculateScaleUpLimitWithScalingRules(5, [ev(4, 10)], [ev(2, 5)], defaults.scaleUp, T)).toBe(7);
    // Exactly at the period edge an event no longer counts (strictly after the cutoff).
    expect(replicasChangePerPeriod(15, [ev(4, 15)], T)).toBe(0);
    expect(replicasChangePerPeriod(15, [ev(4, 14.999)], T)).toBe(4);
  });

  it('Percent rounds up on scale-up and truncates on scale-down', () => {
    const up = rules({ policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] });
    expect(calculateScaleUpLimitWithScalingRules(3, [], [], up, T)).toBe(4); // ceil(3.3)
    const down = rules({ policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }, defaults.scaleDown);
    expect(calculateScaleDownLimitWithBehaviors(30, [], [], down, T)).toBe(27);
    expect(calculateScaleDownLimitWithBehaviors(5, [], [], down, T)).toBe(4); // trunc(4.5)
  });

  it('selectPolicy Max/Min/Disabled pick the largest, the smallest or no change', () => {
    const policies = [
      { type: 'Percent' as const, value: 10, periodSeconds: 60 },
      { type: 'Pods' as const, value: 1, periodSeconds: 60 },
    ];
    const down = (selectPolicy: CompleteRules['selectPolicy']) =>
      calculateScaleDownLimitWithBehaviors(
        30,
        [],
        [],
        rules({ policies, selectPolicy }, defaults.scaleDown),
        T,
      );
    expect(down('Max')).toBe(27); // "10% or 1 pod per 60 s" from 30
    expect(down('Min')).toBe(29);
    expect(down('Disabled')).toBe(30);
    const up = (selectPolicy: CompleteRules['selectPolicy']) =>
      calculateScaleUpLimitWithScalingRules(3, [], [], rules({ selectPolicy }), T);
    expect(up('Max')).toBe(7);
    expect(up('Min')).toBe(6);
    expect(up('Disabled')).toBe(3);
  });

  it('with no policies the int32 extremes leak through as upstream', () => {
    expect(calculateScaleUpLimitWithScalingRules(3, [], [], rules({ policies: [] }), T)).toBe(-2147483648);
    expect(
      calculateScaleUpLimitWithScalingRules(3, [], [], rules({ policies: [], selectPolicy: 'Min' }), T),
    ).toBe(2147483647);
  });

  it('convertDesiredReplicasWithBehaviorRate reports which bound applied', () => {
    const base = { min: 1, max: 100, scaleUp: defaults.scaleUp, scaleDown: defaults.scaleDown, now: T };
    const h = newHistory();
    expect(convertDesiredReplicasWithBehaviorRate(h, { ...base, current: 3, desired: 20 })).toMatchObject({
      replicas: 7,
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
    expect(
      convertDesiredReplicasWithBehaviorRate(h, { ...base, current: 3, desired: 20, max: 5 }),
    ).toMatchObject({
      replicas: 5,
      reason: 'TooManyReplicas',
    });
    expect(convertDesiredReplicasWithBehaviorRate(h, { ...base, current: 3, desired: 5 })).toMatchObject({
      replicas: 5,
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    });
    const slowDown = rules({ policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, defaults.scaleDown);
    expect(
      convertDesiredReplicasWithBehaviorRate(h, { ...base, scaleDown: slowDown, current: 5, desired: 1 }),
    ).toMatchObject({
      replicas: 4,
      reason: 'ScaleDownLimit',
      message: 'the desired replica count is decreasing faster than the maximum scale rate',
    });
    expect(
      convertDesiredReplicasWithBehaviorRate(h, { ...base, min: 3, current: 5, desired: 1 }),
    ).toMatchObject({
      replicas: 3,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    });
    // A scale-up limit below current (recent big scale-down undone) holds at current.
    const hist = newHistory();
    hist.scaleUpEvents.push(ev(10, 5));
    expect(
      convertDesiredReplicasWithBehaviorRate(hist, {
        ...base,
        scaleUp: rules({ policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }),
        current: 4,
        desired: 9,
      }),
    ).toMatchObject({ replicas: 4, reason: 'ScaleUpLimit' });
  });
});

describe('stabilization', () => {
  it('legacy path keeps the max recommendation within the downscale window and reuses a stale slot', () => {
    const h = newHistory();
    h.recommendations.push({ replicas: 6, at: T - s(400) }, { replicas: 4, at: T - s(100) });
    expect(stabilizeRecommendation(h, 2, T, s(300))).toBe(4);
    expect(h.recommendations).toEqual([
      { replicas: 2, at: T },
      { replicas: 4, at: T - s(100) },
    ]);
    // A sample exactly at the cutoff is still inside the window.
    const edge = newHistory();
    edge.recommendations.push({ replicas: 9, at: T - s(300) });
    expect(stabilizeRecommendation(edge, 2, T, s(300))).toBe(9);
  });

  it('behavior path clamps between the min over the up window and the max over the down window', () => {
    const h = newHistory();
    h.recommendations.push({ replicas: 5, at: T - s(100) }, { replicas: 3, at: T - s(50) });
    const down = stabilizeRecommendationWithBehaviors(h, {
      current: 5,
      desired: 2,
      scaleUp: defaults.scaleUp,
      scaleDown: defaults.scaleDown,
      now: T,
    });
    expect(down).toEqual({
      replicas: 5,
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(h.recommendations).toHaveLength(3);

    const h2 = newHistory();
    h2.recommendations.push({ replicas: 2, at: T - s(30) });
    const up = stabilizeRecommendationWithBehaviors(h2, {
      current: 2,
      desired: 6,
      scaleUp: rules({ stabilizationWindowSeconds: 60 }),
      scaleDown: defaults.scaleDown,
      now: T,
    });
    expect(up).toMatchObject({ replicas: 2, reason: 'ScaleUpStabilized' });
    // The up window is 0 s by default: a fresh recommendation wins at once.
    expect(
      stabilizeRecommendationWithBehaviors(newHistory(), {
        current: 2,
        desired: 6,
        scaleUp: defaults.scaleUp,
        scaleDown: defaults.scaleDown,
        now: T,
      }).replicas,
    ).toBe(6);
  });

  it('only a sample outside both windows is replaced', () => {
    const h = newHistory();
    h.recommendations.push({ replicas: 8, at: T - s(200) }, { replicas: 7, at: T - s(400) });
    stabilizeRecommendationWithBehaviors(h, {
      current: 5,
      desired: 5,
      scaleUp: defaults.scaleUp,
      scaleDown: defaults.scaleDown,
      now: T,
    });
    expect(h.recommendations).toEqual([
      { replicas: 8, at: T - s(200) },
      { replicas: 5, at: T },
    ]);
  });
});

describe('legacy rules (no behavior)', () => {
  it('limits a step to max(2×current, 4) and clamps to min/max', () => {
    expect(calculateScaleUpLimit(1)).toBe(4);
    expect(calculateScaleUpLimit(3)).toBe(6);
    expect(convertDesiredReplicasWithRules(3, 10, 1, 20)).toMatchObject({
      replicas: 6,
      reason: 'ScaleUpLimit',
    });
    expect(convertDesiredReplicasWithRules(5, 12, 1, 8)).toMatchObject({
      replicas: 8,
      reason: 'TooManyReplicas',
    });
    expect(convertDesiredReplicasWithRules(5, 1, 2, 8)).toMatchObject({
      replicas: 2,
      reason: 'TooFewReplicas',
    });
    expect(convertDesiredReplicasWithRules(5, 7, 2, 8)).toMatchObject({
      replicas: 7,
      reason: 'DesiredWithinRange',
    });
  });
});

describe('normalizeDesiredReplicas', () => {
  const input = {
    currentReplicas: 3,
    desiredReplicas: 20,
    minReplicas: 1,
    maxReplicas: 50,
    now: T,
    downscaleStabilizationWindowMs: s(300),
  };

  it('legacy: ScalingLimited True with ScaleUpLimit when the rate cut the recommendation', () => {
    const h = newHistory();
    recordInitialRecommendation(h, 3, T);
    expect(normalizeDesiredReplicas(h, input)).toEqual({
      replicas: 6,
      ableToScale: { reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      scalingLimited: {
        status: 'True',
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      },
    });
  });

  it('legacy: a scale-down is held by the 5-minute window, then allowed', () => {
    const h = newHistory();
    recordInitialRecommendation(h, 6, T);
    const held = normalizeDesiredReplicas(h, {
      ...input,
      currentReplicas: 6,
      desiredReplicas: 2,
      now: T + s(15),
    });
    expect(held.replicas).toBe(6);
    expect(held.ableToScale.reason).toBe('ScaleDownStabilized');
    expect(held.scalingLimited.status).toBe('False');
    const later = normalizeDesiredReplicas(h, {
      ...input,
      currentReplicas: 6,
      desiredReplicas: 2,
      now: T + s(301),
    });
    expect(later.replicas).toBe(2);
  });

  it('behavior: stabilized and rate-limited like upstream, with the right conditions', () => {
    const behavior: Behavior = {
      scaleUp: {
        policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
        selectPolicy: 'Max',
        stabilizationWindowSeconds: 0,
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }],
      },
    };
    const h = newHistory();
    recordInitialRecommendation(h, 3, T);
    const up = normalizeDesiredReplicas(h, { ...input, behavior });
    expect(up.replicas).toBe(5);
    expect(up.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    recordScaleEvent(h, behavior, 3, 5, T, s(300));
    // 30 s later still within the 60 s period: 3 + 2 already used.
    const again = normalizeDesiredReplicas(h, { ...input, currentReplicas: 5, now: T + s(30), behavior });
    expect(again.replicas).toBe(5);
    const later = normalizeDesiredReplicas(h, { ...input, currentReplicas: 5, now: T + s(61), behavior });
    expect(later.replicas).toBe(7);
    // Down: the max over the last 60 s (20) holds the count.
    const down = normalizeDesiredReplicas(h, {
      ...input,
      currentReplicas: 7,
      desiredReplicas: 1,
      now: T + s(90),
      behavior,
    });
    expect(down.replicas).toBe(7);
    expect(down.ableToScale.reason).toBe('ScaleDownStabilized');
    const after = normalizeDesiredReplicas(h, {
      ...input,
      currentReplicas: 7,
      desiredReplicas: 1,
      now: T + s(200),
      behavior,
    });
    // 50 % of 7 per 30 s truncates to 3.
    expect(after).toMatchObject({
      replicas: 3,
      scalingLimited: { status: 'True', reason: 'ScaleDownLimit' },
    });
  });
});

describe('scale events', () => {
  it('are recorded only with a behavior, and outdated ones are reused', () => {
    const h = newHistory();
    recordScaleEvent(h, undefined, 1, 4, T, s(300));
    expect(h.scaleUpEvents).toEqual([]);
    const behavior: Behavior = { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] } };
    recordScaleEvent(h, behavior, 1, 4, T, s(300));
    recordScaleEvent(h, behavior, 4, 6, T + s(30), s(300));
    expect(h.scaleUpEvents.map((e) => e.change)).toEqual([3, 2]);
    recordScaleEvent(h, behavior, 6, 9, T + s(120), s(300));
    expect(h.scaleUpEvents).toEqual([
      { change: 3, at: T, outdated: true },
      { change: 3, at: T + s(120), outdated: false },
    ]);
    recordScaleEvent(h, behavior, 9, 5, T + s(130), s(300));
    expect(h.scaleDownEvents).toEqual([{ change: 4, at: T + s(130), outdated: false }]);
  });
});
