/**
 * Run-to-run spread from a history: how much a latency quantile moved between consecutive
 * earlier runs of the same scenario. The bootstrap interval (noise.ts) sees the seconds of two
 * runs only; a nightly job on shared CI machines also drifts from one run to the next (another
 * tenant was busy all evening), and its own history says by how much. A change within that
 * spread is not called a regression.
 *
 * The spread is three times the median of the consecutive relative changes, over the latest runs:
 * the median so one earlier regression (or its fix) does not widen it for weeks, three times so an
 * ordinary bad night still fits.
 */
import type { HistoryEntry } from './history.ts';
import type { MetricId } from './metrics.ts';

export interface HistorySpread {
  /** Percent of the earlier value. */
  readonly percent: number;
  /** How many earlier runs it was read from. */
  readonly runs: number;
}

/** Consecutive changes needed before the spread means anything. */
export const MIN_CHANGES = 3;
const kLatest = 11;
const kFactor = 3;

/**
 * The spread of `metric` over the latest valid runs in `entries` (oldest first), or null with
 * fewer than four such runs.
 */
export function historySpread(entries: readonly HistoryEntry[], metric: MetricId): HistorySpread | null {
  const values = entries
    .filter((e) => e.valid)
    .map((e) => e.metrics[metric])
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .slice(-kLatest);
  const changes: number[] = [];
  for (let i = 1; i < values.length; i++) changes.push(Math.abs(values[i]! / values[i - 1]! - 1) * 100);
  if (changes.length < MIN_CHANGES) return null;
  changes.sort((a, b) => a - b);
  const mid = changes.length / 2;
  const median = changes.length % 2 ? changes[Math.floor(mid)]! : (changes[mid - 1]! + changes[mid]!) / 2;
  return { percent: median * kFactor, runs: values.length };
}
