/**
 * k6's thresholds judged over every runner at once. The open-source k6-operator does not aggregate
 * them: each runner evaluates the script's thresholds on its own share of the load (its exit code
 * 99 says nothing about the whole run). So gauntlet tallies what the merged output reports and
 * evaluates the same expressions (lib/load/k6/thresholds.ts) the way k6 would over one stream:
 *
 *   http_req_duration   trend of sending+waiting+receiving (doneAt − sentAt), ms:
 *                       avg, min, med, max, p(N); percentiles from an HDR histogram (3 digits)
 *   http_req_failed     rate of failed requests (the script marks the scenario's statuses ok)
 *   checks              rate of passed checks (one status check per request, so ok / requests)
 *   dropped_iterations  count (and rate per second of the run)
 *
 * Like k6's end-of-test evaluation, an empty trend reads 0 and an empty rate 0.
 */
import { createHistogram, percentileMs, recordMs } from '../../metrics/histogram.ts';
import type { MetricsSink, RequestOutcome } from '../../metrics/types.ts';
import type { K6Threshold } from '../k6/thresholds.ts';

export interface JudgedThreshold {
  readonly metric: string;
  readonly expr: string;
  /** null when gauntlet cannot evaluate the expression (an aggregation it does not tally). */
  readonly ok: boolean | null;
  /** The aggregated value the expression was compared with. */
  readonly value: number | null;
}

const exprRe =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** A MetricsSink in front of the run's own that also keeps what k6's thresholds need. */
export class ThresholdTally implements MetricsSink {
  private readonly durations = createHistogram();
  private requests = 0;
  private failed = 0;
  private drops = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(private readonly inner: MetricsSink) {}

  intended(intendedAt: number): void {
    this.inner.intended(intendedAt);
  }

  dropped(intendedAt: number): void {
    this.drops++;
    this.inner.dropped(intendedAt);
  }

  record(o: RequestOutcome): void {
    const ms = Math.max(0, o.doneAt - o.sentAt);
    this.requests++;
    if (!o.ok) this.failed++;
    this.sum += ms;
    this.min = Math.min(this.min, ms);
    this.max = Math.max(this.max, ms);
    recordMs(this.durations, ms);
    this.inner.record(o);
  }

  private aggregate(metric: string, agg: string, pct: number | null, durationS: number): number | null {
    switch (metric) {
      case 'http_req_duration': {
        if (this.requests === 0) return 0;
        if (agg === 'avg') return this.sum / this.requests;
        if (agg === 'min') return this.min;
        if (agg === 'max') return this.max;
        if (agg === 'med') return percentileMs(this.durations, 50) ?? 0;
        if (pct !== null) return pct >= 100 ? this.max : (percentileMs(this.durations, pct) ?? 0);
        return null;
      }
      case 'http_req_failed':
        return agg === 'rate' ? (this.requests ? this.failed / this.requests : 0) : null;
      case 'checks':
        return agg === 'rate' ? (this.requests ? (this.requests - this.failed) / this.requests : 0) : null;
      case 'dropped_iterations':
        if (agg === 'count') return this.drops;
        if (agg === 'rate') return durationS > 0 ? this.drops / durationS : 0;
        return null;
      default:
        return null;
    }
  }

  /** Every threshold of the script, judged over all runners' output. */
  judge(thresholds: Readonly<Record<string, readonly K6Threshold[]>>, durationS: number): JudgedThreshold[] {
    const out: JudgedThreshold[] = [];
    for (const [metric, list] of Object.entries(thresholds)) {
      for (const t of list) {
        const expr = typeof t === 'string' ? t : t.threshold;
        const m = exprRe.exec(expr);
        const value = m
          ? this.aggregate(
              metric,
              m[1]!.startsWith('p(') ? 'p' : m[1]!,
              m[2] ? Number(m[2]) : null,
              durationS,
            )
          : null;
        out.push({
          metric,
          expr,
          value,
          ok: m && value !== null ? compare(value, m[3]!, Number(m[4])) : null,
        });
      }
    }
    return out;
  }
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '!=':
      return a !== b;
    default:
      return a === b;
  }
}
