/**
 * The numbers a comparison looks at, read from one result: whole-run latency, error rate,
 * availability and achieved rate, plus recovery time and maximum sustainable rate when a verdict's
 * evidence carries them. Every value may be null (not measured in this run).
 */
import type { RunResult, Verdict } from '../../lib/result/schema.ts';

export const metricIds = [
  'p50',
  'p90',
  'p95',
  'p99',
  'max',
  'errors',
  'availability',
  'rps',
  'recovery',
  'capacity',
] as const;
export type MetricId = (typeof metricIds)[number];

export type MetricUnit = 'ms' | 'percent' | 'rps' | 's';

export interface MetricDef {
  readonly id: MetricId;
  readonly label: string;
  readonly unit: MetricUnit;
  /** Which way is better; a change the other way is a regression candidate. */
  readonly better: 'lower' | 'higher';
}

export const metricDefs: Readonly<Record<MetricId, MetricDef>> = {
  p50: { id: 'p50', label: 'p50 latency', unit: 'ms', better: 'lower' },
  p90: { id: 'p90', label: 'p90 latency', unit: 'ms', better: 'lower' },
  p95: { id: 'p95', label: 'p95 latency', unit: 'ms', better: 'lower' },
  p99: { id: 'p99', label: 'p99 latency', unit: 'ms', better: 'lower' },
  max: { id: 'max', label: 'max latency', unit: 'ms', better: 'lower' },
  errors: { id: 'errors', label: 'error rate', unit: 'percent', better: 'lower' },
  availability: { id: 'availability', label: 'availability', unit: 'percent', better: 'higher' },
  rps: { id: 'rps', label: 'achieved rate', unit: 'rps', better: 'higher' },
  recovery: { id: 'recovery', label: 'recovery time', unit: 's', better: 'lower' },
  capacity: { id: 'capacity', label: 'max sustainable rate', unit: 'rps', better: 'higher' },
};

/**
 * The latency quantiles, in percent, by metric id: the metrics whose change gets a noise interval
 * (noise.ts) and a history spread (spread.ts).
 */
export const latencyQuantiles: Readonly<Partial<Record<MetricId, number>>> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p99: 99,
};

export type RunMetrics = Readonly<Record<MetricId, number | null>>;

/** Evidence keys that carry a recovery time (s) or a maximum sustainable rate (req/s). */
export const recoveryKeys = ['recoveryS', 'recoveryTimeS', 'recoverySeconds'] as const;
export const capacityKeys = ['maxSustainableRps', 'maxSustainableRate', 'maxRps'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Numbers under the given keys in a verdict's evidence, at its top level or in its `faults` list
 * (the recovery-time verdict reports one recovery per fault).
 */
function evidenceNumbers(v: Verdict, keys: readonly string[]): number[] {
  const ev = v.evidence;
  if (!isObj(ev)) return [];
  const places = [ev, ...(Array.isArray(ev['faults']) ? ev['faults'].filter(isObj) : [])];
  const out: number[] = [];
  for (const place of places) {
    const n = keys.map((k) => place[k]).find((x) => typeof x === 'number' && Number.isFinite(x));
    if (typeof n === 'number') out.push(n);
  }
  return out;
}

/** The worst value any verdict reports under the given keys (several faults: the slowest recovery). */
function fromVerdicts(
  verdicts: readonly Verdict[],
  keys: readonly string[],
  worst: 'max' | 'min',
): number | null {
  const values = verdicts.flatMap((v) => evidenceNumbers(v, keys));
  if (values.length === 0) return null;
  return worst === 'max' ? Math.max(...values) : Math.min(...values);
}

export function runMetrics(r: RunResult): RunMetrics {
  const q = r.load.requests;
  const completed = q.ok + q.failed;
  return {
    p50: r.load.latencyMs.p50,
    p90: r.load.latencyMs.p90,
    p95: r.load.latencyMs.p95,
    p99: r.load.latencyMs.p99,
    max: r.load.latencyMs.max,
    errors: completed > 0 ? (q.failed / completed) * 100 : null,
    availability: completed > 0 ? (q.ok / completed) * 100 : null,
    rps: r.load.achievedRps,
    recovery: fromVerdicts(r.verdicts, recoveryKeys, 'max'),
    capacity: fromVerdicts(r.verdicts, capacityKeys, 'min'),
  };
}

/**
 * Which metric's threshold governs a verdict's observed value, from its name (`p95<100ms`,
 * `errors<0.1% [during-fault]`, `availability>=99.9%`); null for verdicts with no such family.
 */
export function verdictMetric(name: string): MetricId | null {
  const m = /^(p50|p90|p95|p99|max|errors|availability|recovery)\b/.exec(name);
  return m ? (m[1] as MetricId) : null;
}
