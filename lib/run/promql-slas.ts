/**
 * Server-side SLAs in a run: Prometheus is required and each expression checked before the load
 * (a typo in PromQL is a setup error, not a failed verdict after ten minutes of load); after the
 * load each expression is sampled over the run as `promql:<id>` gauges and judged by
 * lib/assert/promql-sla.ts.
 *
 *   const promql = await openPromqlSlas(scenario.promqlSlas, prometheusUrl, whyNone);  // throws GAUNTLET_SETUP
 *   …load…
 *   const { gauges, assertions } = await promql.sample({ runStartMs, durationS });
 */
import type { Assertion } from '../assert/assertion.ts';
import { promqlSlaAssertion, type PromqlSlaConfig } from '../assert/promql-sla.ts';
import { GauntletError } from '../errors.ts';
import { PrometheusClient } from '../monitoring/api.ts';
import { samplePromql } from '../monitoring/promql-source.ts';
import type { GaugePoint } from '../result/schema.ts';
import type { ResolvedPromqlSla } from '../scenario/resolved.ts';

/** What to do when a run with server-side SLAs has no Prometheus. */
export const ENABLE_MONITORING_HINT =
  'give the run a Prometheus that scrapes the target with --prometheus URL --alertmanager URL, ' +
  'or for the local cluster start its monitoring with gauntlet local up --monitoring (a running cluster gets it added)';

function named(slas: readonly ResolvedPromqlSla[]): string {
  const ids = slas.map((s) => `'${s.id}'`).join(', ');
  return slas.length === 1 ? `server-side SLA ${ids} reads` : `server-side SLAs ${ids} read`;
}

/** The setup error for server-side SLAs without Prometheus: which SLAs, why there is none, the fix. */
export function noPrometheusError(slas: readonly ResolvedPromqlSla[], why: string): GauntletError {
  return new GauntletError(
    'GAUNTLET_SETUP',
    `${named(slas)} Prometheus, but this run has none (${why}): ${ENABLE_MONITORING_HINT}`,
  );
}

export function slaConfig(s: ResolvedPromqlSla): PromqlSlaConfig {
  return {
    id: s.id,
    expr: s.expr,
    op: s.op,
    threshold: s.value,
    ...(s.unit !== null ? { unit: s.unit } : {}),
    reduce: s.reduce,
    scope: s.scope,
  };
}

export interface PromqlSlaRun {
  readonly prometheus: PrometheusClient;
  /**
   * Samples every expression over [runStartMs, runStartMs + durationS]; an expression that could
   * not be read gets an inconclusive verdict saying why.
   */
  sample(range: { runStartMs: number; durationS: number }): Promise<{
    gauges: GaugePoint[];
    assertions: Assertion[];
  }>;
}

async function ready(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return res.ok ? null : `Prometheus at ${url} is not ready (HTTP ${res.status})`;
  } catch (err) {
    return `Prometheus at ${url} did not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * Checks Prometheus answers and accepts each expression (one instant query each); throws a setup
 * error naming the SLA otherwise. `why` says why there is no URL when there is none.
 */
export async function openPromqlSlas(
  slas: readonly ResolvedPromqlSla[],
  prometheusUrl: string | undefined,
  why: string,
): Promise<PromqlSlaRun> {
  if (!prometheusUrl) throw noPrometheusError(slas, why);
  const url = prometheusUrl.replace(/\/+$/, '');
  const down = await ready(url);
  if (down) throw noPrometheusError(slas, down);
  const prometheus = new PrometheusClient(url);
  for (const s of slas) {
    try {
      await prometheus.query(s.expr);
    } catch (err) {
      throw new GauntletError(
        'GAUNTLET_SETUP',
        `server-side SLA '${s.id}': Prometheus at ${url} refused its promql expression (${err instanceof Error ? err.message : String(err)}); fix the expression`,
      );
    }
  }
  return {
    prometheus,
    async sample({ runStartMs, durationS }) {
      // query_range answers at most 11,000 points per series.
      const stepS = Math.max(1, Math.ceil(durationS / 10_000));
      const errors = new Map<string, string>();
      const gauges: GaugePoint[] = [];
      for (const s of slas) {
        try {
          gauges.push(
            ...(await samplePromql(
              prometheus,
              { id: s.id, expr: s.expr },
              { runStartMs, startMs: runStartMs, endMs: runStartMs + durationS * 1000, stepS },
            )),
          );
        } catch (err) {
          errors.set(s.id, err instanceof Error ? err.message : String(err));
        }
      }
      return { gauges, assertions: slas.map((s) => assertionFor(s, errors.get(s.id))) };
    },
  };
}

function assertionFor(s: ResolvedPromqlSla, error: string | undefined): Assertion {
  const a = promqlSlaAssertion(slaConfig(s));
  if (error === undefined) return a;
  return {
    ...a,
    evaluate: (t) => ({
      ...a.evaluate(t),
      observed: `could not read the samples from Prometheus: ${error}`,
      pass: false,
      inconclusive: true,
    }),
  };
}
