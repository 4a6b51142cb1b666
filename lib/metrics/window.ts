/**
 * Statistics over a window of whole seconds [startS, endS), computed by merging the per-second HDR
 * histograms. Merging bucket counts (rather than averaging per-second percentiles) makes a window's
 * percentiles exactly what one histogram of all its requests would give. Pure: it works on a live
 * run's series and on a saved result.json alike.
 */
import {
  createHistogram,
  decodeHistogram,
  latencyStatsOf,
  percentileMs,
  type Histogram,
} from './histogram.ts';
import { addSparse, type SparseHistogram } from './sparse.ts';
import type { SeriesPoint, WindowStats } from './types.ts';

/** One second's contribution: its counters and, when it has samples, its latency histogram. */
export interface WindowPart {
  readonly point: Pick<SeriesPoint, 't' | 'intended' | 'sent' | 'ok' | 'failed' | 'dropped'>;
  readonly hist: Histogram | SparseHistogram | undefined;
}

function checkBounds(startS: number, endS: number): void {
  if (!Number.isFinite(startS) || !Number.isFinite(endS) || startS > endS) {
    throw new RangeError(
      `window [${startS}, ${endS}) is invalid: startS and endS must be finite seconds with startS <= endS`,
    );
  }
}

/** Merge already-selected parts; the histograms are only read, never modified. */
export function mergeWindow(parts: Iterable<WindowPart>, startS: number, endS: number): WindowStats {
  checkBounds(startS, endS);
  const merged = createHistogram();
  let intended = 0;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  for (const { point, hist } of parts) {
    intended += point.intended;
    sent += point.sent;
    ok += point.ok;
    failed += point.failed;
    dropped += point.dropped;
    if (hist instanceof Uint32Array) addSparse(merged, hist);
    else if (hist !== undefined && hist.totalCount > 0) merged.add(hist);
  }
  const latency = latencyStatsOf(merged);
  return {
    startS,
    endS,
    intended,
    sent,
    ok,
    failed,
    dropped,
    latency,
    percentile(p: number): number | null {
      if (!(p >= 0 && p <= 100))
        throw new RangeError(`percentile ${p} is invalid: use a number from 0 to 100`);
      return percentileMs(merged, p);
    },
  };
}

/** Window over a series (e.g. `result.series`): points with startS <= t < endS. */
export function windowStats(series: readonly SeriesPoint[], startS: number, endS: number): WindowStats {
  checkBounds(startS, endS);
  const parts: WindowPart[] = [];
  for (const point of series) {
    if (point.t < startS || point.t >= endS) continue;
    parts.push({ point, hist: point.hist ? decodeHistogram(point.hist) : undefined });
  }
  return mergeWindow(parts, startS, endS);
}
