import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { RequestOutcome } from '../../lib/metrics/types.ts';
import { seriesPointSchema } from '../../lib/result/schema.ts';

function outcome(intendedAt: number, latencyMs: number, extra: Partial<RequestOutcome> = {}): RequestOutcome {
  return { intendedAt, sentAt: intendedAt, doneAt: intendedAt + latencyMs, status: 200, ok: true, ...extra };
}

describe('MetricsRecorder counts', () => {
  it('buckets by intended second and counts every kind exactly', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000 });
    for (let i = 0; i < 10; i++) m.intended(100 + i);
    m.dropped(105);
    m.dropped(2500);
    m.intended(2500);
    // A request intended in second 0 that completes in second 3 still belongs to second 0.
    m.record(outcome(100, 3000));
    m.record(outcome(101, 5, { status: 503, ok: false, error: 'status-5xx' }));
    m.record(outcome(102, 5, { status: undefined, ok: false, error: 'refused' }));
    m.record(outcome(103, 5, { status: undefined, ok: false, error: 'timeout' }));
    m.record(outcome(104, 5, { status: 404, ok: false, error: 'status-4xx' }));
    m.finish();

    const s = m.series();
    expect(s.map((p) => p.t)).toEqual([0, 1, 2]);
    expect(s[0]).toMatchObject({ intended: 10, sent: 5, ok: 1, failed: 4, dropped: 1 });
    expect(s[0]!.errors).toEqual({ 'status-5xx': 1, refused: 1, timeout: 1, 'status-4xx': 1 });
    expect(s[0]!.statusCodes).toEqual({ '200': 1, '404': 1, '503': 1 });
    expect(s[0]!.max).toBeCloseTo(3000, -1);
    // Second 1 had nothing: a zero point, not a gap.
    expect(s[1]).toMatchObject({ t: 1, intended: 0, sent: 0, p50: null, max: null, errors: {} });
    expect(s[1]!.hist).toBeUndefined();
    expect(s[2]).toMatchObject({ intended: 1, dropped: 1, sent: 0 });
    for (const p of s) expect(seriesPointSchema.safeParse(p).success).toBe(true);

    expect(m.totals()).toEqual({ intended: 11, sent: 5, ok: 1, failed: 4, dropped: 2 });
    const sum = m.summary({ engine: 'native', model: 'open', durationS: 3 });
    expect(sum.requests).toEqual({ intended: 11, sent: 5, ok: 1, failed: 4, dropped: 2 });
    expect(sum.errors).toEqual({ refused: 1, timeout: 1, 'status-4xx': 1, 'status-5xx': 1 });
    expect(sum.statusCodes).toEqual({ '200': 1, '404': 1, '503': 1 });
    expect(sum.intendedRps).toBeCloseTo(11 / 3, 2);
    expect(sum.achievedRps).toBeCloseTo(5 / 3, 2);
  });

  it('separates latency (from intended), service time (from send) and schedule lag', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000 });
    m.record({ intendedAt: 0, sentAt: 40, doneAt: 340, status: 200, ok: true });
    const sum = m.summary({ engine: 'native', model: 'open', durationS: 1 });
    expect(sum.latencyMs.p50).toBeCloseTo(340, 0);
    expect(sum.serviceTimeMs.p50).toBeCloseTo(300, 0);
    expect(sum.scheduleLagMs.p50).toBeCloseTo(40, 0);
  });

  it('reports percentiles within HDR precision (3 significant digits)', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000 });
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) values.push(i * 0.137);
    for (const [i, v] of values.entries()) m.record(outcome(i % 1000, v));
    m.finish();
    const exact = (p: number) => values[Math.ceil((p / 100) * values.length) - 1]!;
    const sum = m.summary({ engine: 'x', model: 'open', durationS: 1 });
    for (const [p, got] of [
      [50, sum.latencyMs.p50],
      [90, sum.latencyMs.p90],
      [95, sum.latencyMs.p95],
      [99, sum.latencyMs.p99],
      [100, sum.latencyMs.max],
    ] as const) {
      expect(Math.abs(got! - exact(p))).toBeLessThanOrEqual(exact(p) * 0.001 + 0.01);
    }
    expect(m.series()[0]!.p99).toBe(sum.latencyMs.p99);
  });

  it('keeps late results of a compacted second by re-opening it', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000, marginMs: 0 });
    m.record(outcome(500, 10));
    m.intended(5000); // moves time on: second 0 is compacted
    expect(m.liveSeconds()).toBe(1);
    m.record(outcome(600, 20));
    m.finish();
    expect(m.liveSeconds()).toBe(0);
    const p0 = m.series()[0]!;
    expect(p0.sent).toBe(2);
    expect(p0.max).toBeCloseTo(20, 1);
    expect(m.window(0, 1).percentile(0)).toBeCloseTo(10, 1);
  });

  it('compacts seconds once they are past the timeout horizon, using the clock when given', () => {
    let now = 0;
    const m = new MetricsRecorder({ timeoutMs: 2000, marginMs: 1000, now: () => now });
    m.intended(0);
    now = 3999;
    m.sweep();
    expect(m.liveSeconds()).toBe(1);
    now = 4000;
    m.sweep();
    expect(m.liveSeconds()).toBe(0);
    expect(m.point(0)).toMatchObject({ t: 0, intended: 1 });
    expect(m.lastCompleteSecond()).toBe(0);
  });

  it('rejects options that make no sense, naming the field', () => {
    expect(() => new MetricsRecorder({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new MetricsRecorder({ timeoutMs: 10, marginMs: -1 })).toThrow(/marginMs/);
  });
});

describe('MetricsRecorder memory', () => {
  it('keeps only compacted points for 1e6 outcomes over 1000 seconds', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000, marginMs: 1000 });
    let maxLive = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const intendedAt = i; // 1000 per second for 1000 s
      m.intended(intendedAt);
      m.record(outcome(intendedAt, 1 + (i % 50)));
      if ((i & 1023) === 0 && m.liveSeconds() > maxLive) maxLive = m.liveSeconds();
    }
    // Live seconds are bounded by the late horizon (2 s) plus the current one, not by run length.
    expect(maxLive).toBeLessThanOrEqual(4);
    m.finish();
    expect(m.liveSeconds()).toBe(0);
    const s = m.series();
    expect(s).toHaveLength(1000);
    expect(s.every((p) => p.sent === 1000 && typeof p.hist === 'string')).toBe(true);
    expect(m.totals().sent).toBe(1_000_000);
  });
});
