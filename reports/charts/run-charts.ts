/**
 * The charts of one run, on one time axis: load, latency, failures, replicas and zones. A chart
 * with nothing to show is listed as omitted with a reason instead of drawn empty.
 */
import { gaugeSeries, stepAt } from '../../lib/result/gauges.ts';
import type { GaugePoint, RunResult, Verdict } from '../../lib/result/schema.ts';
import { ms, num, sortedCounts } from '../format.ts';
import { runOverlays } from './overlays.ts';
import { color, colorForErrorKind, cycleColor, cycleDash } from './palette.ts';
import { type Bucket, bucketSeries } from './buckets.ts';
import type { AxisSpec, ChartModel, ChartSpec, OmittedChart, SeriesSpec, XAxisSpec, XY } from './types.ts';

export function runChartModel(result: RunResult): ChartModel {
  const min = 0;
  const max = Math.max(1, Math.ceil(Math.max(result.durationS, result.series.length)));
  const x: XAxisSpec = { kind: 'time', min, max, title: 'time since the run started' };
  // A run rarely ends on a whole second: its last second may hold a few milliseconds of load,
  // which per second reads as the rate collapsing at the end. Less than half a second is left out.
  const whole = result.series.filter((p, i) => i < result.series.length - 1 || p.t + 0.5 <= result.durationS);
  const { buckets, size } = bucketSeries(whole);
  const per = size === 1 ? 'per second' : `per second, averaged over ${size} s`;
  const gauges = result.gauges ?? [];

  const charts: ChartSpec[] = [];
  const omitted: OmittedChart[] = [];
  const add = (c: ChartSpec | OmittedChart): void => {
    if ('series' in c) charts.push(c);
    else omitted.push(c);
  };
  add(throughputChart(result, buckets, x, per));
  add(latencyChart(result, buckets, x, size));
  add(failuresChart(buckets, x, per));
  add(replicasChart(gauges, x));
  add(zonesChart(gauges, x));
  return { charts, omitted, overlays: runOverlays(result.spans, result.events, min, max) };
}

function throughputChart(
  r: RunResult,
  b: readonly Bucket[],
  x: XAxisSpec,
  per: string,
): ChartSpec | OmittedChart {
  const id = 'throughput';
  const title = 'Requests per second: intended and achieved';
  if (b.length === 0) return { id, title, note: 'No load was scheduled, so there is no rate to chart.' };
  const low = b
    .filter((p) => p.intended > 0)
    .reduce<Bucket | undefined>((m, p) => (!m || p.sent < m.sent ? p : m), undefined);
  const lowText = low ? ` The lowest point was ${num(low.sent)} req/s sent at ${num(low.start)} s.` : '';
  return {
    id,
    title,
    summary: `Intended ${num(r.load.intendedRps)} req/s, achieved ${num(r.load.achievedRps)} req/s over the run.${lowText}`,
    x,
    y: { title: `requests (${per})`, unit: 'rps', min: 0 },
    overlays: true,
    series: [
      line('intended', b, (p) => p.intended, color.grey, [6, 4]),
      line('achieved (sent)', b, (p) => p.sent, color.blue),
      line('succeeded', b, (p) => p.ok, color.green, [2, 2]),
    ],
  };
}

function latencyChart(
  r: RunResult,
  b: readonly Bucket[],
  x: XAxisSpec,
  size: number,
): ChartSpec | OmittedChart {
  const id = 'latency';
  const title = 'Latency: p50, p95 and p99';
  if (!b.some((p) => p.p50 !== null || p.p99 !== null)) {
    return { id, title, note: 'No request completed, so there is no latency to chart.' };
  }
  const slas = latencySlaLines(r.verdicts);
  const peak = b.reduce<Bucket | undefined>(
    (m, p) => (p.p99 !== null && (!m || p.p99 > (m.p99 ?? -1)) ? p : m),
    undefined,
  );
  const slaText = slas.length ? ` ${slas.map((s) => s.label).join('; ')}.` : ' No latency SLA was set.';
  return {
    id,
    title,
    summary:
      `Latency from the intended send time; p95 over the run ${ms(r.load.latencyMs.p95)}` +
      (peak ? `, p99 peaked at ${ms(peak.p99)} at ${num(peak.start)} s.` : '.') +
      slaText,
    x,
    y: latencyAxis(b, slas, size),
    overlays: true,
    series: [
      line('p50', b, (p) => p.p50, color.green, []),
      line('p95', b, (p) => p.p95, color.blue, [6, 3]),
      line('p99', b, (p) => p.p99, color.purple, [2, 2]),
      ...slas,
    ],
  };
}

/** A spike this many times the typical p50 would flatten the rest of the chart: log scale. */
const kLogSpread = 20;

function latencyAxis(b: readonly Bucket[], slas: readonly SeriesSpec[], size: number): AxisSpec {
  const title = size === 1 ? 'latency' : `latency (over each ${size} s)`;
  const p50s = b.flatMap((p) => (p.p50 !== null && p.p50 > 0 ? [p.p50] : [])).sort((x, y) => x - y);
  const typical = p50s[Math.floor(p50s.length / 2)];
  const top = Math.max(...b.map((p) => p.p99 ?? 0), ...slas.flatMap((s) => s.points.map((pt) => pt.y ?? 0)));
  if (typical === undefined || top / typical <= kLogSpread) return { title, unit: 'ms', min: 0 };
  // Four times the top is 0.6 of a decade: room above the data for the markers' rows.
  return { title, unit: 'ms', scale: 'log', suggestedMax: top * 4 };
}

const slaDashes = [
  [8, 4],
  [14, 4, 3, 4],
  [4, 4],
];
const latencySlaName = /^(p\d+(?:\.\d+)?|max)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*ms\b/;

/** One horizontal line per latency SLA, over the window its verdict judged. */
export function latencySlaLines(verdicts: readonly Verdict[]): SeriesSpec[] {
  const seen = new Set<string>();
  const out: SeriesSpec[] = [];
  for (const v of verdicts) {
    const m = latencySlaName.exec(v.name);
    if (!m) continue;
    const evidence = v.evidence as { limit?: unknown } | undefined;
    const limit = typeof evidence?.limit === 'number' ? evidence.limit : Number(m[3]);
    const scope = /\[(.+)\]\s*$/.exec(v.name)?.[1];
    const label = `SLA ${m[1]} ${m[2] === '<' ? '<' : '≤'} ${num(limit, 2)} ms${scope ? ` (${scope})` : ''}`;
    const key = `${label}@${v.window.start}-${v.window.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      label,
      type: 'line',
      color: color.sla,
      dash: slaDashes[out.length % slaDashes.length] ?? [],
      width: 1.5,
      points: [
        { x: v.window.start, y: limit },
        { x: v.window.end, y: limit },
      ],
    });
  }
  return out;
}

function failuresChart(b: readonly Bucket[], x: XAxisSpec, per: string): ChartSpec | OmittedChart {
  const id = 'failures';
  const title = 'Failed and dropped requests per second, by kind';
  const totals: Record<string, number> = {};
  let dropped = 0;
  for (const p of b) {
    for (const [k, n] of Object.entries(p.errors)) totals[k] = (totals[k] ?? 0) + n;
    dropped += p.dropped;
  }
  const kinds = sortedCounts(totals).filter(([, n]) => n > 0);
  if (kinds.length === 0 && dropped === 0) {
    return { id, title, note: 'No request failed and none was dropped.' };
  }
  const series: SeriesSpec[] = kinds.map(([kind], i) => ({
    label: kind,
    type: 'bar',
    color: colorForErrorKind(kind, i),
    points: b.map((p) => ({ x: p.mid, y: p.errors[kind] ?? 0 })),
  }));
  if (dropped > 0) {
    series.push({
      label: 'dropped (never sent)',
      type: 'bar',
      color: colorForErrorKind('dropped', 0),
      points: b.map((p) => ({ x: p.mid, y: p.dropped })),
    });
  }
  const worst = b.reduce<Bucket | undefined>(
    (m, p) => (!m || p.failed + p.dropped > m.failed + m.dropped ? p : m),
    undefined,
  );
  return {
    id,
    title,
    summary:
      `Failures by kind: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; dropped ${dropped}. ` +
      (worst ? `The worst second was ${num(worst.start)} s.` : ''),
    x,
    y: { title: `requests (${per})`, unit: 'rps', min: 0 },
    stacked: true,
    overlays: true,
    series,
  };
}

interface GaugeLine {
  readonly name: string;
  readonly labelKey: string;
  readonly text: string;
  readonly color: string;
  readonly dash: readonly number[];
}

function replicasChart(gauges: readonly GaugePoint[], x: XAxisSpec): ChartSpec | OmittedChart {
  const lines: GaugeLine[] = [
    {
      name: 'deployment.desired',
      labelKey: 'deployment',
      text: 'desired replicas',
      color: color.grey,
      dash: [6, 4],
    },
    {
      name: 'deployment.available',
      labelKey: 'deployment',
      text: 'available replicas',
      color: color.blue,
      dash: [],
    },
    { name: 'hpa.desired', labelKey: 'hpa', text: 'HPA desired', color: color.purple, dash: [10, 3, 2, 3] },
    {
      name: 'endpoints.ready',
      labelKey: 'service',
      text: 'ready endpoints',
      color: color.green,
      dash: [2, 2],
    },
  ];
  const series = lines.flatMap((l) => gaugeLines(gauges, l, x));
  const id = 'replicas';
  const title = 'Replicas and ready endpoints';
  if (series.length === 0) {
    return { id, title, note: 'No replica or endpoint data: the run observed no cluster.' };
  }
  return {
    id,
    title,
    summary: gaugeSummary(series),
    x,
    y: { title: 'count', unit: 'count', min: 0, suggestedMax: maxY(series) + 1 },
    overlays: true,
    series,
  };
}

function zonesChart(gauges: readonly GaugePoint[], x: XAxisSpec): ChartSpec | OmittedChart {
  const id = 'zones';
  const title = 'Ready nodes per zone (stacked)';
  const zones = labelValues(gauges, 'nodes.ready', 'zone');
  if (zones.length === 0 || x.kind !== 'time') {
    return { id, title, note: 'No node data: the run observed no cluster nodes.' };
  }
  // Zones are drawn stacked, so three zones of 2 nodes do not hide behind one line; stacking
  // needs every zone's value at the same instants, hence one shared grid of change times.
  const steps = zones.map((zone) => gaugeSeries(gauges, 'nodes.ready', zone === '' ? {} : { zone }));
  const times = [...new Set([x.min, ...steps.flatMap((st) => st.map((p) => Math.max(x.min, p.t))), x.max])]
    .filter((t) => t <= x.max)
    .sort((a, b) => a - b);
  const series: SeriesSpec[] = zones.map((zone, i) => ({
    label: zone === '' ? '(no zone)' : zone,
    type: 'line',
    color: cycleColor(i),
    stepped: true,
    area: true,
    width: 1.5,
    points: times.map((t) => ({ x: t, y: stepAt(steps[i] ?? [], t) ?? 0 })),
  }));
  const total = times.map((_, j) => series.reduce((a, s) => a + (s.points[j]?.y ?? 0), 0));
  return {
    id,
    title,
    summary: `${gaugeSummary(series)} All zones together: between ${Math.min(...total)} and ${Math.max(...total)} ready nodes.`,
    x,
    y: { title: 'ready nodes', unit: 'count', min: 0, suggestedMax: Math.max(...total) + 1 },
    stacked: true,
    overlays: true,
    series,
  };
}

/** The distinct values of one label among a gauge's points ('' for points without it). */
function labelValues(gauges: readonly GaugePoint[], name: string, key: string): string[] {
  const values = new Set<string>();
  for (const g of gauges) if (g.name === name) values.add(g.labels?.[key] ?? '');
  return [...values].sort();
}

/** One stepped line per object (label value) of a gauge, held to the end of the chart. */
function gaugeLines(gauges: readonly GaugePoint[], l: GaugeLine, x: XAxisSpec, only?: string): SeriesSpec[] {
  if (x.kind !== 'time') return [];
  const objects = only === undefined ? labelValues(gauges, l.name, l.labelKey) : [only];
  return objects.flatMap((obj, i) => {
    const steps = gaugeSeries(gauges, l.name, obj === '' ? {} : { [l.labelKey]: obj });
    const last = steps[steps.length - 1];
    if (!last) return [];
    const points: XY[] = steps.map((s) => ({ x: Math.max(x.min, s.t), y: s.value }));
    if (last.t < x.max) points.push({ x: x.max, y: last.value });
    const label = obj === '' ? l.text : `${l.text} (${obj})`;
    return [
      {
        label,
        type: 'line' as const,
        color: l.color,
        dash: i === 0 ? l.dash : cycleDash(i + 1),
        stepped: true,
        points,
      },
    ];
  });
}

function maxY(series: readonly SeriesSpec[]): number {
  let m = 0;
  for (const s of series) for (const p of s.points) if (p.y !== null && p.y > m) m = p.y;
  return m;
}

function gaugeSummary(series: readonly SeriesSpec[]): string {
  return series
    .map((s) => {
      const ys = s.points.map((p) => p.y).filter((y): y is number => y !== null);
      const lo = Math.min(...ys);
      const hi = Math.max(...ys);
      return `${s.label}: ${lo === hi ? `${lo} throughout` : `between ${lo} and ${hi}`}`;
    })
    .join('; ')
    .concat('.');
}

function line(
  label: string,
  b: readonly Bucket[],
  value: (p: Bucket) => number | null,
  c: string,
  dash: readonly number[] = [],
): SeriesSpec {
  return { label, type: 'line', color: c, dash, points: b.map((p) => ({ x: p.mid, y: value(p) })) };
}
