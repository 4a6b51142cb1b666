/**
 * The latency-vs-throughput curve of a capacity search: p50, p95 and p99 of each judged step
 * against the rate it achieved, with the latency SLA lines and the maximum sustainable rate.
 * Invalid steps (the generator fell behind) are left out: their numbers describe the generator.
 */
import type { CapacityResult, CapacityStep } from '../../lib/capacity/schema.ts';
import { color } from '../charts/palette.ts';
import type { ChartSpec, OmittedChart, SeriesSpec, XY } from '../charts/types.ts';
import { ms, num } from '../format.ts';

export const CURVE_CHART_ID = 'latency-vs-throughput';
export const CURVE_TITLE = 'Latency against achieved rate';

const slaDashes = [
  [8, 4],
  [14, 4, 3, 4],
  [4, 4],
];

export function capacityCurveChart(r: CapacityResult): ChartSpec | OmittedChart {
  const id = CURVE_CHART_ID;
  const title = CURVE_TITLE;
  const steps = r.steps
    .filter((s) => s.status !== 'invalid' && s.latencyMs.p50 !== null)
    // Joined in the order the load was offered: past the knee the achieved rate stalls while the
    // latency climbs, which is the shape a reader looks for.
    .sort((a, b) => a.level - b.level);
  if (steps.length === 0) {
    return {
      id,
      title,
      note: 'No step completed requests with the generator on schedule: there is no curve to draw.',
    };
  }
  const pick = (k: 'p50' | 'p95' | 'p99'): XY[] =>
    steps.map((s) => ({ x: s.achievedRps, y: s.latencyMs[k] }));
  const xMax = Math.max(...steps.map((s) => s.achievedRps), r.maxSustainableRps ?? 0);
  const yMax = Math.max(...steps.map((s) => s.latencyMs.p99 ?? 0));
  const slaLines: SeriesSpec[] = r.sla
    .filter((c) => c.metric === 'latency')
    .map((c, i) => ({
      label: `SLA ${c.percentile === 100 ? 'max' : `p${c.percentile}`} ${c.op === '<' ? '<' : '≤'} ${num(c.value, 2)} ms`,
      type: 'line',
      color: color.sla,
      dash: slaDashes[i % slaDashes.length] ?? [8, 4],
      width: 1.5,
      points: [
        { x: 0, y: c.value },
        { x: xMax, y: c.value },
      ],
    }));
  const knee: SeriesSpec[] =
    r.maxSustainableRps === null
      ? []
      : [
          {
            label: `max sustainable ${num(r.maxSustainableRps)} req/s${r.lowerBound ? ' (at least)' : ''}`,
            type: 'line',
            color: color.green,
            dash: [3, 3],
            width: 1.5,
            points: [
              { x: r.maxSustainableRps, y: 0 },
              {
                x: r.maxSustainableRps,
                y: Math.max(yMax, ...r.sla.map((c) => (c.metric === 'latency' ? c.value : 0))),
              },
            ],
          },
        ];
  const invalid = r.steps.length - steps.length;
  return {
    id,
    title,
    summary:
      `Each point is one step's judged part: its p50, p95 and p99 latency against the rate it achieved, joined in the order of the offered load. ` +
      `${steps.length} step${steps.length === 1 ? '' : 's'}, achieving ${num(Math.min(...steps.map((s) => s.achievedRps)))} to ${num(Math.max(...steps.map((s) => s.achievedRps)))} req/s; ` +
      `p99 went from ${ms(first(steps).latencyMs.p99)} to ${ms(last(steps).latencyMs.p99)}.` +
      (invalid
        ? ` ${invalid} step${invalid === 1 ? '' : 's'} where the generator fell behind ${invalid === 1 ? 'is' : 'are'} left out.`
        : ''),
    x: { kind: 'value', unit: 'rps', min: 0, title: 'achieved rate (req/s)' },
    y: { title: 'latency', unit: 'ms', min: 0 },
    overlays: false,
    series: [
      { label: 'p50', type: 'line', color: color.green, markers: true, points: pick('p50') },
      { label: 'p95', type: 'line', color: color.blue, dash: [6, 3], markers: true, points: pick('p95') },
      { label: 'p99', type: 'line', color: color.purple, dash: [2, 2], markers: true, points: pick('p99') },
      ...slaLines,
      ...knee,
    ],
  };
}

const first = (s: readonly CapacityStep[]) => s[0] as CapacityStep;
const last = (s: readonly CapacityStep[]) => s[s.length - 1] as CapacityStep;
