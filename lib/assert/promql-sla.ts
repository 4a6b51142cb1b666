/**
 * Server-side SLA: a condition on a PromQL expression, judged from the samples the run recorded
 * as gauges named `promql:<id>` (lib/monitoring's samplePromql, a query_range over the run at a
 * 1 s step). Each series the expression returns is judged on its own; by default on its worst
 * sample in the phase (the highest for `<`/`<=`, the lowest for `>`/`>=`), so the verdict reads
 * like a client-side SLA over the same window and the two can stand side by side.
 *
 *   promqlSlaAssertion({ id: 'p95', expr: 'histogram_quantile(0.95, sum by (le) (rate(…[1m])))',
 *                        op: '<', threshold: 1, unit: 's' })
 */
import type { Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import type { Comparison, PhaseScope } from '../scenario/resolved.ts';
import type { Assertion } from './assertion.ts';
import { compare, fmt } from './compare.ts';
import { phaseWindow } from './phases.ts';

export const kPromqlGaugePrefix = 'promql:';

export interface PromqlSlaConfig {
  /** Names the gauge (`promql:<id>`) and the verdict. */
  readonly id: string;
  /** For the claim only: the samples were taken when the run recorded them. */
  readonly expr: string;
  readonly op: Comparison;
  readonly threshold: number;
  readonly unit?: string;
  /** @default 'worst' */
  readonly reduce?: 'worst' | 'mean' | 'last';
  /** @default 'run' */
  readonly scope?: PhaseScope;
}

export interface PromqlSeriesResult {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: number;
  readonly value: number;
  /** When the worst (or last) sample was taken, s on the run clock; null for the mean. */
  readonly at: number | null;
  readonly pass: boolean;
}

function seriesKey(labels: Readonly<Record<string, string>> | undefined): string {
  return JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function describeLabels(l: Readonly<Record<string, string>>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}

/** The verdict's name: `sla [server] <id>`, with ` [scope]` unless it covers the whole run. */
export function promqlSlaName(id: string, scope: PhaseScope = 'run'): string {
  return `sla [server] ${id}${scope === 'run' ? '' : ` [${scope}]`}`;
}

export function promqlSlaAssertion(cfg: PromqlSlaConfig): Assertion {
  if (!/^[\w.-]+$/.test(cfg.id))
    throw new Error(`promql SLA id "${cfg.id}": use letters, digits, '.', '-' or '_'`);
  if (!Number.isFinite(cfg.threshold))
    throw new Error(`promql SLA ${cfg.id}: threshold must be a finite number`);
  const scope = cfg.scope ?? 'run';
  const reduce = cfg.reduce ?? 'worst';
  const unit = cfg.unit ? ` ${cfg.unit}` : '';
  const name = promqlSlaName(cfg.id, scope);
  const claim = `server-side ${cfg.id} (${cfg.expr}) ${cfg.op} ${fmt(cfg.threshold, 4)}${unit}${reduce === 'worst' ? ' at every sample' : ` (${reduce})`}`;
  const higherIsWorse = cfg.op === '<' || cfg.op === '<=';
  return {
    name,
    loadIndependent: false,
    evaluate(t: RunTimeline): Verdict {
      const window = phaseWindow(scope, t.spans, t.durationS) ?? { start: 0, end: 0 };
      const gauge = `${kPromqlGaugePrefix}${cfg.id}`;
      const bySeries = new Map<
        string,
        { labels: Record<string, string>; points: Array<{ t: number; v: number }> }
      >();
      for (const p of t.gauges) {
        if (p.name !== gauge || p.t < window.start || p.t > window.end || !Number.isFinite(p.value)) continue;
        const key = seriesKey(p.labels);
        const s = bySeries.get(key) ?? { labels: { ...(p.labels ?? {}) }, points: [] };
        s.points.push({ t: p.t, v: p.value });
        bySeries.set(key, s);
      }
      if (!bySeries.size) {
        return {
          name,
          claim,
          observed: `no ${gauge} samples in the ${scope} window (was the expression sampled, and did it return data?)`,
          pass: false,
          inconclusive: true,
          window,
        };
      }
      const results: PromqlSeriesResult[] = [...bySeries.values()].map(({ labels, points }) => {
        points.sort((a, b) => a.t - b.t);
        let value: number;
        let at: number | null;
        if (reduce === 'mean') {
          value = points.reduce((a, p) => a + p.v, 0) / points.length;
          at = null;
        } else {
          const pick =
            reduce === 'last'
              ? points[points.length - 1]!
              : points.reduce((w, p) => ((higherIsWorse ? p.v > w.v : p.v < w.v) ? p : w));
          value = pick.v;
          at = pick.t;
        }
        return { labels, samples: points.length, value, at, pass: compare(value, cfg.op, cfg.threshold) };
      });
      const failing = results.filter((r) => !r.pass);
      const shown = (failing.length ? failing : results).slice(0, 5);
      return {
        name,
        claim,
        observed: shown
          .map(
            (r) =>
              `${describeLabels(r.labels)}: ${fmt(r.value, 4)}${unit}${r.at === null ? '' : ` at ${fmt(r.at, 3)} s`} (${r.samples} samples)`,
          )
          .join('; '),
        pass: failing.length === 0,
        window,
        evidence: { expr: cfg.expr, reduce, series: results },
      };
    },
  };
}
