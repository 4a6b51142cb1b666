import type { LoadSummary, SeriesPoint, Span, TimelineEvent } from './schema.ts';
import type { WindowStats } from '../metrics/types.ts';

/**
 * Everything a run observed, on one clock. Assertions are pure functions of this.
 * `window()` merges per-second histograms, so windowed percentiles are exact to HDR precision.
 */
export interface RunTimeline {
  readonly durationS: number;
  readonly load: LoadSummary;
  readonly series: readonly SeriesPoint[];
  readonly spans: readonly Span[];
  readonly events: readonly TimelineEvent[];
  /** Stats over whole seconds [startS, endS). */
  window(startS: number, endS: number): WindowStats;
}
