/**
 * Server-side SLA sources: a PromQL expression sampled over the run with query_range and kept as
 * gauges named `promql:<id>` on the run clock, which lib/assert/promql-sla.ts judges.
 */
import { kPromqlGaugePrefix } from '../assert/promql-sla.ts';
import type { GaugePoint } from '../result/schema.ts';
import type { PrometheusClient } from './api.ts';

export interface PromqlSource {
  readonly id: string;
  readonly expr: string;
}

/**
 * Samples `expr` every `stepS` from `startMs` to `endMs` (wall clock); t = sample − runStartMs.
 * NaN samples (0/0 with no traffic) are left out: they say nothing about the target.
 */
export async function samplePromql(
  prometheus: PrometheusClient,
  source: PromqlSource,
  range: {
    readonly runStartMs: number;
    readonly startMs: number;
    readonly endMs: number;
    readonly stepS?: number;
  },
): Promise<GaugePoint[]> {
  const series = await prometheus.queryRange(
    source.expr,
    range.startMs / 1000,
    range.endMs / 1000,
    range.stepS ?? 1,
  );
  const out: GaugePoint[] = [];
  for (const s of series) {
    const { __name__: _name, ...labels } = s.labels;
    for (const p of s.points) {
      if (!Number.isFinite(p.value)) continue;
      out.push({
        t: Math.round(p.t * 1000 - range.runStartMs) / 1000,
        name: `${kPromqlGaugePrefix}${source.id}`,
        value: p.value,
        ...(Object.keys(labels).length ? { labels } : {}),
      });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
