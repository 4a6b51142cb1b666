/**
 * Server-side SLA verdicts from `promql:<id>` gauges: each series judged on its worst (or mean,
 * or last) sample within the phase.
 */
import { describe, expect, it } from 'vitest';
import { promqlSlaAssertion } from '../../lib/assert/promql-sla.ts';
import type { GaugePoint } from '../../lib/result/schema.ts';
import { chaosSpan, syntheticTimeline } from '../assert/synthetic.ts';

const g = (t: number, value: number, service = 'web', id = 'p95'): GaugePoint => ({
  t,
  name: `promql:${id}`,
  value,
  labels: { service },
});

const timeline = (gauges: GaugePoint[]) =>
  syntheticTimeline([], { durationS: 60, spans: [chaosSpan('kill', 20, 30, 'pod-kill')], gauges });

describe('promqlSlaAssertion', () => {
  const gauges = [
    g(5, 0.2),
    g(25, 1.4),
    g(45, 0.3),
    g(5, 0.1, 'api'),
    g(25, 0.2, 'api'),
    g(25, 9, 'web', 'other'),
  ];

  it('fails on the worst sample of any series, naming it and when', () => {
    const v = promqlSlaAssertion({
      id: 'p95',
      expr: 'histogram_quantile(…)',
      op: '<',
      threshold: 1,
      unit: 's',
    }).evaluate(timeline(gauges));
    expect(v).toMatchObject({
      name: 'sla [server] p95',
      claim: 'server-side p95 (histogram_quantile(…)) < 1 s at every sample',
      pass: false,
      observed: '{service="web"}: 1.4 s at 25 s (3 samples)',
      window: { start: 0, end: 60 },
    });
  });

  it('judges within a phase, and by the lowest sample for a lower bound', () => {
    const base = { id: 'p95', expr: 'x', threshold: 1 } as const;
    expect(promqlSlaAssertion({ ...base, op: '<', scope: 'baseline' }).evaluate(timeline(gauges)).pass).toBe(
      true,
    );
    const avail = promqlSlaAssertion({ ...base, op: '>=', threshold: 0.15 }).evaluate(timeline(gauges));
    expect(avail.pass).toBe(false);
    expect(avail.observed).toBe('{service="api"}: 0.1 at 5 s (2 samples)');
    expect(promqlSlaAssertion({ ...base, op: '<', reduce: 'mean' }).evaluate(timeline(gauges)).pass).toBe(
      true,
    );
    expect(promqlSlaAssertion({ ...base, op: '<', reduce: 'last' }).evaluate(timeline(gauges)).pass).toBe(
      true,
    );
  });

  it('is inconclusive without samples and refuses a bad id or threshold', () => {
    expect(
      promqlSlaAssertion({ id: 'none', expr: 'x', op: '<', threshold: 1 }).evaluate(timeline(gauges)),
    ).toMatchObject({
      pass: false,
      inconclusive: true,
    });
    expect(() => promqlSlaAssertion({ id: 'a b', expr: 'x', op: '<', threshold: 1 })).toThrow(/use letters/);
    expect(() => promqlSlaAssertion({ id: 'a', expr: 'x', op: '<', threshold: NaN })).toThrow(/finite/);
  });
});
