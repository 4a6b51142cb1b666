/**
 * Load steps read from the intended rate (requests per second the schedule called for), so they
 * are found the same way in a live run and in a saved result.json. A step up is the first second
 * whose intended rate is at least 1.5 × the median of the previous 10 loaded seconds (at least 3
 * of them, so the start of the load is not a step); a drop is the first later second at or below
 * that median ÷ 1.5, the same ratio downwards.
 */
import type { SeriesPoint } from '../result/schema.ts';

export const kStepRatio = 1.5;
const kBaselineSeconds = 10;
const kMinBaseline = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function find(
  series: readonly SeriesPoint[],
  fromS: number,
  hit: (rate: number, baseline: number) => boolean,
): number | null {
  const points = [...series].sort((a, b) => a.t - b.t);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as SeriesPoint;
    if (p.t < fromS) continue;
    const prev: number[] = [];
    for (let j = i - 1; j >= 0 && prev.length < kBaselineSeconds; j--) {
      const q = points[j] as SeriesPoint;
      if (q.t < p.t - 2 * kBaselineSeconds) break;
      if (q.intended > 0) prev.push(q.intended);
    }
    if (prev.length >= kMinBaseline && hit(p.intended, median(prev))) return p.t;
  }
  return null;
}

/** The second the load steps up, at or after `fromS`; null when it never does. */
export function detectLoadStep(series: readonly SeriesPoint[], fromS = 0): number | null {
  return find(series, fromS, (rate, base) => rate >= base * kStepRatio);
}

/** The second the load drops, at or after `fromS`; null when it never does. */
export function detectLoadDrop(series: readonly SeriesPoint[], fromS = 0): number | null {
  return find(series, fromS, (rate, base) => rate <= base / kStepRatio);
}
