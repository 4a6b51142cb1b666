/**
 * The one histogram shape gauntlet uses for every latency-like quantity: values in microseconds,
 * 1 µs .. 120 s, 3 significant digits. Every histogram shares this shape so per-second histograms
 * can be merged into windows and compared with the whole-run ones bucket for bucket.
 *
 * The pure-JS implementation is used on purpose: it is synchronous, needs no `destroy()`, and records
 * a value in under 100 ns, which is far below the cost of the request that produced it.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from './types.ts';

/** The JS implementation's class: its bucket-level methods let windows merge sparse histograms. */
export type Histogram = hdr.JsHistogram;

/** Largest value kept, µs; larger values are clamped (no request timeout is that long). */
export const HIGHEST_TRACKABLE_US = 120_000_000;

const kShape = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: HIGHEST_TRACKABLE_US,
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 32,
  autoResize: false,
  useWebAssembly: false,
} as const;

function asJs(h: hdr.Histogram): Histogram {
  if (!(h instanceof hdr.JsHistogram))
    throw new TypeError('expected the JS implementation of hdr-histogram-js');
  return h;
}

export function createHistogram(): Histogram {
  return asJs(hdr.build(kShape));
}

/** Record a duration given in (fractional) milliseconds. Negative values count as 0. */
export function recordMs(h: Histogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (us < 0 || us !== us) us = 0;
  else if (us > HIGHEST_TRACKABLE_US) us = HIGHEST_TRACKABLE_US;
  h.recordValue(us);
}

/** Milliseconds rounded to 0.01, the precision every report uses. */
export function roundMs(us: number): number {
  return Math.round(us / 10) / 100;
}

/**
 * Percentile (0–100) in ms, or null when nothing was recorded. `max` is taken as the 100th
 * percentile (the top of the highest occupied bucket) so a live histogram and its decoded copy
 * always agree.
 */
export function percentileMs(h: Histogram, p: number): number | null {
  if (h.totalCount === 0) return null;
  return roundMs(h.getValueAtPercentile(p));
}

export function latencyStatsOf(h: Histogram): LatencyStats {
  if (h.totalCount === 0) return { p50: null, p90: null, p95: null, p99: null, max: null };
  return {
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p95: percentileMs(h, 95),
    p99: percentileMs(h, 99),
    max: percentileMs(h, 100),
  };
}

/** Compressed base64 (HdrHistogram V2 format, readable by the Java/Go/Rust ports too). */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decode a `hist` string into a histogram of the standard shape, so it can be merged. */
export function decodeHistogram(encoded: string): Histogram {
  const decoded = asJs(hdr.decodeFromCompressedBase64(encoded, 32, false));
  if (decoded.highestTrackableValue >= HIGHEST_TRACKABLE_US) return decoded;
  // A histogram written with a narrower range is widened so later merges cannot overflow it.
  const wide = createHistogram();
  wide.add(decoded);
  return wide;
}
