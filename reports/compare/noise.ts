/**
 * Run-to-run noise for latency quantiles. Two runs of an unchanged scenario rarely agree on p95:
 * on a shared machine a stall of a few hundred milliseconds moves a 10 s run's p95 by a third.
 * A threshold alone would call that a regression, so a quantile's change also gets a bootstrap
 * interval: each run's seconds are resampled with replacement, the quantile of the merged
 * resample is taken, and the spread of current/baseline over many resamples says how far the
 * change could move by chance. A change is counted only when the whole interval lies on the
 * worse side of zero.
 *
 * Whole seconds are the resampling unit because latency within a second is correlated (one stall
 * delays every request behind it); resampling single requests would understate the spread.
 * Seeded, so the same two results always give the same interval.
 */
import type { SeriesPoint } from '../../lib/result/schema.ts';
import { createHistogram, decodeHistogram, type Histogram } from '../../lib/metrics/histogram.ts';
import { addSparse, type SparseHistogram, toSparse } from '../../lib/metrics/sparse.ts';

/** The relative change current/baseline − 1, in percent, at the given two-sided confidence. */
export interface ChangeInterval {
  readonly low: number;
  readonly high: number;
  /** Percent, e.g. 95. */
  readonly confidence: number;
}

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface NoiseOptions {
  readonly resamples?: number;
  readonly confidence?: number;
  readonly seed?: number;
}

/** Fewer seconds than this give no useful spread; such runs are judged on the threshold alone. */
export const MIN_SECONDS = 5;
const kResamples = 1000;
const kConfidence = 95;
const kSeed = 0x9e3779b9;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Each second's histogram in the window, or null when too few seconds carry one. */
function secondsOf(series: readonly SeriesPoint[], window: Window | null): SparseHistogram[] | null {
  const out: SparseHistogram[] = [];
  for (const p of series) {
    if (window && (p.t < window.start || p.t >= window.end)) continue;
    if (!p.hist) continue;
    const s = toSparse(decodeHistogram(p.hist));
    if (s.length > 0) out.push(s);
  }
  return out.length >= MIN_SECONDS ? out : null;
}

/** One resample of a run's seconds, merged into `acc`. */
function resample(parts: readonly SparseHistogram[], rand: () => number, acc: Histogram): void {
  acc.reset();
  for (let i = 0; i < parts.length; i++) addSparse(acc, parts[Math.floor(rand() * parts.length)]!);
}

function at(sorted: readonly number[], share: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(share * (sorted.length - 1))));
  return sorted[i]!;
}

/**
 * The intervals of the relative change of latency quantiles (each 0–100) between two runs, each
 * over its window (null: every second), keyed by quantile. Null when either run has too few
 * seconds with histograms (results written without per-second histograms, or very short windows).
 */
export function quantileChangeIntervals(
  current: readonly SeriesPoint[],
  currentWindow: Window | null,
  baseline: readonly SeriesPoint[],
  baselineWindow: Window | null,
  quantiles: readonly number[],
  opts: NoiseOptions = {},
): ReadonlyMap<number, ChangeInterval> | null {
  const cur = secondsOf(current, currentWindow);
  const base = secondsOf(baseline, baselineWindow);
  if (!cur || !base) return null;
  const resamples = opts.resamples ?? kResamples;
  const confidence = opts.confidence ?? kConfidence;
  const rand = lcg(opts.seed ?? kSeed);
  const curAcc = createHistogram();
  const baseAcc = createHistogram();
  const changes = quantiles.map((): number[] => []);
  for (let i = 0; i < resamples; i++) {
    resample(cur, rand, curAcc);
    resample(base, rand, baseAcc);
    quantiles.forEach((q, k) => {
      const b = baseAcc.getValueAtPercentile(q);
      if (b > 0) changes[k]!.push((curAcc.getValueAtPercentile(q) / b - 1) * 100);
    });
  }
  const tail = (100 - confidence) / 200;
  const out = new Map<number, ChangeInterval>();
  quantiles.forEach((q, k) => {
    const c = changes[k]!.sort((a, b) => a - b);
    if (c.length >= resamples / 2) out.set(q, { low: at(c, tail), high: at(c, 1 - tail), confidence });
  });
  return out;
}

/** True when the interval leaves room for no change at all, or for a change the better way. */
export function withinNoise(interval: ChangeInterval, better: 'lower' | 'higher'): boolean {
  return better === 'lower' ? interval.low <= 0 : interval.high >= 0;
}
