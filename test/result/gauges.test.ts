import { describe, expect, it } from 'vitest';
import { gaugeAt, gaugeSeries, stepAt } from '../../lib/result/gauges.ts';
import type { GaugePoint } from '../../lib/result/schema.ts';

const p = (t: number, name: string, value: number, labels?: Record<string, string>): GaugePoint => ({
  t,
  name,
  value,
  ...(labels ? { labels } : {}),
});

describe('gauges as step series', () => {
  const gauges: GaugePoint[] = [
    p(0, 'pods.ready', 2, { zone: 'a' }),
    p(0, 'pods.ready', 1, { zone: 'b' }),
    p(5, 'pods.ready', 1, { zone: 'a' }),
    p(7.5, 'pods.ready', 2, { zone: 'a' }),
    p(0, 'hpa.desired', 3, { hpa: 'api' }),
    p(12, 'hpa.desired', 6, { hpa: 'api' }),
    p(12, 'hpa.desired', 2, { hpa: 'worker' }),
  ];

  it('holds a value from its point until the next one, and is unknown before the first', () => {
    expect(gaugeAt(gauges, 'pods.ready', { zone: 'a' }, -1)).toBeNull();
    expect(gaugeAt(gauges, 'pods.ready', { zone: 'a' }, 0)).toBe(2);
    expect(gaugeAt(gauges, 'pods.ready', { zone: 'a' }, 4.999)).toBe(2);
    expect(gaugeAt(gauges, 'pods.ready', { zone: 'a' }, 5)).toBe(1);
    expect(gaugeAt(gauges, 'pods.ready', { zone: 'a' }, 100)).toBe(2);
  });

  it('sums every series whose labels include the query', () => {
    expect(gaugeSeries(gauges, 'pods.ready')).toEqual([
      { t: 0, value: 3 },
      { t: 5, value: 2 },
      { t: 7.5, value: 3 },
    ]);
    expect(gaugeAt(gauges, 'pods.ready', {}, 6)).toBe(2);
    // A series joins the sum from its first point on.
    expect(gaugeSeries(gauges, 'hpa.desired')).toEqual([
      { t: 0, value: 3 },
      { t: 12, value: 8 },
    ]);
    expect(gaugeSeries(gauges, 'hpa.desired', { hpa: 'api' })).toEqual([
      { t: 0, value: 3 },
      { t: 12, value: 6 },
    ]);
    expect(gaugeSeries(gauges, 'hpa.desired', { hpa: 'nope' })).toEqual([]);
  });

  it('keeps only changes, in time order, whatever order the points were recorded in', () => {
    const shuffled = [p(3, 'x', 1), p(1, 'x', 1), p(2, 'x', 1), p(4, 'x', 2), p(0, 'x', 0)];
    expect(gaugeSeries(shuffled, 'x')).toEqual([
      { t: 0, value: 0 },
      { t: 1, value: 1 },
      { t: 4, value: 2 },
    ]);
    expect(stepAt(gaugeSeries(shuffled, 'x'), 3.9)).toBe(1);
  });

  it('takes the last of several observations at one instant', () => {
    expect(gaugeSeries([p(1, 'x', 1), p(1, 'x', 4), p(2, 'x', 5)], 'x')).toEqual([
      { t: 1, value: 4 },
      { t: 2, value: 5 },
    ]);
  });
});
