/**
 * One run against a baseline: per-verdict changes and per-metric deltas, judged against
 * regression thresholds. Pure: two results and thresholds in, a comparison out.
 */
import type { RunResult, Verdict } from '../../lib/result/schema.ts';
import { verdictOutcome } from '../format.ts';
import type { VerdictOutcome } from '../format.ts';
import {
  type MetricDef,
  type MetricId,
  type MetricUnit,
  metricDefs,
  latencyQuantiles,
  metricIds,
  runMetrics,
  verdictMetric,
} from './metrics.ts';
import { type ChangeInterval, type Window, quantileChangeIntervals, withinNoise } from './noise.ts';
import type { HistorySpread } from './spread.ts';
import { DEFAULT_THRESHOLDS, type Threshold, type Thresholds, exceeds } from './thresholds.ts';

/**
 * `regressed`: worse beyond its threshold; `noise`: worse beyond its threshold, but by no more
 * than the two runs' own spread allows (see noise.ts); `worse`: worse, but within (or without) a
 * threshold.
 */
export type DeltaStatus = 'regressed' | 'noise' | 'worse' | 'better' | 'same' | 'n/a';

export interface MetricDelta {
  /** A metric id, or `verdict:<name>` for a verdict's observed value. */
  readonly key: string;
  readonly label: string;
  readonly unit: MetricUnit;
  readonly better: 'lower' | 'higher';
  readonly baseline: number | null;
  readonly current: number | null;
  /** current − baseline, in the unit; null when either is missing. */
  readonly delta: number | null;
  /** delta as a percentage of the baseline; null when missing or the baseline is 0. */
  readonly relative: number | null;
  readonly threshold: Threshold | null;
  /** The bootstrap interval of `relative`, for latency quantiles of runs with per-second histograms. */
  readonly interval: ChangeInterval | null;
  /** The run-to-run spread of this metric in the baseline's history, when one was given. */
  readonly spread: HistorySpread | null;
  readonly status: DeltaStatus;
}

export type VerdictState = VerdictOutcome | 'absent';

/** `regressed`: it passed (or was not judged or absent) in the baseline and fails now. */
export type VerdictChangeKind =
  'regressed' | 'fixed' | 'still-failing' | 'unchanged' | 'not-judged' | 'new' | 'removed';

export interface VerdictChange {
  readonly name: string;
  readonly baseline: VerdictState;
  readonly current: VerdictState;
  readonly change: VerdictChangeKind;
}

export interface RunRef {
  readonly scenario: string;
  readonly startedAt: string;
  readonly pass: boolean;
  readonly valid: boolean;
  /** Where it was read from, for the report. */
  readonly source: string;
}

/** `regression`: something got worse beyond a threshold; `invalid`: the current run cannot be judged. */
export type ComparisonOutcome = 'ok' | 'regression' | 'invalid';

export interface Comparison {
  readonly current: RunRef;
  readonly baseline: RunRef;
  readonly metrics: readonly MetricDelta[];
  readonly verdicts: readonly VerdictChange[];
  /** One line per regression, in the order of the tables. */
  readonly regressions: readonly string[];
  /** Things a reader should know that are not regressions (different scenarios, not-judged verdicts). */
  readonly notes: readonly string[];
  readonly outcome: ComparisonOutcome;
}

export interface CompareInput {
  readonly current: RunResult;
  readonly baseline: RunResult;
  readonly currentSource: string;
  readonly baselineSource: string;
  readonly thresholds?: Thresholds;
  /** Run-to-run spread per metric, from the baseline's history directory (spread.ts). */
  readonly spreads?: Partial<Record<MetricId, HistorySpread>>;
}

const EPS = 1e-9;

function delta(
  key: string,
  def: Pick<MetricDef, 'label' | 'unit' | 'better'>,
  baseline: number | null,
  current: number | null,
  threshold: Threshold | null,
  interval: ChangeInterval | null = null,
  spread: HistorySpread | null = null,
): MetricDelta {
  const d = baseline === null || current === null ? null : current - baseline;
  const relative = d === null || baseline === 0 || baseline === null ? null : (d / Math.abs(baseline)) * 100;
  let status: DeltaStatus = 'n/a';
  if (d !== null && baseline !== null) {
    const worseBy = def.better === 'lower' ? d : -d;
    if (Math.abs(d) <= EPS) status = 'same';
    else if (worseBy < 0) status = 'better';
    else if (!threshold || !exceeds(threshold, worseBy, baseline)) status = 'worse';
    else if (interval && withinNoise(interval, def.better)) status = 'noise';
    else if (spread && relative !== null && Math.abs(relative) <= spread.percent) status = 'noise';
    else status = 'regressed';
  }
  return { key, ...def, baseline, current, delta: d, relative, threshold, interval, spread, status };
}

/** Noise intervals of the given metrics (those that are latency quantiles), by metric id. */
function intervalsFor(
  ids: readonly (MetricId | null)[],
  current: RunResult,
  currentWindow: Window | null,
  baseline: RunResult,
  baselineWindow: Window | null,
): Map<MetricId, ChangeInterval> {
  const wanted = ids.filter((id): id is MetricId => id !== null && latencyQuantiles[id] !== undefined);
  const out = new Map<MetricId, ChangeInterval>();
  if (wanted.length === 0) return out;
  const byQ = quantileChangeIntervals(
    current.series,
    currentWindow,
    baseline.series,
    baselineWindow,
    wanted.map((id) => latencyQuantiles[id]!),
  );
  for (const id of wanted) {
    const i = byQ?.get(latencyQuantiles[id]!);
    if (i) out.set(id, i);
  }
  return out;
}

/** A verdict's observed value, when its evidence is SLA-shaped (`{ value, limit, op }`). */
function observedValue(v: Verdict | undefined): { value: number; op: string } | null {
  const ev = v?.evidence as { value?: unknown; op?: unknown } | undefined;
  if (typeof ev?.value !== 'number' || typeof ev.op !== 'string') return null;
  return { value: ev.value, op: ev.op };
}

/** Each verdict row with SLA evidence; its family's history spread stands in for the verdict's own. */
function verdictDeltas(
  current: RunResult,
  baseline: RunResult,
  thresholds: Thresholds,
  spreads: CompareInput['spreads'] = {},
): MetricDelta[] {
  const base = new Map(baseline.verdicts.map((v) => [v.name, v]));
  const out: MetricDelta[] = [];
  for (const v of current.verdicts) {
    const cur = observedValue(v);
    const before = base.get(v.name);
    const old = observedValue(before);
    if (!cur || !old) continue;
    const family = verdictMetric(v.name);
    const def = family ? metricDefs[family] : undefined;
    const better = cur.op.startsWith('<') ? 'lower' : 'higher';
    out.push(
      delta(
        `verdict:${v.name}`,
        { label: `${v.name} (observed)`, unit: def?.unit ?? 'ms', better },
        old.value,
        cur.value,
        family ? (thresholds[family] ?? null) : null,
        family
          ? (intervalsFor([family], current, v.window, baseline, before?.window ?? null).get(family) ?? null)
          : null,
        family ? (spreads[family] ?? null) : null,
      ),
    );
  }
  return out;
}

function verdictChange(name: string, b: VerdictState, c: VerdictState): VerdictChange {
  let change: VerdictChangeKind;
  if (c === 'absent') change = 'removed';
  else if (c === 'fail') change = b === 'fail' ? 'still-failing' : 'regressed';
  else if (c === 'inconclusive') change = b === 'inconclusive' ? 'unchanged' : 'not-judged';
  else if (b === 'absent') change = 'new';
  else change = b === 'pass' ? 'unchanged' : 'fixed';
  return { name, baseline: b, current: c, change };
}

function verdictChanges(current: RunResult, baseline: RunResult): VerdictChange[] {
  const base = new Map(baseline.verdicts.map((v) => [v.name, verdictOutcome(v)]));
  const cur = new Map(current.verdicts.map((v) => [v.name, verdictOutcome(v)]));
  const out = current.verdicts.map((v) =>
    verdictChange(v.name, base.get(v.name) ?? 'absent', verdictOutcome(v)),
  );
  for (const v of baseline.verdicts) {
    if (!cur.has(v.name)) out.push(verdictChange(v.name, verdictOutcome(v), 'absent'));
  }
  return out;
}

export function fmtValue(n: number | null, unit: MetricUnit): string {
  if (n === null) return '—';
  const r = (d: number): string => String(Number(n.toFixed(d)));
  switch (unit) {
    case 'ms':
      return `${r(n >= 100 ? 0 : 2)} ms`;
    case 'percent':
      return `${r(3)} %`;
    case 'rps':
      return `${r(1)} req/s`;
    case 's':
      return `${r(2)} s`;
  }
}

function regressionLine(m: MetricDelta): string {
  const how =
    m.relative !== null
      ? `${Number(Math.abs(m.relative).toFixed(1))} %`
      : fmtValue(Math.abs(m.delta ?? 0), m.unit);
  const dir = m.better === 'lower' ? 'up' : 'down';
  return `${m.label} ${dir} ${how} (${fmtValue(m.baseline, m.unit)} → ${fmtValue(m.current, m.unit)}), over the ${m.threshold?.text} threshold`;
}

/** Percent with its sign, for interval bounds. */
export function signedPercent(n: number): string {
  const r = Number(Math.abs(n).toFixed(1));
  return `${n < 0 ? '−' : '+'}${r} %`;
}

function noiseNote(m: MetricDelta): string {
  const head = `${m.label} is worse by more than the ${m.threshold?.text} threshold, but`;
  const i = m.interval;
  if (i && withinNoise(i, m.better)) {
    return (
      `${head} within the two runs' own spread (${i.confidence} % interval of the change: ` +
      `${signedPercent(i.low)} to ${signedPercent(i.high)}), so it is not counted as a regression. ` +
      'Longer runs narrow the interval.'
    );
  }
  const s = m.spread!;
  return (
    `${head} within the run-to-run spread of its history (up to ±${Number(s.percent.toFixed(1))} % between ` +
    `consecutive runs, from the latest ${s.runs}), so it is not counted as a regression.`
  );
}

function ref(r: RunResult, source: string): RunRef {
  return { scenario: r.scenario.name, startedAt: r.startedAt, pass: r.pass, valid: r.valid, source };
}

export function compareRuns(input: CompareInput): Comparison {
  const { current, baseline } = input;
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const cm = runMetrics(current);
  const bm = runMetrics(baseline);
  const ids = metricIds.filter((id: MetricId) => cm[id] !== null || bm[id] !== null);
  const intervals = intervalsFor(ids, current, null, baseline, null);
  const metrics: MetricDelta[] = ids.map((id) =>
    delta(
      id,
      metricDefs[id],
      bm[id],
      cm[id],
      thresholds[id] ?? null,
      intervals.get(id) ?? null,
      input.spreads?.[id] ?? null,
    ),
  );
  metrics.push(...verdictDeltas(current, baseline, thresholds, input.spreads));
  const verdicts = verdictChanges(current, baseline);

  const regressions = [
    ...metrics.filter((m) => m.status === 'regressed').map(regressionLine),
    ...verdicts
      .filter((v) => v.change === 'regressed')
      .map(
        (v) =>
          `verdict ${v.name} now fails (${v.baseline === 'absent' ? 'not in the baseline' : `was ${v.baseline}`})`,
      ),
  ];

  const notes: string[] = metrics.filter((m) => m.status === 'noise').map(noiseNote);
  if (current.scenario.name !== baseline.scenario.name) {
    notes.push(`The baseline is another scenario (${baseline.scenario.name}); deltas may not mean much.`);
  }
  for (const v of verdicts) {
    if (v.change === 'not-judged')
      notes.push(`verdict ${v.name} could not be judged in this run (inconclusive).`);
    if (v.change === 'removed') notes.push(`verdict ${v.name} is in the baseline only.`);
  }
  if (!current.valid) {
    notes.unshift(
      'The current run is invalid: the load generator fell short, so its numbers say nothing about the target. ' +
        'Nothing was judged; run it again.',
    );
  }
  const outcome: ComparisonOutcome = !current.valid
    ? 'invalid'
    : regressions.length > 0
      ? 'regression'
      : 'ok';
  return {
    current: ref(current, input.currentSource),
    baseline: ref(baseline, input.baselineSource),
    metrics,
    verdicts,
    regressions,
    notes,
    outcome,
  };
}
