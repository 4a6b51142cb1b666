/**
 * Regression thresholds: how much worse a metric may get before the comparison fails, as
 * `p95=10%,p99=15%,errors=0.1pp`. Relative (`%` of the baseline value) or absolute in the
 * metric's unit (`ms`/`s` for latency and recovery, `pp` percentage points for rates given in %).
 */
import { UsageError } from '../../lib/errors.ts';
import { type MetricId, metricDefs, metricIds } from './metrics.ts';

export interface Threshold {
  readonly kind: 'relative' | 'absolute';
  /** Percent of the baseline for relative; ms, s or percentage points for absolute. */
  readonly value: number;
  /** As written, for messages: `10%`, `0.1pp`, `20ms`. */
  readonly text: string;
}

/** A metric mapped to null has its threshold switched off. */
export type Thresholds = Readonly<Partial<Record<MetricId, Threshold | null>>>;

/** Without --threshold, only a p95 worse by more than 10 % fails the comparison. */
export const DEFAULT_THRESHOLDS: Thresholds = { p95: { kind: 'relative', value: 10, text: '10%' } };

export const THRESHOLD_HINT =
  "write thresholds like 'p95=10%,p99=15%,errors=0.1pp,p99=50ms,recovery=5s' (or 'p95=off')";

function unitsFor(id: MetricId): string[] {
  switch (metricDefs[id].unit) {
    case 'ms':
    case 's':
      return ['%', 'ms', 's'];
    case 'percent':
      return ['%', 'pp'];
    case 'rps':
      return ['%'];
  }
}

function parseOne(item: string): [MetricId, Threshold | null] {
  const m = /^\s*([a-z0-9]+)\s*=\s*(.+?)\s*$/i.exec(item);
  if (!m) throw new UsageError(`--threshold: cannot read '${item}'; ${THRESHOLD_HINT}`);
  const name = (m[1] as string).toLowerCase();
  const raw = (m[2] as string).toLowerCase();
  if (!(metricIds as readonly string[]).includes(name)) {
    throw new UsageError(`--threshold: unknown metric '${m[1]}'; metrics: ${metricIds.join(', ')}`);
  }
  const id = name as MetricId;
  if (raw === 'off') return [id, null];
  const v = /^(\d+(?:\.\d+)?)\s*(%|pp|ms|s)$/.exec(raw);
  const allowed = unitsFor(id);
  if (!v) {
    throw new UsageError(
      `--threshold: '${item}' needs a number with a unit (${allowed.join(', ')}), e.g. ${id}=${allowed[0] === '%' ? '10%' : `1${allowed[0]}`}`,
    );
  }
  const unit = v[2] as string;
  if (!allowed.includes(unit)) {
    throw new UsageError(`--threshold: ${id} takes ${allowed.join(' or ')}, not ${unit} (in '${item}')`);
  }
  const n = Number(v[1]);
  const unitDef = metricDefs[id].unit;
  if (unit === '%') return [id, { kind: 'relative', value: n, text: `${n}%` }];
  // Absolute thresholds are kept in the metric's own unit.
  const value = unit === 's' && unitDef === 'ms' ? n * 1000 : unit === 'ms' && unitDef === 's' ? n / 1000 : n;
  return [id, { kind: 'absolute', value, text: `${n}${unit}` }];
}

/** Parses `--threshold` values (each may hold several, comma-separated) over the defaults. */
export function parseThresholds(
  values: readonly string[],
  base: Thresholds = DEFAULT_THRESHOLDS,
): Thresholds {
  const out: Partial<Record<MetricId, Threshold | null>> = { ...base };
  for (const value of values) {
    for (const item of value.split(',')) {
      if (item.trim() === '') continue;
      const [id, t] = parseOne(item);
      out[id] = t;
    }
  }
  return out;
}

/**
 * How much worse `current` is than `baseline`, in the threshold's terms (percent of baseline or
 * the metric's unit), and whether that exceeds it. A relative threshold against a zero baseline:
 * any worsening exceeds it (there is no percentage of zero).
 */
export function exceeds(t: Threshold, worseBy: number, baseline: number): boolean {
  // Exactly at the threshold passes; float noise (10.000000000000002 %) must not tip it over.
  const EPS = 1e-9;
  if (worseBy <= EPS) return false;
  if (t.kind === 'absolute') return worseBy > t.value + EPS;
  if (baseline === 0) return true;
  return (worseBy / Math.abs(baseline)) * 100 > t.value + EPS;
}
