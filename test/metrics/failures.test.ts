import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { RequestOutcome } from '../../lib/metrics/types.ts';
import { failureSchema } from '../../lib/result/schema.ts';

const failure = (intendedAt: number, extra: Partial<RequestOutcome> = {}): RequestOutcome => ({
  intendedAt,
  sentAt: intendedAt + 1,
  doneAt: intendedAt + 12.3456,
  ok: false,
  status: 503,
  error: 'status-5xx',
  ...extra,
});

describe('failure sample', () => {
  it('keeps each failed request with its intended time, kind, status, request and latency', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000 });
    m.record({ intendedAt: 10, sentAt: 10, doneAt: 15, ok: true, status: 200 });
    m.record(failure(1234.5678, { request: 'GET /api', target: 'pod/api-1' }));
    m.record(failure(2000, { status: undefined, error: 'refused', doneAt: 2000.4 }));
    m.record(failure(2500, { status: 404, error: undefined }));
    const f = m.failures();
    expect(f).toEqual([
      {
        t: 1.235,
        kind: 'status-5xx',
        latencyMs: 12.35,
        status: 503,
        request: 'GET /api',
        target: 'pod/api-1',
      },
      { t: 2, kind: 'refused', latencyMs: 0.4 },
      { t: 2.5, kind: 'other', latencyMs: 12.35, status: 404 },
    ]);
    for (const x of f) expect(failureSchema.safeParse(x).success).toBe(true);
    expect(m.failuresDropped()).toBe(0);
  });

  it('is capped: later failures are only counted, and together they add up to every failure', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000, maxFailureSamples: 3 });
    for (let i = 0; i < 10; i++) m.record(failure(i * 100));
    expect(m.failures().map((x) => x.t)).toEqual([0, 0.1, 0.2]);
    expect(m.failuresDropped()).toBe(7);
    expect(m.failures().length + m.failuresDropped()).toBe(m.totals().failed);
  });

  it('keeps 1000 by default and returns a copy', () => {
    const m = new MetricsRecorder({ timeoutMs: 1000 });
    for (let i = 0; i < 1500; i++) m.record(failure(i));
    const f = m.failures();
    expect(f).toHaveLength(1000);
    expect(m.failuresDropped()).toBe(500);
    f.length = 0;
    expect(m.failures()).toHaveLength(1000);
  });

  it.each([-1, 1.5, Number.NaN])('refuses maxFailureSamples %s', (n) => {
    expect(() => new MetricsRecorder({ timeoutMs: 1000, maxFailureSamples: n })).toThrow(/maxFailureSamples/);
  });
});
