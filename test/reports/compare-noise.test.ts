import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMs } from '../../lib/metrics/histogram.ts';
import type { RunResult, SeriesPoint } from '../../lib/result/schema.ts';
import { compareRuns } from '../../reports/compare/compare.ts';
import { renderCompareMarkdown } from '../../reports/compare/markdown.ts';
import type { HistoryEntry } from '../../reports/compare/history.ts';
import { quantileChangeIntervals, withinNoise } from '../../reports/compare/noise.ts';
import { historySpread } from '../../reports/compare/spread.ts';
import { chaosRun, lcg } from './chaos-fixture.ts';
import { withoutHistograms } from './fixtures.ts';

interface Shape {
  seconds: number;
  perSecond: number;
  /** Service time, ms: uniform in [base, base + spread). */
  base: number;
  spread: number;
  /** Seconds (by index) in which every request waits this much longer, ms. */
  stalls?: Record<number, number>;
}

/** Per-second series of a synthetic run: latencies from a seeded uniform, plus whole-second stalls. */
function series(shape: Shape, seed: number): SeriesPoint[] {
  const rand = lcg(seed);
  return Array.from({ length: shape.seconds }, (_, t) => {
    const h = createHistogram();
    const stall = shape.stalls?.[t] ?? 0;
    for (let i = 0; i < shape.perSecond; i++) recordMs(h, shape.base + rand() * shape.spread + stall);
    const n = shape.perSecond;
    return { t, intended: n, sent: n, ok: n, failed: 0, dropped: 0, hist: encodeHistogram(h) } as SeriesPoint;
  });
}

const steady: Shape = { seconds: 20, perSecond: 100, base: 20, spread: 10 };

describe('noise intervals of latency quantiles', () => {
  it('straddle zero for two draws of the same latency, and are repeatable', () => {
    const a = series(steady, 1);
    const b = series(steady, 2);
    const i = quantileChangeIntervals(b, null, a, null, [50, 95])!;
    expect(i.get(95)!.low).toBeLessThan(0);
    expect(i.get(95)!.high).toBeGreaterThan(0);
    expect(withinNoise(i.get(95)!, 'lower')).toBe(true);
    expect(quantileChangeIntervals(b, null, a, null, [50, 95])).toEqual(i);
  });

  it('lie wholly above zero for latency 30 % higher', () => {
    const a = series(steady, 1);
    const slower = series({ ...steady, base: 26, spread: 13 }, 2);
    const p95 = quantileChangeIntervals(slower, null, a, null, [95])!.get(95)!;
    expect(p95.low).toBeGreaterThan(15);
    expect(p95.high).toBeLessThan(45);
    expect(withinNoise(p95, 'lower')).toBe(false);
  });

  it('widen when one run has a stalled second', () => {
    const a = series(steady, 1);
    const stalled = series({ ...steady, stalls: { 7: 40 } }, 2);
    const p95 = quantileChangeIntervals(stalled, null, a, null, [95])!.get(95)!;
    expect(p95.high - p95.low).toBeGreaterThan(50);
    expect(p95.low).toBeLessThanOrEqual(0);
  });

  it('use only the seconds inside each window', () => {
    const a = series(steady, 1);
    // Slow only in its first ten seconds: the window after them sees no change.
    const b = series(
      { ...steady, stalls: Object.fromEntries(Array.from({ length: 10 }, (_, t) => [t, 30])) },
      2,
    );
    const whole = quantileChangeIntervals(b, null, a, null, [95])!.get(95)!;
    const late = quantileChangeIntervals(b, { start: 10, end: 20 }, a, { start: 10, end: 20 }, [95])!.get(
      95,
    )!;
    expect(whole.low).toBeGreaterThan(0);
    expect(late.low).toBeLessThan(0);
  });

  it('are not given for runs with fewer than five seconds of histograms', () => {
    const a = series(steady, 1);
    const short = series({ ...steady, seconds: 4 }, 2);
    expect(quantileChangeIntervals(short, null, a, null, [95])).toBeNull();
    const noHist = a.map(({ hist: _h, ...p }) => p);
    expect(quantileChangeIntervals(a, null, noHist, null, [95])).toBeNull();
  });
});

describe('compare with noise intervals', () => {
  /** chaosRun with its series replaced and whole-run p95 set to match the series' story. */
  function runOf(points: SeriesPoint[], p95: number): RunResult {
    const r = chaosRun();
    return { ...r, series: points, load: { ...r.load, latencyMs: { ...r.load.latencyMs, p95 } } };
  }

  it('calls a p95 over the threshold but inside the runs’ spread "within noise", and says so', () => {
    const base = runOf(series(steady, 1), 29.5);
    const cur = runOf(series({ ...steady, stalls: { 3: 40 } }, 2), 35);
    const c = compareRuns({ current: cur, baseline: base, currentSource: 'c', baselineSource: 'b' });
    const p95 = c.metrics.find((m) => m.key === 'p95')!;
    expect(p95.status).toBe('noise');
    expect(c.outcome).toBe('ok');
    expect(c.notes[0]).toMatch(
      /^p95 latency is worse by more than the 10% threshold, but within the two runs' own spread \(95 % interval of the change: [−+][\d.]+ % to \+[\d.]+ %\)/,
    );
    const md = renderCompareMarkdown(c);
    expect(md).toContain('| ≈ within noise |');
    expect(md).toMatch(/\| \+18\.6 % \(\+5\.5 ms; 95 %: [−+][\d.]+ % to \+[\d.]+ %\) \|/);
    expect(md).toContain('Latency quantiles carry a 95 % interval of their change');
  });

  it('still fails a p95 whose whole interval is worse beyond the threshold', () => {
    const base = runOf(series(steady, 1), 29.5);
    const cur = runOf(series({ ...steady, base: 26, spread: 13 }, 2), 38.4);
    const c = compareRuns({ current: cur, baseline: base, currentSource: 'c', baselineSource: 'b' });
    expect(c.metrics.find((m) => m.key === 'p95')?.status).toBe('regressed');
    expect(c.outcome).toBe('regression');
  });
});

describe('run-to-run spread from a history', () => {
  const entry = (p95: number | null, valid = true): HistoryEntry => ({
    file: 'runs/x.json',
    scenario: 'nightly',
    startedAt: '2026-11-01T02:00:00.000Z',
    pass: true,
    valid,
    metrics: { p95 },
  });

  it('is three times the median change between consecutive valid runs', () => {
    // Changes: +10 %, −10 %, +20 %, (invalid run skipped), −25 % → median of 10, 10, 20, 25 is 15.
    const runs = [100, 110, 99, 118.8, null, 89.1].map((v, i) => entry(v, i !== 4));
    const s = historySpread(runs, 'p95')!;
    expect(s.runs).toBe(5);
    expect(s.percent).toBeCloseTo(45, 6);
  });

  it('needs four earlier runs, and one outlier does not widen it', () => {
    expect(
      historySpread(
        [100, 101, 102].map((v) => entry(v)),
        'p95',
      ),
    ).toBeNull();
    const steady = [100, 101, 100, 102, 101, 100, 300, 101, 100, 101].map((v) => entry(v));
    expect(historySpread(steady, 'p95')!.percent).toBeLessThan(10);
  });

  it('keeps a change within the spread from being a regression, and names the spread', () => {
    const base = withoutHistograms(chaosRun());
    const cur = { ...base, load: { ...base.load, latencyMs: { ...base.load.latencyMs, p95: 61.4 * 1.3 } } };
    const judged = (percent: number) =>
      compareRuns({
        current: cur,
        baseline: base,
        currentSource: 'c',
        baselineSource: 'b',
        spreads: { p95: { percent, runs: 8 } },
      });
    const within = judged(45);
    expect(within.metrics.find((m) => m.key === 'p95')?.status).toBe('noise');
    expect(within.outcome).toBe('ok');
    expect(within.notes).toContain(
      'p95 latency is worse by more than the 10% threshold, but within the run-to-run spread of its history (up to ±45 % between consecutive runs, from the latest 8), so it is not counted as a regression.',
    );
    const beyond = judged(20);
    expect(beyond.metrics.find((m) => m.key === 'p95')?.status).toBe('regressed');
    expect(beyond.outcome).toBe('regression');
  });
});
