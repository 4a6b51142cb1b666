import { describe, expect, it } from 'vitest';
import { createHistogram, latencyStatsOf, percentileMs, recordMs } from '../../lib/metrics/histogram.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import { addSparse, toSparse } from '../../lib/metrics/sparse.ts';
import { windowStats } from '../../lib/metrics/window.ts';
import { seriesPointSchema } from '../../lib/result/schema.ts';

/** Deterministic PRNG so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(seconds: number, perSecond: number) {
  const rnd = mulberry32(42);
  const m = new MetricsRecorder({ timeoutMs: 1000, marginMs: 0 });
  const samples: { t: number; latency: number }[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      const intendedAt = s * 1000 + (i * 1000) / perSecond;
      // Heavy tail: most fast, a few very slow, so windows differ from each other.
      const latency = rnd() < 0.02 ? 200 + rnd() * 2000 : 1 + rnd() * 20 * (1 + (s % 7));
      m.intended(intendedAt);
      m.record({ intendedAt, sentAt: intendedAt, doneAt: intendedAt + latency, status: 200, ok: true });
      samples.push({ t: s, latency });
    }
  }
  m.finish();
  return { m, samples };
}

describe('windowStats', () => {
  const { m, samples } = run(60, 200);
  const series = m.series();

  it('over the whole run equals the whole-run histogram exactly', () => {
    const w = windowStats(series, 0, 60);
    const sum = m.summary({ engine: 'x', model: 'open', durationS: 60 });
    expect(w.latency).toEqual(sum.latencyMs);
    expect(w.intended).toBe(12_000);
    expect(w.sent).toBe(12_000);
    expect(w.percentile(99.9)).toBe(m.latencyPercentile(99.9));
  });

  it('over a sub-window equals one histogram of exactly those requests', () => {
    const h = createHistogram();
    for (const s of samples) if (s.t >= 10 && s.t < 25) recordMs(h, s.latency);
    const w = windowStats(series, 10, 25);
    expect(w.latency).toEqual(latencyStatsOf(h));
    expect(w.percentile(75)).toBe(percentileMs(h, 75));
    expect(w.sent).toBe(15 * 200);
  });

  it('works on a saved result.json (JSON round trip) and matches the live recorder window', () => {
    const saved = JSON.parse(JSON.stringify(series)).map((p: unknown) => seriesPointSchema.parse(p));
    expect(windowStats(saved, 5, 17).latency).toEqual(m.window(5, 17).latency);
  });

  it('merges sparse copies of histograms exactly like the histograms themselves', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (const s of samples.slice(0, 3000)) recordMs(a, s.latency);
    for (const s of samples.slice(3000, 6000)) recordMs(b, s.latency);
    const dense = createHistogram();
    dense.add(a);
    dense.add(b);
    const sparse = createHistogram();
    addSparse(sparse, toSparse(a));
    addSparse(sparse, toSparse(b));
    expect(sparse.totalCount).toBe(6000);
    expect(latencyStatsOf(sparse)).toEqual(latencyStatsOf(dense));
    expect(toSparse(a).length).toBeLessThan(a.countsArrayLength / 4);
  });

  it('is empty, with null percentiles, where nothing ran', () => {
    const w = windowStats(series, 100, 110);
    expect(w.sent).toBe(0);
    expect(w.percentile(50)).toBeNull();
    expect(w.latency.p99).toBeNull();
  });

  it('rejects inverted windows and out-of-range percentiles', () => {
    expect(() => windowStats(series, 10, 5)).toThrow(/startS <= endS/);
    expect(() => windowStats(series, 0, 10).percentile(101)).toThrow(/0 to 100/);
  });
});
