/** The trend across runs of one scenario: p95 and p99 latency, and the error rate, per run. */
import { color } from './palette.ts';
import type { ChartSpec, OmittedChart } from './types.ts';

export interface TrendRun {
  readonly startedAt: string;
  readonly valid: boolean;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Failed of completed requests, %. */
  readonly errors: number | null;
}

/** "11-29 02:00": a run's start, short enough for an axis label (UTC, like startedAt). */
export function runLabel(iso: string): string {
  const m = /^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

const fmt = (n: number | null, unit: string): string =>
  n === null ? 'none' : `${Number(n.toFixed(2))}${unit}`;

export function trendChart(runs: readonly TrendRun[]): ChartSpec | OmittedChart {
  const id = 'trend';
  const title = 'Trend across runs: p95, p99 and error rate';
  if (runs.length < 2) {
    return { id, title, note: `A trend needs at least two runs; the history has ${runs.length}.` };
  }
  // An invalid run's numbers describe the generator, not the target: leave a gap, not a point.
  const pick = (k: 'p95' | 'p99' | 'errors') => runs.map((r, i) => ({ x: i, y: r.valid ? r[k] : null }));
  const first = runs[0] as TrendRun;
  const last = runs[runs.length - 1] as TrendRun;
  const invalid = runs.filter((r) => !r.valid).length;
  return {
    id,
    title,
    summary:
      `${runs.length} runs from ${runLabel(first.startedAt)} to ${runLabel(last.startedAt)} UTC. ` +
      `p95 went from ${fmt(first.p95, ' ms')} to ${fmt(last.p95, ' ms')}, the error rate from ` +
      `${fmt(first.errors, ' %')} to ${fmt(last.errors, ' %')}.` +
      (invalid ? ` ${invalid} invalid run${invalid > 1 ? 's are' : ' is'} left out.` : ''),
    x: { kind: 'category', labels: runs.map((r) => runLabel(r.startedAt)), title: 'run (start, UTC)' },
    y: { title: 'latency', unit: 'ms', min: 0 },
    y2: { title: 'error rate', unit: 'percent', min: 0, suggestedMax: 1 },
    overlays: false,
    series: [
      { label: 'p95', type: 'line', color: color.blue, markers: true, points: pick('p95') },
      { label: 'p99', type: 'line', color: color.purple, dash: [6, 3], markers: true, points: pick('p99') },
      {
        label: 'error rate (right axis)',
        type: 'line',
        color: color.vermillion,
        dash: [2, 2],
        markers: true,
        axis: 'y2',
        points: pick('errors'),
      },
    ],
  };
}
