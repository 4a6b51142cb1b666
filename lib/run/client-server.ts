/**
 * Client-side and server-side figures side by side: for each server-side SLA that names a
 * client-side figure in `compareTo`, what the load generator measured over the SLA's window
 * beside what the server-side verdict judged, in the client figure's unit. A gap between them is
 * time (or failures) the server does not see: the network, the ingress, queues in front of it.
 */
import { pct } from '../assert/compare.ts';
import { toSeconds } from '../assert/phases.ts';
import { promqlSlaName, type PromqlSeriesResult } from '../assert/promql-sla.ts';
import type { ClientServerFigure, Verdict } from '../result/schema.ts';
import type { RunTimeline } from '../result/timeline.ts';
import { latencyUnits, rateUnits } from '../scenario/promql-sla-schema.ts';
import type { ClientMetric, ResolvedPromqlSla } from '../scenario/resolved.ts';

const percentiles: Readonly<Record<string, number>> = { p50: 50, p90: 90, p95: 95, p99: 99, max: 100 };

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The client-side figure over whole seconds [start, end); null when nothing completed there. */
export function clientFigure(
  metric: ClientMetric,
  t: RunTimeline,
  w: { start: number; end: number },
): number | null {
  const s = toSeconds(w, t.durationS);
  if (s.end <= s.start) return null;
  const stats = t.window(s.start, s.end);
  const p = percentiles[metric];
  if (p !== undefined) return stats.percentile(p);
  const completed = stats.ok + stats.failed;
  if (!completed) return null;
  return metric === 'errors' ? pct(stats.failed, completed) : pct(stats.ok, completed);
}

/** The worst series' judged value (the one the verdict fails on first). */
function serverValue(sla: ResolvedPromqlSla, v: Verdict | undefined): number | null {
  const series = (v?.evidence as { series?: PromqlSeriesResult[] } | undefined)?.series;
  if (!series?.length) return null;
  const higherIsWorse = sla.op === '<' || sla.op === '<=';
  const values = series.map((s) => s.value).filter(Number.isFinite);
  if (!values.length) return null;
  return higherIsWorse ? Math.max(...values) : Math.min(...values);
}

export function clientVsServer(
  slas: readonly ResolvedPromqlSla[],
  verdicts: readonly Verdict[],
  t: RunTimeline,
): ClientServerFigure[] {
  return slas.flatMap((sla): ClientServerFigure[] => {
    if (!sla.compareTo) return [];
    const name = promqlSlaName(sla.id, sla.scope);
    const verdict = verdicts.find((v) => v.name === name);
    const isLatency = sla.compareTo in percentiles;
    // Resolution made sure the unit converts; 1 keeps a figure as it is if it ever does not.
    const factor = (isLatency ? latencyUnits : rateUnits)[sla.unit ?? ''] ?? 1;
    const window = verdict?.window ?? { start: 0, end: t.durationS };
    const client = clientFigure(sla.compareTo, t, window);
    const raw = serverValue(sla, verdict);
    const server = raw === null ? null : raw * factor;
    return [
      {
        sla: sla.id,
        verdict: name,
        metric: sla.compareTo,
        unit: isLatency ? 'ms' : '%',
        op: sla.op,
        limit: round(sla.value * factor),
        window,
        client: client === null ? null : round(client),
        server: server === null ? null : round(server),
        reduce: sla.reduce,
        difference: client === null || server === null ? null : round(server - client),
      },
    ];
  });
}
