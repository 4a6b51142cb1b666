import { describe, expect, it } from 'vitest';
import { autoscalingAssertions, directionChanges } from '../../lib/assert/autoscaling.ts';
import { detectLoadDrop, detectLoadStep } from '../../lib/assert/load-steps.ts';
import type { Verdict } from '../../lib/result/schema.ts';
import type { RunTimeline } from '../../lib/result/timeline.ts';
import type { ResolvedAutoscaling } from '../../lib/scenario/resolved.ts';
import { gauge, steady, syntheticTimeline } from './synthetic.ts';

const cfg = (o: Partial<ResolvedAutoscaling> = {}): ResolvedAutoscaling => ({
  kind: 'autoscaling',
  source: { gauge: 'auto', labels: {} },
  loadStepS: null,
  loadDropS: null,
  scaleUpWithinMs: null,
  minPeak: null,
  maxDirectionChanges: null,
  scaleDown: null,
  ...o,
});

const judge = (c: ResolvedAutoscaling, t: RunTimeline): Verdict[] =>
  autoscalingAssertions(c).map((a) => a.evaluate(t));
const one = (c: ResolvedAutoscaling, t: RunTimeline): Verdict => judge(c, t)[0] as Verdict;

/** 50 req/s for 30 s, 150 req/s for 60 s, 50 req/s for 60 s. */
const load = () => [...steady(30, 50, 5), ...steady(60, 150, 5), ...steady(60, 50, 5)];

const healthyHpa = gauge('hpa.desired', { hpa: 'api' }, [
  [0, 3],
  [42, 5],
  [55, 6],
  [100, 5],
  [130, 3],
]);

describe('load steps from the intended rate', () => {
  it('finds the step up and the drop', () => {
    const { series } = syntheticTimeline(load());
    expect(detectLoadStep(series)).toBe(30);
    expect(detectLoadDrop(series, 31)).toBe(90);
  });
  it('does not take the start of the load, a steady load or a slow ramp for a step', () => {
    const start = syntheticTimeline([{}, {}, ...steady(20, 100, 5)]);
    expect(detectLoadStep(start.series)).toBeNull();
    const ramp = Array.from({ length: 40 }, (_, i) => ({ latencies: Array(100 + i).fill(5) }));
    expect(detectLoadStep(syntheticTimeline(ramp).series)).toBeNull();
  });
  it('finds the point a fast ramp has risen by half', () => {
    const ramp = [
      ...steady(10, 100, 5),
      ...Array.from({ length: 10 }, (_, i) => ({ latencies: Array(100 + 25 * (i + 1)).fill(5) })),
    ];
    // 125, 150: the second ramp second is 1.5 × the median of the 10 s before.
    expect(detectLoadStep(syntheticTimeline(ramp).series)).toBe(11);
  });
  it('finds a drop to zero', () => {
    const { series } = syntheticTimeline([...steady(20, 100, 5), {}, {}]);
    expect(detectLoadDrop(series)).toBe(20);
  });
});

describe('direction changes', () => {
  it('counts turns, not steps in one direction', () => {
    const pts = (vs: number[]) => vs.map((value, t) => ({ t, value }));
    expect(directionChanges(pts([3, 4, 5, 6])).changes).toBe(0);
    expect(directionChanges(pts([3, 5, 6, 5, 3])).changes).toBe(1);
    expect(directionChanges(pts([3, 5, 4, 5, 4, 3]))).toEqual({ changes: 3, turns: [2, 3, 4] });
  });
});

describe('autoscaling', () => {
  const t = syntheticTimeline(load(), { gauges: healthyHpa });

  it('yields one verdict per check asked for', () => {
    const all = cfg({
      scaleUpWithinMs: 60_000,
      minPeak: 6,
      maxDirectionChanges: 2,
      scaleDown: { to: 3, withinMs: 300_000 },
    });
    const vs = judge(all, t);
    expect(vs.map((v) => [v.name, v.pass])).toEqual([
      ['autoscaling.scale-up', true],
      ['autoscaling.peak', true],
      ['autoscaling.flapping', true],
      ['autoscaling.scale-down', true],
    ]);
    expect(vs[0]?.observed).toBe('hpa.desired rose 3 → 5 at 42 s, 12 s after the load step at 30 s');
    expect(vs[1]?.observed).toBe('peak hpa.desired 6 (first at 55 s)');
    expect(vs[2]?.observed).toBe('1 direction change (hpa.desired: 3 → 5 → 6 → 5 → 3)');
    expect(vs[3]?.observed).toBe('hpa.desired at 3 (≤ 3) 40 s after the load drop at 90 s');
    expect(autoscalingAssertions(cfg())).toEqual([]);
  });

  it('fails a slow scale-up, a low peak, flapping and a slow scale-down', () => {
    expect(one(cfg({ scaleUpWithinMs: 10_000 }), t)).toMatchObject({ pass: false, evidence: { delayS: 12 } });
    expect(one(cfg({ minPeak: 7 }), t).pass).toBe(false);
    const flappy = syntheticTimeline(load(), {
      gauges: gauge('hpa.desired', { hpa: 'api' }, [
        [0, 3],
        [40, 6],
        [50, 4],
        [60, 6],
        [70, 4],
      ]),
    });
    const f = one(cfg({ maxDirectionChanges: 2 }), flappy);
    expect(f).toMatchObject({
      pass: false,
      observed: '3 direction changes (hpa.desired: 3 → 6 → 4 → 6 → 4)',
    });
    expect(f.evidence).toMatchObject({ turnsAt: [50, 60, 70] });
    const down = one(cfg({ scaleDown: { to: 3, withinMs: 30_000 } }), t);
    expect(down).toMatchObject({ pass: false, evidence: { delayS: 40 } });
  });

  it('fails an HPA that never scales, once the limit has passed', () => {
    const stuck = syntheticTimeline(load(), { gauges: gauge('hpa.desired', { hpa: 'api' }, [[0, 3]]) });
    const v = one(cfg({ scaleUpWithinMs: 60_000 }), stuck);
    expect(v).toMatchObject({
      pass: false,
      observed: 'hpa.desired stayed at 3 for the 120 s after the load step at 30 s',
    });
    expect(v.inconclusive).toBeUndefined();
    expect(one(cfg({ minPeak: 4 }), stuck)).toMatchObject({
      pass: false,
      observed: 'peak hpa.desired 3 (first at 0 s)',
    });
    const down = one(cfg({ scaleDown: { to: 2, withinMs: 30_000 } }), stuck);
    expect(down).toMatchObject({
      pass: false,
      observed: 'hpa.desired still 3 (> 2) 60 s after the load drop at 90 s',
    });
  });

  it('is inconclusive when the run ended before the limit passed', () => {
    const short = syntheticTimeline(load().slice(0, 50), {
      gauges: gauge('hpa.desired', { hpa: 'api' }, [[0, 3]]),
    });
    expect(one(cfg({ scaleUpWithinMs: 60_000 }), short)).toMatchObject({
      pass: false,
      inconclusive: true,
      observed: 'hpa.desired stayed at 3, but the run ended 20 s after the load step at 30 s',
    });
    expect(
      one(
        cfg({ scaleDown: { to: 3, withinMs: 300_000 } }),
        syntheticTimeline(load(), { gauges: gauge('hpa.desired', {}, [[0, 6]]) }),
      ),
    ).toMatchObject({
      inconclusive: true,
    });
  });

  it('is inconclusive without replica gauges or a load step', () => {
    const none = one(cfg({ minPeak: 2 }), syntheticTimeline(load()));
    expect(none).toMatchObject({
      inconclusive: true,
      observed: 'no deployment.desired observed in this run',
    });
    const flat = syntheticTimeline(steady(60, 50, 5), { gauges: healthyHpa });
    const v = one(cfg({ scaleUpWithinMs: 60_000 }), flat);
    expect(v).toMatchObject({
      inconclusive: true,
      observed: expect.stringMatching(/no load step found.*give loadStepAt/),
    });
    expect(one(cfg({ scaleDown: { to: 3, withinMs: 1000 } }), flat)).toMatchObject({
      inconclusive: true,
      observed: expect.stringMatching(/no load drop found/),
    });
  });

  it('takes the step and drop times when given', () => {
    const flat = syntheticTimeline(steady(150, 50, 5), { gauges: healthyHpa });
    const v = one(cfg({ loadStepS: 40, scaleUpWithinMs: 5000 }), flat);
    expect(v).toMatchObject({
      pass: true,
      claim: 'desired replicas rise within 5 s of the load step at 40 s',
    });
    expect(one(cfg({ loadDropS: 125, scaleDown: { to: 3, withinMs: 5000 } }), flat).pass).toBe(true);
  });

  it('follows the named HPA or deployment, and falls back to deployment.desired', () => {
    const gauges = [
      ...healthyHpa,
      ...gauge('hpa.desired', { hpa: 'worker' }, [[0, 1]]),
      ...gauge('deployment.desired', { deployment: 'api' }, [
        [0, 3],
        [44, 5],
      ]),
    ];
    const tl = syntheticTimeline(load(), { gauges });
    const api = one(cfg({ source: { gauge: 'hpa.desired', labels: { hpa: 'worker' } }, minPeak: 2 }), tl);
    expect(api).toMatchObject({ name: 'autoscaling.peak [hpa worker]', pass: false });
    // Unlabelled 'auto' sums every HPA: 3 + 1 at the start.
    expect(one(cfg({ minPeak: 7 }), tl)).toMatchObject({
      pass: true,
      observed: 'peak hpa.desired 7 (first at 55 s)',
    });
    const dep = one(
      cfg({
        source: { gauge: 'deployment.desired', labels: { deployment: 'api' } },
        scaleUpWithinMs: 20_000,
      }),
      tl,
    );
    expect(dep).toMatchObject({
      name: 'autoscaling.scale-up [deployment api]',
      pass: true,
      evidence: { delayS: 14 },
    });
    const noHpa = syntheticTimeline(load(), {
      gauges: gauge('deployment.desired', { deployment: 'api' }, [
        [0, 2],
        [40, 4],
      ]),
    });
    expect(one(cfg({ minPeak: 4 }), noHpa)).toMatchObject({
      pass: true,
      observed: 'peak deployment.desired 4 (first at 40 s)',
    });
  });
});
