/** Words and symbols for a comparison, shared by its Markdown and HTML renderings. */
import type {
  ComparisonOutcome,
  DeltaStatus,
  MetricDelta,
  VerdictChangeKind,
  VerdictState,
} from './compare.ts';
import { fmtValue, signedPercent } from './compare.ts';

export const outcomeLabel: Record<ComparisonOutcome, { icon: string; text: string }> = {
  ok: { icon: '✅', text: 'NO REGRESSION' },
  regression: { icon: '❌', text: 'REGRESSION' },
  invalid: { icon: '⚠️', text: 'NOT JUDGED: the current run is invalid' },
};

export const statusLabel: Record<DeltaStatus, string> = {
  regressed: '❌ regressed',
  noise: '≈ within noise',
  worse: '↘ worse',
  better: '↗ better',
  same: '= same',
  'n/a': '—',
};

export const changeLabel: Record<VerdictChangeKind, string> = {
  regressed: '❌ now fails',
  fixed: '✅ fixed',
  'still-failing': 'still fails',
  unchanged: 'unchanged',
  'not-judged': '⚠️ not judged',
  new: 'new',
  removed: 'removed',
};

export const stateLabel: Record<VerdictState, string> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'inconclusive',
  absent: '—',
};

/**
 * "+12.3 % (+7.5 ms)", or the absolute change alone when there is no percentage of a zero
 * baseline; a latency quantile adds its noise interval: "+12.3 % (+7.5 ms; 95 %: +2 % to +20 %)".
 */
export function changeText(m: MetricDelta): string {
  if (m.delta === null) return '—';
  if (m.status === 'same') return 'no change';
  const sign = m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±';
  const abs = fmtValue(Math.abs(m.delta), m.unit).replace(' %', ' pp');
  if (m.relative === null) return `${sign}${abs}`;
  const spread = m.interval
    ? `; ${m.interval.confidence} %: ${signedPercent(m.interval.low)} to ${signedPercent(m.interval.high)}`
    : '';
  return `${sign}${Number(Math.abs(m.relative).toFixed(1))} % (${sign}${abs}${spread})`;
}

export function thresholdText(m: MetricDelta): string {
  return m.threshold ? `worse by > ${m.threshold.text}` : '—';
}

/** "2026-11-29 02:00 UTC" from an ISO time. */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Under the metric table: how to read the intervals, when any metric has one. */
export const NOISE_EXPLAINED =
  'Latency quantiles carry a 95 % interval of their change, from resampling each run’s seconds; ' +
  'a change over its threshold counts as a regression only when that whole interval is on the worse side.';
