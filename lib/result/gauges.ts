/**
 * Reading gauges as step functions. A series is one gauge name with one full label set; a query
 * names the gauge and a subset of labels, and the matching series are summed (so
 * `pods.ready` with no labels is the ready pods of every zone). A series counts from its first
 * point on; before any matching point the value is unknown (null).
 */
import type { GaugePoint } from './schema.ts';

export type GaugeLabels = Readonly<Record<string, string>>;

export interface StepPoint {
  /** s on the run clock; the value holds until the next point. */
  readonly t: number;
  readonly value: number;
}

function matches(p: GaugePoint, name: string, labels: GaugeLabels): boolean {
  if (p.name !== name) return false;
  for (const [k, v] of Object.entries(labels)) if (p.labels?.[k] !== v) return false;
  return true;
}

function seriesKey(p: GaugePoint): string {
  const l = p.labels ?? {};
  return JSON.stringify(
    Object.keys(l)
      .sort()
      .map((k) => [k, l[k]]),
  );
}

/** The change points of the summed series, in time order; equal consecutive values are merged. */
export function gaugeSeries(
  gauges: readonly GaugePoint[],
  name: string,
  labels: GaugeLabels = {},
): StepPoint[] {
  const points = gauges.filter((p) => matches(p, name, labels));
  // Stable sort: two observations at the same instant keep their recorded order.
  points.sort((a, b) => a.t - b.t);
  const current = new Map<string, number>();
  const out: StepPoint[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as GaugePoint;
    current.set(seriesKey(p), p.value);
    // Only the last point of an instant defines the value at that instant.
    if (i + 1 < points.length && (points[i + 1] as GaugePoint).t === p.t) continue;
    let sum = 0;
    for (const v of current.values()) sum += v;
    const last = out[out.length - 1];
    if (last === undefined || last.value !== sum) out.push({ t: p.t, value: sum });
  }
  return out;
}

/** The value at `t` of a step series (the last change at or before t), or null before its first point. */
export function stepAt(series: readonly StepPoint[], t: number): number | null {
  let lo = 0;
  let hi = series.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((series[mid] as StepPoint).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : (series[lo - 1] as StepPoint).value;
}

/** The (summed) value of a gauge at `t`, or null when nothing was observed yet. */
export function gaugeAt(
  gauges: readonly GaugePoint[],
  name: string,
  labels: GaugeLabels,
  t: number,
): number | null {
  return stepAt(gaugeSeries(gauges, name, labels), t);
}

/** Documented gauge names (readers must accept others). */
export const gaugeNames = [
  'deployment.desired',
  'deployment.updated',
  'deployment.available',
  'deployment.ready',
  'hpa.current',
  'hpa.desired',
  'hpa.cpu',
  'endpoints.ready',
  'nodes.ready',
  'pods.ready',
] as const;
export type GaugeName = (typeof gaugeNames)[number];
