/**
 * Server-side SLAs: a condition on a PromQL expression that Prometheus evaluates over the run,
 * written in a scenario's `slas` beside the client-side ones:
 *
 *   { promql: 'histogram_quantile(0.95, sum by (le) (rate(novel_engine_http_request_duration_seconds_bucket[30s])))',
 *     id: 'server-p95', op: '<', value: 0.1, unit: 's', scope: 'during-fault', compareTo: 'p95' }
 *
 * An entry with a `promql` field is validated by this schema alone, so its messages name its own
 * fields rather than those of the client-side forms.
 */
import { z } from 'zod';
import { positiveDuration, scopeSchema } from './fields.ts';
import type { ClientMetric, ResolvedPromqlSla } from './resolved.ts';
import { parseDuration } from './duration.ts';

export const clientMetrics = ['p50', 'p90', 'p95', 'p99', 'max', 'errors', 'availability'] as const;
const ops = ['<', '<=', '>', '>='] as const;
const reduces = ['worst', 'mean', 'last'] as const;

/** Units the client-vs-server comparison converts: latencies to ms, rates to percent. */
export const latencyUnits: Readonly<Record<string, number>> = { s: 1000, ms: 1 };
export const rateUnits: Readonly<Record<string, number>> = { '%': 1, ratio: 100 };

const EXAMPLE_EXPR =
  'histogram_quantile(0.95, sum by (le) (rate(novel_engine_http_request_duration_seconds_bucket[30s])))';

/** A required field's message says what to write; a wrong one says what it must be. */
const required = (field: string, hint: string, wrong: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `${field} is required: ${hint}` : `${field} ${wrong}`;

export const promqlSlaSchema = z.strictObject({
  promql: z
    .string({ error: required('promql', `a PromQL expression, e.g. '${EXAMPLE_EXPR}'`, 'must be text') })
    .trim()
    .min(1, { error: `promql is empty; write a PromQL expression, e.g. '${EXAMPLE_EXPR}'` }),
  /** Names the verdict (`sla [server] <id>`) and the recorded gauge (`promql:<id>`). */
  id: z
    .string({ error: required('id', "name the SLA, e.g. id: 'server-p95'", 'must be text') })
    .regex(/^[A-Za-z0-9][\w.-]*$/, {
      error: (iss) =>
        `id '${String(iss.input)}' must start with a letter or digit and hold only letters, digits, '.', '-' or '_', e.g. 'server-p95'`,
    }),
  op: z.enum(ops, {
    error: required('op', "one of '<', '<=', '>', '>='", "must be one of '<', '<=', '>', '>='"),
  }),
  /** The limit, in what the expression returns (seconds for a latency histogram). */
  value: z.number({
    error: required(
      'value',
      'the limit in the unit the expression returns, e.g. value: 0.1 for 100 ms from a seconds histogram',
      'must be a number in the unit the expression returns (not a string like "100ms")',
    ),
  }),
  /** What the expression returns, for people; 's', 'ms', '%' or 'ratio' also let compareTo convert. */
  unit: z.string().min(1).max(16).optional(),
  reduce: z
    .enum(reduces, { error: "reduce must be 'worst' (every sample), 'mean' or 'last'" })
    .default('worst'),
  scope: scopeSchema.default('run'),
  abortOnFail: z.boolean({ error: 'abortOnFail must be true or false' }).default(false),
  /** How long the condition must stay broken, polled while the load runs, before the run aborts. */
  abortWindow: positiveDuration.default('10s'),
  /** The client-side figure to show beside the server-side one in the reports. */
  compareTo: z
    .enum(clientMetrics, {
      error: `compareTo must name a client-side figure: ${clientMetrics.join(', ')}`,
    })
    .optional(),
});

export type PromqlSlaInput = z.input<typeof promqlSlaSchema>;
type ParsedPromqlSla = z.output<typeof promqlSlaSchema>;

/** Whether a raw `slas` entry is the server-side form. */
export function isPromqlSlaInput(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'promql' in v;
}

/** Cross-field checks and defaults; problems are pushed as `slas[i].field: what (fix)`. */
export function resolvePromqlSla(
  x: ParsedPromqlSla,
  i: number,
  scale: number,
  problems: string[],
): ResolvedPromqlSla {
  const at = `slas[${i}]`;
  const compareTo: ClientMetric | null = x.compareTo ?? null;
  if (compareTo) {
    const latency = compareTo !== 'errors' && compareTo !== 'availability';
    const units = latency ? latencyUnits : rateUnits;
    if (x.unit === undefined || !(x.unit in units)) {
      problems.push(
        `${at}.unit: compareTo '${compareTo}' needs to know what the expression returns; set unit to ${Object.keys(
          units,
        )
          .map((u) => `'${u}'`)
          .join(' or ')}`,
      );
    }
  }
  return {
    id: x.id,
    expr: x.promql,
    op: x.op,
    value: x.value,
    unit: x.unit ?? null,
    reduce: x.reduce,
    scope: x.scope,
    abortOnFail: x.abortOnFail,
    // Scaled like the client-side abortWindow, so a --scale run keeps its proportions.
    abortWindowS: ((parseDuration(x.abortWindow) as number) * scale) / 1000,
    compareTo,
  };
}
