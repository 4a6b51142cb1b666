/**
 * result.json, schemaVersion 1: the contract later tools (report, compare, CI) and users rely on.
 * One zod schema is the single source of both the runtime check and the TypeScript types.
 * Times are seconds from the run start unless a field says otherwise. Documented in
 * docs/result-schema.md; keep the two in step.
 */
import { z } from 'zod';

export const errorKinds = [
  'refused',
  'reset',
  'timeout',
  'status-4xx',
  'status-5xx',
  'status-other',
  'other',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

const latencyStats = z.object({
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});
export type LatencyStats = z.infer<typeof latencyStats>;

const counts = z.record(z.string(), z.number().int().nonnegative());

export const seriesPointSchema = z.object({
  /** Second index: this point covers [t, t+1) by intended send time. */
  t: z.number().int().nonnegative(),
  intended: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  ok: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  errors: counts,
  /** Responses by HTTP status code in this second (optional, so older v1 files stay valid). */
  statusCodes: counts.optional(),
  /** HDR histogram of latency (µs) for this second, compressed base64; lets windows be re-merged. */
  hist: z.string().optional(),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const spanSchema = z.object({
  kind: z.string(),
  name: z.string(),
  start: z.number(),
  end: z.number().nullable(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type Span = z.infer<typeof spanSchema>;

export const eventSchema = z.object({
  t: z.number(),
  kind: z.string(),
  object: z.string(),
  message: z.string(),
  /** Facts that depend on the kind (node, zone, reason …); optional, so older v1 files stay valid. */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEvent = z.infer<typeof eventSchema>;

/**
 * Event kinds the cluster observers write (documented in docs/result-schema.md). The schema keeps
 * `kind` an open string: readers must accept kinds they do not know.
 */
export const clusterEventKinds = [
  'pod-created',
  'pod-ready',
  'pod-not-ready',
  'pod-terminating',
  'pod-deleted',
  'endpoint-added',
  'endpoint-removed',
  'node-ready',
  'node-not-ready',
  'node-cordoned',
  'node-uncordoned',
  'eviction',
  'k8s-event',
  'hpa-rescale',
  'rollout-start',
  'rollout-complete',
  'rollout-stalled',
] as const;
export type ClusterEventKind = (typeof clusterEventKinds)[number];

/** `detail` of a span of kind `chaos`. */
export interface ChaosSpanDetail {
  /** The action, e.g. `pod-kill`, `node-drain`, `zone-outage`. */
  readonly action: string;
  /** What it hit, e.g. `pod/novel/api-7d9f-x2k`, `node/worker-2`, `zone/zone-b`. */
  readonly target: string;
  /** The action's mode, e.g. `graceful`, `forced`, `stop`, `partition`. */
  readonly mode: string;
}

/**
 * One observation of a cluster quantity. Gauges are step series: a value holds from its `t` until
 * the next point of the same series (same name and labels).
 */
export const gaugePointSchema = z.object({
  t: z.number(),
  name: z.string(),
  value: z.number(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type GaugePoint = z.infer<typeof gaugePointSchema>;

/** One failed request, from the capped sample the metrics recorder keeps. */
export const failureSchema = z.object({
  /** Intended send time, s, rounded to 1 ms. */
  t: z.number(),
  /** An error kind (see errorKinds); a string, so kinds added within v1 still read. */
  kind: z.string(),
  /** From the intended send time until the failure arrived, ms. */
  latencyMs: z.number().nonnegative().optional(),
  status: z.number().int().optional(),
  /** The scenario request's name. */
  request: z.string().optional(),
  /** Where the request went, when the engine knows (e.g. the pod that answered). */
  target: z.string().optional(),
});
export type FailureSample = z.infer<typeof failureSchema>;

export const verdictSchema = z.object({
  name: z.string(),
  claim: z.string(),
  observed: z.string(),
  pass: z.boolean(),
  /** A verdict that could not be judged (e.g. the generator itself saturated) is not the target's fault. */
  inconclusive: z.boolean().optional(),
  window: z.object({ start: z.number(), end: z.number() }),
  evidence: z.unknown().optional(),
});
export type Verdict = z.infer<typeof verdictSchema>;

/**
 * A server-side (PromQL) SLA's figure beside the client-side one it names in `compareTo`, both in
 * the client figure's unit (ms for latencies, percent for errors and availability).
 */
export const clientServerSchema = z.object({
  /** The server-side SLA's id, and its verdict's name. */
  sla: z.string(),
  verdict: z.string(),
  /** The client-side figure: p50, p90, p95, p99, max, errors or availability. */
  metric: z.string(),
  unit: z.string(),
  op: z.enum(['<', '<=', '>', '>=']),
  /** The server-side SLA's limit, converted to `unit`. */
  limit: z.number(),
  /** The scope's window, s. */
  window: z.object({ start: z.number(), end: z.number() }),
  /** Measured by the load generator over the window; null when no request completed in it. */
  client: z.number().nullable(),
  /** The value the server-side verdict judged (its `reduce`), worst series first; null without samples. */
  server: z.number().nullable(),
  reduce: z.enum(['worst', 'mean', 'last']),
  /** server − client; null when either is missing. */
  difference: z.number().nullable(),
});
export type ClientServerFigure = z.infer<typeof clientServerSchema>;

export const loadSummarySchema = z.object({
  engine: z.string(),
  model: z.enum(['open', 'closed']),
  intendedRps: z.number(),
  achievedRps: z.number(),
  requests: z.object({
    intended: z.number().int().nonnegative(),
    sent: z.number().int().nonnegative(),
    ok: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
  }),
  /** Latency from the intended send time (includes queueing in the generator: no coordinated omission). */
  latencyMs: latencyStats,
  /** Service time from the actual send. */
  serviceTimeMs: latencyStats,
  /** How late requests were sent after their intended time. */
  scheduleLagMs: z.object({
    p50: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  }),
  errors: counts,
  statusCodes: counts,
});
export type LoadSummary = z.infer<typeof loadSummarySchema>;

export const resultSchema = z.object({
  schemaVersion: z.literal(1),
  gauntletVersion: z.string(),
  scenario: z.object({
    name: z.string(),
    description: z.string().optional(),
    file: z.string().nullable(),
    target: z.string(),
    scale: z.number(),
  }),
  startedAt: z.string(),
  durationS: z.number(),
  pass: z.boolean(),
  /** false when the generator could not produce the intended load: verdicts then say nothing of the target. */
  valid: z.boolean(),
  /** How the run ended. */
  status: z.enum(['completed', 'aborted', 'interrupted']),
  abortReason: z.string().optional(),
  load: loadSummarySchema,
  series: z.array(seriesPointSchema),
  spans: z.array(spanSchema),
  events: z.array(eventSchema),
  /** Cluster observations (optional: older v1 files and runs without a cluster have none). */
  gauges: z.array(gaugePointSchema).optional(),
  /** The first failed requests, in the order they failed; `failuresDropped` counts the rest. */
  failures: z.array(failureSchema).optional(),
  failuresDropped: z.number().int().nonnegative().optional(),
  verdicts: z.array(verdictSchema),
  /** Client-side and server-side figures side by side, one per server-side SLA with `compareTo` (optional). */
  clientVsServer: z.array(clientServerSchema).optional(),
});
export type RunResult = z.infer<typeof resultSchema>;

export const SCHEMA_VERSION = 1 as const;
