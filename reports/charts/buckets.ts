/**
 * The per-second series, coarsened for long runs: an eight-hour soak has 28 800 seconds, more
 * points than a chart has pixels, and a report that embeds them all is slow to open. Rates become
 * per-second averages over the bucket; percentiles are re-merged from the seconds' histograms, so
 * a bucket's p99 is the true p99 of its requests.
 */
import { windowStats } from '../../lib/metrics/index.ts';
import type { SeriesPoint } from '../../lib/result/schema.ts';

/** More points than this per chart and the series is bucketed. */
export const MAX_POINTS = 1200;

export interface Bucket {
  /** Start of the bucket, s. */
  readonly start: number;
  /** Where it is drawn: the middle of the seconds it covers. */
  readonly mid: number;
  /** Per-second averages over the bucket (exact counts when a bucket is one second). */
  readonly intended: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly dropped: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export function bucketSeries(
  series: readonly SeriesPoint[],
  maxPoints = MAX_POINTS,
): { buckets: Bucket[]; size: number } {
  const size = Math.max(1, Math.ceil(series.length / maxPoints));
  if (size === 1) {
    return {
      size,
      buckets: series.map((p) => ({
        start: p.t,
        mid: p.t + 0.5,
        intended: p.intended,
        sent: p.sent,
        ok: p.ok,
        failed: p.failed,
        dropped: p.dropped,
        errors: p.errors,
        p50: p.p50,
        p95: p.p95,
        p99: p.p99,
      })),
    };
  }
  const buckets: Bucket[] = [];
  for (let i = 0; i < series.length; i += size) {
    const part = series.slice(i, i + size);
    const first = part[0] as SeriesPoint;
    const end = first.t + size;
    // The last bucket may be short; average over the seconds it has.
    const n = part.length;
    const sum = (k: 'intended' | 'sent' | 'ok' | 'failed' | 'dropped'): number =>
      part.reduce((a, p) => a + p[k], 0) / n;
    const errors: Record<string, number> = {};
    for (const p of part) for (const [k, c] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + c / n;
    const hasHist = part.every((p) => p.sent === 0 || p.hist !== undefined);
    const percentile = hasHist ? windowPercentiles(part, first.t, end) : worstPercentiles(part);
    buckets.push({
      start: first.t,
      mid: first.t + n / 2,
      intended: sum('intended'),
      sent: sum('sent'),
      ok: sum('ok'),
      failed: sum('failed'),
      dropped: sum('dropped'),
      errors,
      ...percentile,
    });
  }
  return { buckets, size };
}

type Percentiles = Pick<Bucket, 'p50' | 'p95' | 'p99'>;

function windowPercentiles(part: readonly SeriesPoint[], start: number, end: number): Percentiles {
  const w = windowStats(part, start, end);
  return { p50: w.percentile(50), p95: w.percentile(95), p99: w.percentile(99) };
}

/** Without histograms the honest summary of several seconds' percentiles is the worst of them. */
function worstPercentiles(part: readonly SeriesPoint[]): Percentiles {
  const worst = (k: 'p50' | 'p95' | 'p99'): number | null =>
    part.reduce<number | null>((m, p) => (p[k] === null ? m : m === null ? p[k] : Math.max(m, p[k])), null);
  return { p50: worst('p50'), p95: worst('p95'), p99: worst('p99') };
}
