import { describe, expect, it } from 'vitest';
import { parseCpuQuantity, stepCpu, stepMean, type PodCpuSample } from '../../lib/capacity/figures.ts';
import { podCpuSamples } from '../../lib/capacity/cluster-probe.ts';

describe('step gauge mean', () => {
  it('weights each value by how long it held inside the window', () => {
    const series = [
      { t: 0, value: 3 },
      { t: 10, value: 4 },
    ];
    expect(stepMean(series, 5, 15)).toBe(3.5);
    expect(stepMean(series, 12, 20)).toBe(4);
    expect(stepMean(series, 0, 10)).toBe(3);
  });

  it('is null before the first point or for an empty window', () => {
    expect(stepMean([{ t: 10, value: 2 }], 0, 5)).toBeNull();
    expect(stepMean([{ t: 0, value: 2 }], 5, 5)).toBeNull();
  });
});

describe('CPU from metrics.k8s.io', () => {
  it('reads Kubernetes CPU quantities in cores', () => {
    expect(parseCpuQuantity('250m')).toBe(0.25);
    expect(parseCpuQuantity('1500000n')).toBeCloseTo(0.0015, 9);
    expect(parseCpuQuantity('2')).toBe(2);
    expect(parseCpuQuantity('12u')).toBeCloseTo(0.000012, 12);
    expect(parseCpuQuantity('lots')).toBeNull();
  });

  it('reads PodMetrics lists, summing containers', () => {
    const samples = podCpuSamples({
      items: [
        {
          metadata: { name: 'a' },
          timestamp: '2026-01-01T00:00:20Z',
          window: '15s',
          containers: [{ usage: { cpu: '100m' } }, { usage: { cpu: '50000000n' } }],
        },
        { metadata: { name: 'b' }, timestamp: 'not a time', window: '15s', containers: [] },
      ],
    });
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({
      pod: 'a',
      timestampMs: Date.parse('2026-01-01T00:00:20Z'),
      windowMs: 15_000,
    });
    expect(samples[0]?.cores).toBeCloseTo(0.15, 9);
  });

  const sample = (pod: string, t: number, window: number, cores: number): PodCpuSample => ({
    pod,
    timestampMs: t * 1000,
    windowMs: window * 1000,
    cores,
  });

  it('sums per pod the latest sample whose window lies inside the step', () => {
    const cpu = stepCpu(
      [
        sample('a', 12, 15, 0.1),
        sample('a', 30, 15, 0.4),
        sample('a', 35, 15, 0.5),
        sample('b', 34, 15, 0.3),
      ],
      10_000,
      40_000,
    );
    expect(cpu.cores).toBeCloseTo(0.8, 9);
    expect(cpu).toMatchObject({ pods: 2, covered: true });
  });

  it('falls back to a sample reaching back before the step, and says so', () => {
    const cpu = stepCpu([sample('a', 18, 15, 0.2)], 10_000, 20_000);
    expect(cpu).toEqual({ cores: 0.2, pods: 1, covered: false });
  });

  it('ignores samples taken before the step and has no figure without any', () => {
    expect(stepCpu([sample('a', 9, 15, 0.9)], 10_000, 20_000)).toEqual({
      cores: null,
      pods: 0,
      covered: false,
    });
  });
});
